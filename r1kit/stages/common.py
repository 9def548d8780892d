"""What every stage shares: TRL arguments from a stage config, logging set-up, the callbacks."""

import os

from r1kit.errors import UserError
from r1kit.stages.callbacks import MetricsJsonl, RichProgress


def trainer_args(config_cls, stage: dict, recipe: dict, output_dir, run_dir):
    """Build trl.SFTConfig / GRPOConfig: the stage's options plus what r1kit manages."""
    import torch

    from r1kit.config.validate import trainer_options
    from r1kit.models.load import resolve_dtype

    options = trainer_options(stage)
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
    _launcher_options(options, recipe["launcher"], config_cls)
    backend = recipe["logger"]["backend"]
    if backend == "wandb":  # the user's environment wins; offline unless told otherwise
        for var, value in (("WANDB_MODE", recipe["logger"]["mode"]), ("WANDB_PROJECT", recipe["logger"]["project"]),
                           ("WANDB_DIR", str(run_dir))):
            os.environ[var] = os.environ.get(var) or value
    if backend == "tensorboard":
        os.environ["TENSORBOARD_LOGGING_DIR"] = str(run_dir / "tensorboard")
    return config_cls(
        output_dir=str(output_dir),
        report_to=[] if backend == "none" else [backend],
        run_name=f"{recipe['name']}/{stage['name']}",
        disable_tqdm=True,
        **options,
    )


def _launcher_options(options: dict, launcher: dict, config_cls):
    """What the launcher sets for every stage: activation checkpointing, mixed precision, vLLM generation."""
    if launcher["gradient_checkpointing"] is not None:
        options["activation_checkpointing"] = launcher["gradient_checkpointing"]
    if launcher["mixed_precision"] is not None:
        options.update(bf16=launcher["mixed_precision"] == "bf16", fp16=launcher["mixed_precision"] == "fp16")
    mode = launcher["vllm_mode"]
    if mode and "use_vllm" in config_cls.__dataclass_fields__:
        options.update(use_vllm=True, vllm_mode=mode)
        if mode == "server":
            options.update(vllm_server_host=launcher["vllm_host"] or "127.0.0.1", vllm_server_port=launcher["vllm_port"])


def check_images(stage: dict, train_ds, processing_class):
    """Images need a processor that reads them: fail before training, not inside TRL's collator."""
    if "images" in train_ds.column_names and not hasattr(processing_class, "image_processor"):
        raise UserError(f"stages.{stage['name']}: dataset {stage['data']!r} has images but the model is text-only; "
                        "use a vision-language model (model=tiny_vl, model=qwen2_5_vl_3b_instruct, ...).")


def attach_callbacks(trainer, stage_name: str, metrics_file):
    """Swap the default console printer for a rich progress bar and log to metrics.jsonl."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(MetricsJsonl(metrics_file, stage_name))
    trainer.add_callback(RichProgress(stage_name))
