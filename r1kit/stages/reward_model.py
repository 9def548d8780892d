"""A reward-model stage: TRL's RewardTrainer on preference pairs (the `preference_pairs` adapter).

The model is the stage's starting weights (the previous policy's final/, or the recipe's
model) with a one-output classification head, trained so that the chosen response scores
above the rejected one. A vision-language model lends its language model: the classifier
reads text only (SketchThinker-R1's SketchJudge judges the thinking alone). Its final/ is not the policy: a later `init_from: previous` skips
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


# the text model of a vision-language family, whose language model it is weight for weight (multimodal RoPE on
# text alone is the text model's RoPE)
TEXT_FAMILIES = {"qwen2_vl_text": "qwen2", "qwen2_5_vl_text": "qwen2"}


def text_scorer(model):
    """A vision-language model's language model with a new one-output head, as the text-only classifier."""
    from transformers import AutoConfig, AutoModelForSequenceClassification

    text = model.config.get_text_config()
    family = TEXT_FAMILIES.get(text.model_type)
    if family is None:
        raise UserError(f"a reward_model stage from a {model.config.model_type} model: r1kit makes a text classifier "
                        f"of the language model of {', '.join(sorted(TEXT_FAMILIES))} only. Start the stage from a "
                        "text model's folder (`init_from: <folder>`).")
    options = {k: v for k, v in text.to_dict().items()
               if k not in ("model_type", "architectures", "transformers_version", "id2label", "label2id")}
    rope = options.get("rope_parameters")
    if isinstance(rope, dict):
        options["rope_parameters"] = {k: v for k, v in rope.items() if k != "mrope_section"}
    scorer = AutoModelForSequenceClassification.from_config(AutoConfig.for_model(family, num_labels=1, **options),
                                                            dtype=model.dtype)
    scorer.model.load_state_dict(model.model.language_model.state_dict())
    return scorer


def text_tokenizer(processing_class):
    """The tokenizer a text classifier reads with: a processor's own, with the processor's chat template."""
    tokenizer = getattr(processing_class, "tokenizer", processing_class)
    if not getattr(tokenizer, "chat_template", None) and getattr(processing_class, "chat_template", None):
        tokenizer.chat_template = processing_class.chat_template
    return tokenizer


def scorer(plan: StagePlan):
    """The starting weights with a one-output head (a new, seeded head; the body is the starting model's)."""
    from transformers import AutoModelForSequenceClassification

    from r1kit.models.vision import vision_tower

    if vision_tower(plan.model) is not None:
        model = text_scorer(plan.model)
        model.config.pad_token_id = plan.processing_class.pad_token_id
        return model
    folder = plan.init or plan.model.config._name_or_path
    if not folder:  # a model built in code: give it a folder to load the classifier from
        folder = plan.output_dir / "base"
        plan.model.save_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=1, dtype=plan.model.dtype)
    model.config.pad_token_id = plan.processing_class.pad_token_id
    return model


def build(plan: StagePlan):
    data = plan.train_dataset
    missing = [c for c in PAIR_COLUMNS if c not in data.column_names]
    if missing:
        raise UserError(f"{plan.where}: a reward_model stage needs preference pairs, but dataset "
                        f"{plan.stage['data']!r} has no {', '.join(missing)} (columns: {data.column_names}). Use "
                        "the preference_pairs adapter.")
    if "images" in data.column_names:
        raise UserError(f"{plan.where}: r1kit's reward_model stage trains text-only classifiers, and dataset "
                        f"{plan.stage['data']!r} has images.")
    plan.processing_class = text_tokenizer(plan.processing_class)
    if plan.processing_class.pad_token_id is None:
        plan.processing_class.pad_token = plan.processing_class.eos_token
    plan.model = model = scorer(plan)  # the causal LM it was made from is let go
    peft_config = plan.peft_config
    if peft_config is not None:  # LoRA on a classifier: peft's sequence-classification task also trains the new head
        from dataclasses import replace

        peft_config = replace(peft_config, task_type="SEQ_CLS")
    trainer = trainer_class()(model=model, args=plan.args, train_dataset=data.select_columns(list(PAIR_COLUMNS)),
                              processing_class=plan.processing_class, peft_config=peft_config)
    install_callbacks(trainer, plan)
    return trainer


KIND = StageKind("reward_model", RewardModelStageSchema, RewardConfig, check, build, policy=False)
