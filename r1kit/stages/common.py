"""What every stage kind shares: r1kit's own stage keys, the TRL-option checks, callbacks, image checks."""

import dataclasses
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from omegaconf import MISSING

from r1kit.checks import check_value, did_you_mean
from r1kit.errors import UserError
from r1kit.stages.callbacks import MetricsJsonl, RichProgress

# TRL options r1kit sets itself: the run directory, logging and the seed come from the recipe.
MANAGED = {"output_dir", "report_to", "run_name", "resume_from_checkpoint", "disable_tqdm"}

# Bounds of the common TRL numeric options, checked like the `metadata` bounds of r1kit's own schemas
# (num_generations is the grpo kind's: its check explains the groups).
TRAINER_BOUNDS = {
    "per_device_train_batch_size": {"ge": 1},
    "per_device_eval_batch_size": {"ge": 1},
    "gradient_accumulation_steps": {"ge": 1},
    "learning_rate": {"ge": 0},
    "weight_decay": {"ge": 0},
    "max_grad_norm": {"ge": 0},
    "warmup_ratio": {"ge": 0, "le": 1},
    "warmup_steps": {"ge": 0},
    "max_length": {"ge": 1},
    "max_prompt_length": {"ge": 1},
    "max_completion_length": {"ge": 1},
    "temperature": {"gt": 0},
    "top_p": {"gt": 0, "le": 1},
    "max_steps": {"ge": -1, "ne": 0},
    "num_train_epochs": {"gt": 0},
    "save_steps": {"gt": 0},
    "logging_steps": {"gt": 0},
    "eval_steps": {"gt": 0},
    "save_total_limit": {"ge": 1},
    "beta": {"ge": 0},
    "num_iterations": {"ge": 1},
    "steps_per_generation": {"ge": 1},
}


@dataclass
class StageSchema:
    """r1kit's keys of every stage; a kind adds its own, and every other key is a TRL trainer option."""

    kind: str = MISSING  # sft | grpo
    data: Any = MISSING  # a key of `datasets`, or a list of keys (rows are mixed; each row's domain is its key)
    init_from: str = "previous"  # previous | base | <stage name> | <path to a model>
    evaluate: bool | None = None  # None: follow eval.after_each_stage


@cache
def trainer_fields(config_class) -> dict:
    return {f.name: f for f in dataclasses.fields(config_class) if f.init}


def check_trainer_options(where: str, kind: str, config_class, own_keys, options: dict):
    """Every TRL option of a stage exists in the kind's TRL config and has a fitting type."""
    fields = trainer_fields(config_class)
    for key, value in options.items():
        if key in MANAGED:
            raise UserError(f"{where}.{key} is set by r1kit (run directory and logger); remove it from the stage.")
        if key not in fields:
            hint = did_you_mean(key, list(fields) + list(own_keys))
            raise UserError(f"{where}.{key}: unknown key for a {kind} stage.{hint} A stage takes r1kit's keys "
                            f"({', '.join(sorted(own_keys))}) and the options of trl.{config_class.__name__}.")
        expected = _type_mismatch(fields[key].type, value)
        if expected:
            raise UserError(f"{where}.{key}={value!r}: expected {expected}.")
        check_value(f"{where}.{key}", value, TRAINER_BOUNDS.get(key, {}))
    if "lr_scheduler_type" in options:
        _check_scheduler(f"{where}.lr_scheduler_type", options["lr_scheduler_type"])


def _check_scheduler(key: str, value):
    """A scheduler name transformers knows, the choices listed (transformers would raise a bare ValueError)."""
    from transformers import SchedulerType

    choices = [s.value for s in SchedulerType]
    if value not in choices:
        raise UserError(f"{key}={value!r}: unknown scheduler.{did_you_mean(value, choices)} "
                        f"Choose one of {', '.join(choices)}.")


def _type_mismatch(annotation, value) -> str | None:
    """Name the expected type when `value` clearly does not fit a simple annotation, else None."""
    simple = {int: "an integer", float: "a number", bool: "true or false", str: "a string",
              list: "a list", dict: "a mapping", type(None): "null"}
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) or \
        typing.get_origin(annotation) is typing.Union else (annotation,)
    kinds = [typing.get_origin(a) or a for a in args]
    if any(k not in simple for k in kinds):
        return None  # enums and other rich types are left to TRL
    for k in kinds:
        if k is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return None
        if k is int and isinstance(value, int) and not isinstance(value, bool):
            return None
        if k not in (int, float) and isinstance(value, k):
            return None
    return " or ".join(simple[k] for k in kinds)


def check_images(plan):
    """Images need a processor that reads them: fail before training, not inside TRL's collator."""
    if "images" in plan.train_dataset.column_names and not hasattr(plan.processing_class, "image_processor"):
        raise UserError(f"{plan.where}: dataset {plan.stage['data']!r} has images but the model is text-only; "
                        "use a vision-language model (model=tiny_vl, model=qwen2_5_vl_3b_instruct, ...).")


def install_callbacks(trainer, plan, own=()):
    """The plan's callbacks, then the kind's `own`, ahead of TRL's; metrics.jsonl and a progress bar last."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    first = [make(trainer) for make in plan.callbacks] + list(own)
    trainer.callback_handler.callbacks[:0] = first
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(MetricsJsonl(plan.metrics_file, plan.name))
    trainer.add_callback(RichProgress(plan.name))


def give_reference_a_folder(plan):
    """TRL loads a KL or DPO reference model from the policy's folder; a model built in code has none, so give it
    one (the stage's starting weights, saved under the stage's folder)."""
    if plan.peft_config is None and not plan.model.config._name_or_path:
        reference = plan.output_dir / "reference"
        plan.model.save_pretrained(reference)
        plan.model.config._name_or_path = str(reference)
