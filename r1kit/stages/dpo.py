"""A preference stage: TRL's DPOTrainer on `prompt`/`chosen`/`rejected` rows (the `preference_pairs` adapter).

The reference model is the stage's own starting weights (TRL copies the policy when no
`ref_model` is given), so `SFT -> dpo` pulls towards the SFT model, as Light-R1 and AdaR1
do. `beta` and `loss_type` (a list: several losses mix with `loss_weights`) come from YAML.
Defaults: r1kit/conf/stage/dpo.yaml; every other key is a trl.DPOConfig option.
"""

import dataclasses
import re
from dataclasses import dataclass
from functools import cache

from trl import DPOConfig

from r1kit.checks import did_you_mean
from r1kit.errors import UserError
from r1kit.stages.common import StageSchema, give_reference_a_folder, install_callbacks
from r1kit.stages.plan import StageKind, StagePlan

PAIR_COLUMNS = ("prompt", "chosen", "rejected")


@dataclass
class DPOStageSchema(StageSchema):
    """A dpo stage has only the keys every stage has."""


@cache
def loss_types() -> tuple[str, ...]:
    """The losses this TRL offers, read from DPOConfig's own documentation of `loss_type`."""
    field = next(f for f in dataclasses.fields(DPOConfig) if f.name == "loss_type")
    return tuple(dict.fromkeys(re.findall(r"`'([a-z_]+)'`", field.metadata.get("help", ""))))


@cache
def trainer_class():
    """TRL's DPOTrainer with atomic checkpoints, made on first use (importing TRL's trainers takes a second)."""
    from trl import DPOTrainer

    from r1kit.stages.checkpoints import AtomicCheckpoints

    class R1kitDPOTrainer(AtomicCheckpoints, DPOTrainer):
        """DPOTrainer whose checkpoints are written atomically."""

    return R1kitDPOTrainer


def check(where: str, stage: dict, trainer: dict, context: dict):
    """Loss names and weights: TRL would only find them wrong at the first step."""
    losses = trainer.get("loss_type", ["sigmoid"])
    known = loss_types()
    for loss in losses:
        if known and loss not in known:
            raise UserError(f"{where}.loss_type: unknown loss {loss!r}.{did_you_mean(loss, list(known))} "
                            f"Choose from {', '.join(known)}.")
    weights = trainer.get("loss_weights")
    if weights is not None and len(weights) != len(losses):
        raise UserError(f"{where}.loss_weights has {len(weights)} weight(s) for {len(losses)} loss(es) in "
                        f"loss_type={losses}: give one weight per loss.")


def build(plan: StagePlan):
    data = plan.train_dataset
    missing = [c for c in PAIR_COLUMNS if c not in data.column_names]
    if missing:
        raise UserError(f"{plan.where}: a dpo stage needs preference pairs, but dataset {plan.stage['data']!r} has "
                        f"no {', '.join(missing)} (columns: {data.column_names}). Use the preference_pairs adapter.")
    if "images" in data.column_names:
        raise UserError(f"{plan.where}: r1kit's dpo stage trains text pairs; dataset {plan.stage['data']!r} has "
                        "images.")
    give_reference_a_folder(plan)
    trainer = trainer_class()(model=plan.model, args=plan.args, train_dataset=data.select_columns(list(PAIR_COLUMNS)),
                              processing_class=plan.processing_class, peft_config=plan.peft_config)
    install_callbacks(trainer, plan)
    return trainer


KIND = StageKind("dpo", DPOStageSchema, DPOConfig, check, build)
