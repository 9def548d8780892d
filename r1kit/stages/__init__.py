"""Stage kinds, one module each (sft, grpo), found by name: `kind: grpo` -> r1kit.stages.grpo.KIND."""

from r1kit.components import Registry

STAGE_KINDS = Registry("stage kind", {"sft": "r1kit.stages.sft.KIND", "grpo": "r1kit.stages.grpo.KIND"})
