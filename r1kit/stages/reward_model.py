"""A reward-model stage: TRL's RewardTrainer on preference pairs (the `preference_pairs` adapter).

The model is the stage's starting weights (the previous policy's final/, or the recipe's
model) with a one-output classification head, trained so that the chosen response scores
above the rejected one. Its final/ is not the policy: a later `init_from: previous` skips
it, no held-out generation follows it, and a later GRPO stage scores with it through the
`reward_model` reward (`model: stage:<this stage>`), as SophiaVL-R1's thinking reward model.
Defaults: r1kit/conf/stage/reward_model.yaml; every other key is a trl.RewardConfig option.
"""

from dataclasses import dataclass
from functools import cache

from trl import RewardConfig

from r1kit.errors import UserError
from r1kit.stages.common import StageSchema, install_callbacks
from r1kit.stages.plan import StageKind, StagePlan

PAIR_COLUMNS = ("prompt", "chosen", "rejected")


@dataclass
class RewardModelStageSchema(StageSchema):
    """A reward_model stage has only the keys every stage has."""


@cache
def trainer_class():
    """TRL's RewardTrainer with atomic checkpoints, made on first use (importing TRL's trainers takes a second)."""
    from trl import RewardTrainer

    from r1kit.stages.checkpoints import AtomicCheckpoints

    class R1kitRewardTrainer(AtomicCheckpoints, RewardTrainer):
        """RewardTrainer whose checkpoints are written atomically."""

    return R1kitRewardTrainer


def check(where: str, stage: dict, trainer: dict, context: dict):
    if stage["evaluate"]:
        raise UserError(f"{where}.evaluate=true: a reward model does not generate, so it has no held-out check; "
                        "score a later policy stage instead.")


def scorer(plan: StagePlan):
    """The starting weights with a one-output head (a new, seeded head; the body is the starting model's)."""
    from transformers import AutoModelForSequenceClassification

    folder = plan.init or plan.model.config._name_or_path
    if not folder:  # a model built in code: give it a folder to load the classifier from
        folder = plan.output_dir / "base"
        plan.model.save_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=1, dtype=plan.model.dtype)
    tokenizer = plan.processing_class
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.config.pad_token_id = tokenizer.pad_token_id
    return model


def build(plan: StagePlan):
    data = plan.train_dataset
    missing = [c for c in PAIR_COLUMNS if c not in data.column_names]
    if missing:
        raise UserError(f"{plan.where}: a reward_model stage needs preference pairs, but dataset "
                        f"{plan.stage['data']!r} has no {', '.join(missing)} (columns: {data.column_names}). Use "
                        "the preference_pairs adapter.")
    if not hasattr(plan.processing_class, "pad_token_id"):
        raise UserError(f"{plan.where}: r1kit's reward_model stage trains text-only models.")
    plan.model = model = scorer(plan)  # the causal LM it was made from is let go
    trainer = trainer_class()(model=model, args=plan.args, train_dataset=data.select_columns(list(PAIR_COLUMNS)),
                              processing_class=plan.processing_class, peft_config=plan.peft_config)
    install_callbacks(trainer, plan)
    return trainer


KIND = StageKind("reward_model", RewardModelStageSchema, RewardConfig, check, build, policy=False)
