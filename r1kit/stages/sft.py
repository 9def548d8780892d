"""The cold-start SFT stage: TRL's SFTTrainer on `messages` rows, loss on the assistant's tokens.

Rows with `images` train a vision-language model through TRL's vision collator.
"""

from trl import SFTConfig, SFTTrainer

from r1kit.errors import UserError
from r1kit.stages.checkpoints import AtomicCheckpoints
from r1kit.stages.common import attach_callbacks, check_images, trainer_args


class R1kitSFTTrainer(AtomicCheckpoints, SFTTrainer):
    """SFTTrainer whose checkpoints are written atomically."""


def build_sft_trainer(stage: dict, recipe: dict, model, tokenizer, train_ds, output_dir, run_dir):
    if "messages" not in train_ds.column_names:
        raise UserError(f"stages.{stage['name']}: an sft stage needs conversations, but dataset "
                        f"{stage['data']!r} has no SFT targets (its adapter produced {train_ds.column_names}). "
                        "Give it a `solution` column, or use the chat_sft adapter.")
    args = trainer_args(SFTConfig, stage, recipe, output_dir, run_dir)
    check_images(stage, train_ds, tokenizer)
    columns = ["messages", "images"] if "images" in train_ds.column_names else ["messages"]
    trainer = R1kitSFTTrainer(model=model, args=args, train_dataset=train_ds.select_columns(columns),
                              processing_class=tokenizer)
    attach_callbacks(trainer, stage["name"], run_dir / "metrics.jsonl")
    return trainer
