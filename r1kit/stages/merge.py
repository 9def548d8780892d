"""A merge stage: weight arithmetic between models, no training.

final/ = sum of weight x parameters over `models:`, each `start` (the stage's starting
weights, from `init_from`), `stage:<name>` (an earlier stage's final/) or a saved folder
of the same architecture. This covers:
- a linear merge: AdaR1's long- and short-reasoning models,
  `[{model: stage:long, weight: 0.5}, {model: stage:short, weight: 0.5}]`;
- a task vector: the "reasoning vector" theta_GRPO - theta_SFT added to another model,
  `init_from: <that model>` with `[{model: start, weight: 1}, {model: stage:grpo, weight: 1},
  {model: stage:sft, weight: -1}]`.
The merged model keeps the starting model's config and tokenizer, and the held-out check
runs on it as after any stage.
"""

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from transformers import TrainingArguments

from r1kit.errors import UserError
from r1kit.run import ranks
from r1kit.stages.common import StageSchema
from r1kit.stages.plan import StageKind, StagePlan

START = "start"


@dataclass
class MergeStageSchema(StageSchema):
    data: Any = None  # a merge reads no rows; init_from gives the `start` model, its config and tokenizer
    models: list[Any] = field(default_factory=list)  # [{model: start | stage:<name> | <folder>, weight: <number>}]


def check(where: str, stage: dict, trainer: dict, context: dict):
    if trainer:
        raise UserError(f"{where}.{next(iter(trainer))}: a merge stage trains nothing; it takes `models:` "
                        "(and kind, init_from, evaluate).")
    if stage["data"] is not None:
        raise UserError(f"{where}.data: a merge stage reads weights, not rows; remove `data:`.")
    models = stage["models"]
    if not isinstance(models, list) or not models:
        raise UserError(f"{where}.models: list the models to combine, e.g. [{{model: stage:long, weight: 0.5}}, "
                        "{model: stage:short, weight: 0.5}].")
    for i, entry in enumerate(models):
        if not isinstance(entry, dict) or set(entry) != {"model", "weight"}:
            raise UserError(f"{where}.models[{i}]: give `model` and `weight`, e.g. {{model: stage:sft, weight: 0.5}}.")
        model, weight = entry["model"], entry["weight"]
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise UserError(f"{where}.models[{i}].weight={weight!r}: expected a number (negative subtracts).")
        if not isinstance(model, str) or not (model == START or model.startswith("stage:")
                                              or Path(model).expanduser().is_dir()):
            raise UserError(f"{where}.models[{i}].model={model!r}: use `start` (the stage's starting weights), "
                            "`stage:<an earlier stage>` or the folder of a saved model.")
    if context["recipe"]["launcher"]["zero_stage"] == 3:
        raise UserError(f"{where}: a merge needs whole weights in one process; ZeRO-3 shards them. Run the merge in "
                        "a recipe of its own with launcher=local, or use zero2.")


@dataclass
class Merge:
    """The part of a trainer the curriculum uses (train, save, the held-out check), for a stage with no trainer."""

    plan: StagePlan
    model: Any = None
    processing_class: Any = None
    state: Any = field(default_factory=lambda: SimpleNamespace(global_step=0))
    is_deepspeed_enabled: bool = False

    def __post_init__(self):
        from accelerate import Accelerator

        self.model, self.processing_class = self.plan.model, self.plan.processing_class
        self.args = SimpleNamespace(should_save=ranks.is_main(), gradient_checkpointing_kwargs=None)
        self.accelerator = Accelerator(cpu=self.plan.args.use_cpu)

    @property
    def model_wrapped(self):
        return self.model

    def train(self, resume_from_checkpoint=None):
        """final = sum of weight x model, in float32, then cast back to the model's dtype."""
        import torch

        start = {k: v.detach().float().clone() for k, v in self.model.state_dict().items()}
        merged = dict.fromkeys(start, 0.0)
        for entry in self.plan.stage["models"]:
            weights = start if entry["model"] == START else self._load(entry["model"], start)
            for key in merged:
                merged[key] = merged[key] + entry["weight"] * weights[key]
        with torch.no_grad():
            for key, value in self.model.state_dict().items():
                value.copy_(merged[key].to(value.dtype))

    def _load(self, folder: str, like: dict) -> dict:
        from transformers import AutoModelForCausalLM

        other = AutoModelForCausalLM.from_pretrained(folder, dtype="float32").state_dict()
        mismatched = [k for k in like if k not in other or other[k].shape != like[k].shape]
        if mismatched:
            raise UserError(f"{self.plan.where}: {folder} does not match the starting model's weights "
                            f"({len(mismatched)} differ, e.g. {mismatched[0]}); merge models of one architecture.")
        return other


def build(plan: StagePlan):
    if plan.peft_config is not None:
        raise UserError(f"{plan.where}: a merge combines whole models; LoRA applies to training stages.")
    return Merge(plan)


KIND = StageKind("merge", MergeStageSchema, TrainingArguments, check, build, needs_data=False)
