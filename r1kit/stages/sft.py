"""The cold-start SFT stage: TRL's SFTTrainer on `messages` rows, loss on the assistant's tokens.

Rows with `images` train a vision-language model through TRL's vision collator.
Defaults: r1kit/conf/stage/sft.yaml; every key but r1kit's own is a trl.SFTConfig option.
"""

from dataclasses import dataclass
from functools import cache

from trl import SFTConfig

from r1kit.errors import UserError
from r1kit.stages.common import StageSchema, check_images, install_callbacks
from r1kit.stages.plan import StageKind, StagePlan


@dataclass
class SFTStageSchema(StageSchema):
    """An sft stage has only the keys every stage has."""


@cache
def trainer_class():
    """TRL's SFTTrainer with atomic checkpoints; made on first use, as importing TRL's trainers takes a second
    that validating a recipe need not spend."""
    from trl import SFTTrainer

    from r1kit.stages.checkpoints import AtomicCheckpoints
    from r1kit.stages.vision_batches import TextBatchesUnderZero3

    class R1kitSFTTrainer(AtomicCheckpoints, TextBatchesUnderZero3, SFTTrainer):
        """SFTTrainer whose checkpoints are written atomically, and whose text-only batches of a VLM run under
        ZeRO-3."""

    return R1kitSFTTrainer


def check(where: str, stage: dict, trainer: dict, context: dict):
    """Nothing beyond the common checks: the `messages` column is checked when the data is built."""


def build(plan: StagePlan):
    data = plan.train_dataset
    if "messages" not in data.column_names:
        raise UserError(f"{plan.where}: an sft stage needs conversations, but dataset "
                        f"{plan.stage['data']!r} has no SFT targets (its adapter produced {data.column_names}). "
                        "Give it a `solution` column, or use the chat_sft adapter.")
    check_images(plan)
    columns = ["messages"] + [c for c in ("images", "tools") if c in data.column_names]
    trainer = trainer_class()(model=plan.model, args=plan.args, train_dataset=data.select_columns(columns),
                              processing_class=plan.processing_class, peft_config=plan.peft_config)
    if len(trainer.train_dataset) == 0:  # TRL drops a row whose assistant tokens were all cut off
        raise UserError(f"{plan.where}: no row of dataset {plan.stage['data']!r} keeps an assistant token within "
                        f"max_length={plan.args.max_length}: raise {plan.where}.max_length (the prompts are longer).")
    install_callbacks(trainer, plan)
    return trainer


KIND = StageKind("sft", SFTStageSchema, SFTConfig, check, build)
