"""What a stage kind is given to build its trainer: one StagePlan, made by the curriculum.

A stage kind (sft, grpo, ...) is one module with a `KIND`: the schema of its own keys,
its TRL config class, its checks, and `build(plan) -> trainer`. It reads nothing but
its plan: the recipe-wide settings (dtype, seed, launcher, logger) are already folded
into `plan.args` by the curriculum. See docs/architecture.md, "Adding a stage kind".
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class StagePlan:
    name: str  # the stage's key in `stages:`
    stage: dict  # r1kit's own keys of the stage (kind, data, init_from, rewards, ...), validated
    args: Any  # the TRL config (SFTConfig, GRPOConfig, ...) built from the stage's TRL options
    model: Any
    processing_class: Any  # tokenizer, or processor for a vision-language model
    train_dataset: Any  # datasets.Dataset: the stage's rows, mixed when it reads several datasets
    output_dir: Path  # stages/<i>-<name>: TRL checkpoints and final/
    metrics_file: Path
    init: str | None = None  # the weights it starts from (None: the recipe's model)
    peft_config: Any = None  # LoRA settings handed to the trainer (None: full fine-tuning)
    # Each builds a callback from the trainer; they run in this order, before the kind's own callbacks,
    # TRL's and the loggers (metrics.jsonl, progress bar), so whatever they add to a log is recorded.
    callbacks: list[Callable[[Any], Any]] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"stages.{self.name}"


@dataclass(frozen=True)
class StageKind:
    """A kind of stage: its keys, its TRL config, how to check a stage of it, and how to build its trainer."""

    name: str
    schema: type  # dataclass of r1kit's own keys for this kind; every other key is a TRL option
    config_class: type  # the TRL config class (trl.SFTConfig, trl.GRPOConfig, ...)
    check: Callable[..., None]  # check(where, stage, trainer_options, context) after the schema merge
    build: Callable[[StagePlan], Any]
    # False for a kind whose final/ is not the policy (a reward model): no held-out generation after it, and
    # `init_from: previous` of a later stage skips it
    policy: bool = True
    needs_data: bool = True  # False for a kind that reads weights only (merge): `data:` may be left out
    # True for a kind whose final/ is a dataset (generate), which later stages read as `data: stage:<name>`
    makes_data: bool = False
