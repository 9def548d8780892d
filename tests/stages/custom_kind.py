"""A stage kind defined outside r1kit's package, named by dotted path in a recipe (tests/stages/test_kinds.py)."""

from dataclasses import dataclass

from trl import SFTConfig

from r1kit.errors import UserError
from r1kit.stages import sft
from r1kit.stages.common import StageSchema
from r1kit.stages.plan import StageKind


@dataclass
class NotedSFTSchema(StageSchema):
    note: str = ""  # a key of this kind's own, not a TRL option


def check(where: str, stage: dict, trainer: dict, context: dict):
    if stage["note"] == "refuse":
        raise UserError(f"{where}.note: refused by the custom kind.")


def build(plan):
    trainer = sft.build(plan)
    trainer.note = plan.stage["note"]
    return trainer


KIND = StageKind("noted_sft", NotedSFTSchema, SFTConfig, check, build)
