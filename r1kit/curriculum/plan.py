"""One StagePlan per stage: everything a stage kind needs, decided from the recipe in one place.

The recipe-wide settings (dtype, seed, launcher, logger) become TRL arguments here, so a
stage kind reads its plan and nothing else.
"""

import os
from pathlib import Path

from r1kit.errors import UserError
from r1kit.stages import STAGE_KINDS
from r1kit.stages.plan import StagePlan


def plan_stage(name: str, stage: dict, recipe: dict, data: dict, stage_dir: Path, run_path: Path,
               init: str | None, callbacks=()) -> StagePlan:
    """Load the stage's starting weights and rows, and build its TRL arguments."""
    from r1kit.config.validate import split_stage
    from r1kit.models.load import load_model
    from r1kit.models.lora import lora_config

    kind = STAGE_KINDS.get(stage["kind"])
    own, options = split_stage(stage)
    model, processing_class = load_model(recipe["model"], path_override=init, apply_lora=False)
    # LoRA from the base weights only: a later stage starts from a merged final and trains it whole, as before
    peft_config = None if init else lora_config(recipe["model"], model)
    return StagePlan(
        name=name, stage={**own, "name": name}, args=trainer_args(kind.config_class, name, options, recipe, stage_dir),
        model=model, processing_class=processing_class, train_dataset=stage_data(own["data"], data),
        output_dir=stage_dir, metrics_file=run_path / "metrics.jsonl", init=init, peft_config=peft_config,
        callbacks=list(callbacks))


def trainer_args(config_class, name: str, options: dict, recipe: dict, output_dir):
    """trl.SFTConfig / GRPOConfig: the stage's options plus what r1kit manages (run dir, logging, precision, seed)."""
    import torch

    from r1kit.models.load import resolve_dtype

    options = dict(options)
    dtype = resolve_dtype(recipe["model"]["dtype"])
    options.setdefault("bf16", dtype == torch.bfloat16)
    options.setdefault("fp16", dtype == torch.float16)
    options.setdefault("seed", recipe["seed"])
    if not torch.cuda.is_available():
        if os.environ.get("ACCELERATE_USE_DEEPSPEED", "").lower() == "true":
            # DeepSpeed on CPU: use_cpu would switch DeepSpeed off, and accelerate names no backend without CUDA
            options.setdefault("ddp_backend", "gloo")
        else:
            options.setdefault("use_cpu", True)
    _launcher_options(options, recipe["launcher"], config_class)
    backend = recipe["logger"]["backend"]
    return config_class(
        output_dir=str(output_dir),
        report_to=[] if backend == "none" else [backend],
        run_name=f"{recipe['name']}/{name}",
        disable_tqdm=True,
        **options,
    )


def _launcher_options(options: dict, launcher: dict, config_class):
    """What the launcher sets for every stage: activation checkpointing, mixed precision, vLLM generation."""
    if launcher["gradient_checkpointing"] is not None:
        options["activation_checkpointing"] = launcher["gradient_checkpointing"]
    if launcher["mixed_precision"] is not None:
        options.update(bf16=launcher["mixed_precision"] == "bf16", fp16=launcher["mixed_precision"] == "fp16")
    mode = launcher["vllm_mode"]
    if mode and "use_vllm" in config_class.__dataclass_fields__:
        options.update(use_vllm=True, vllm_mode=mode)
        if mode == "server":
            options.update(vllm_server_host=launcher["vllm_host"] or "127.0.0.1", vllm_server_port=launcher["vllm_port"])


def configure_logger(logger: dict, run_path: Path):
    """Where wandb and tensorboard write: the user's environment wins; wandb is offline unless told otherwise."""
    if logger["backend"] == "wandb":
        for var, value in (("WANDB_MODE", logger["mode"]), ("WANDB_PROJECT", logger["project"]),
                           ("WANDB_DIR", str(run_path))):
            os.environ[var] = os.environ.get(var) or value
    if logger["backend"] == "tensorboard":
        os.environ["TENSORBOARD_LOGGING_DIR"] = str(run_path / "tensorboard")


def stage_data(names, data: dict):
    """A stage's training rows: one dataset, or several mixed, each row's `domain` its dataset's name.

    datasets' own concatenate_datasets: TRL's mixture utilities load from the hub by name,
    and r1kit's rows are already built in memory.
    """
    if names is None:  # a kind that reads no rows (merge)
        return None
    if not isinstance(names, list):
        return _rows(names, data)
    import datasets

    parts = []
    for name in names:
        ds = _rows(name, data)
        if "domain" in ds.column_names:
            ds = ds.remove_columns("domain")
        parts.append(ds.add_column("domain", [name] * len(ds)))
    try:
        return datasets.concatenate_datasets(parts)
    except ValueError as err:  # columns of different types
        raise UserError(f"stage data {names}: these datasets cannot be mixed ({err}).") from err


def _rows(name: str, data: dict):
    """A dataset of the recipe, or (a `stage:<name>` already replaced by its folder) one a generate stage wrote."""
    if name in data:
        return data[name][0]
    from r1kit.data.generated import load_generated

    return load_generated(name, f"data {name}")


def build_datasets(recipe: dict) -> dict:
    """Example rows and adapter for every dataset a stage or the eval uses (errors surface here)."""
    from r1kit.config.validate import STAGE_REF
    from r1kit.data.load import build_examples

    used = {d for s in recipe["stages"].values() if s["data"] is not None
            for d in (s["data"] if isinstance(s["data"], list) else [s["data"]])
            if not d.startswith(STAGE_REF)}  # a generate stage's dataset is made during the run
    if recipe["eval"]["data"]:
        used.add(recipe["eval"]["data"])
    return {name: build_examples(recipe["datasets"][name], f"datasets.{name}") for name in sorted(used)}
