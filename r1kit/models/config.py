"""The recipe's `model` section: its schema and the checks that run before any weights load."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from r1kit.checks import above, at_least, looks_local
from r1kit.errors import UserError
from r1kit.models.load import BUILDERS

DTYPES = {"auto", "float32", "fp32", "bfloat16", "bf16", "float16", "fp16"}


@dataclass
class LoraSchema:
    """LoRA adapters through peft; off by default."""

    enabled: bool = False
    r: int = field(default=16, metadata=above(0))
    alpha: int = field(default=32, metadata=above(0))
    dropout: float = field(default=0.05, metadata=at_least(0, lt=1))
    target_modules: Any = None  # None means every linear layer
    use_dora: bool = False  # DoRA (weight-decomposed LoRA, peft's use_dora): ReCode's adapters


@dataclass
class ModelSchema:
    """Where the weights come from: exactly one of `path` (hub id or local dir), `gguf_file`, or `build`."""

    path: str | None = None
    gguf_file: str | None = None
    build: Any = None  # a builder name ("tiny") or {name|_target_, **kwargs}
    revision: str | None = None
    dtype: str = "auto"  # auto: bf16 on a GPU, fp32 on CPU
    chat_template: str | None = None  # "chatml", a Jinja string, or None for the model's own
    trust_remote_code: bool = False
    attn_implementation: str | None = None
    lora: LoraSchema = field(default_factory=LoraSchema)
    # Vision-language models (ignored for text-only models):
    min_pixels: int | None = None  # the processor's resize bounds; None keeps the model's own
    max_pixels: int | None = None
    freeze_vision: bool = False  # keep the vision tower (and its merger) fixed; LoRA never touches it


def check_model(model: dict):
    """UserError for the first mistake in a typed `model` section: its source, builder, dtype, or a missing file."""
    sources = [k for k in ("path", "gguf_file", "build") if model.get(k)]
    if not sources:
        raise UserError("model: say where the weights come from: `model.path` (hub id or folder), "
                        "`model.gguf_file`, or `model.build` (e.g. `model=tiny`).")
    if model.get("build") and len(sources) > 1:
        raise UserError(f"model: `build` cannot be combined with {', '.join(s for s in sources if s != 'build')}; "
                        "keep one source.")
    if model.get("build"):
        BUILDERS.resolve(model["build"], "model.build")  # imported now: a typo fails before any build
    if model["dtype"] not in DTYPES:
        raise UserError(f"model.dtype={model['dtype']!r}: choose one of {', '.join(sorted(DTYPES))}.")
    if model.get("gguf_file"):
        gguf = Path(model["gguf_file"]).expanduser()
        if model.get("path") and not gguf.is_absolute():
            gguf = Path(model["path"]) / gguf
        if not gguf.is_file():
            raise UserError(f"model.gguf_file: {gguf} does not exist. Give the path of a .gguf file.")
    elif model.get("path"):
        _check_model_folder(model["path"])


def _check_model_folder(path: str):
    """A local `model.path` must be a folder with a config.json (transformers reads nothing else first)."""
    folder = Path(path).expanduser()
    if looks_local(path) and not folder.exists():
        raise UserError(f"model.path: {path} does not exist. Give a model folder or a hub id.")
    if folder.is_file():
        raise UserError(f"model.path: {path} is a file. Give a model folder (with config.json), a hub id, "
                        "or a .gguf file as model.gguf_file.")
    if folder.is_dir() and not (folder / "config.json").is_file() and not (folder / "adapter_config.json").is_file():
        raise UserError(f"model.path: {path} has no config.json, so it is not a saved model. Give the folder that "
                        "save_pretrained wrote (a run's stages/<n>-<name>/final), or a hub id.")

