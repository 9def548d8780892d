"""Load a model and its processing class from a hub id, a local directory, a GGUF file, or a builder.

Defaults: fp32 on CPU, bf16 on GPU. A GGUF file is dequantized on load and rebuilt as
a plain model so it can be trained and saved like any other.
"""

import logging
import os
import warnings
from pathlib import Path

from r1kit.components import Registry
from r1kit.errors import UserError
from r1kit.models.chat_template import TEMPLATES, has_generation_markers, prefills_think
from r1kit.models.lora import lora_config
from r1kit.models.vision import is_vision_language, load_vision_language, set_pixel_bounds, vision_tower

log = logging.getLogger(__name__)

# Transitional: config/validate.py still reads these dotted paths; drop the dict once it calls models.config.check_model.
BUILDERS = Registry("model builder", {"tiny": "r1kit.models.tiny.build_tiny", "tiny_vl": "r1kit.models.tiny_vl.build_tiny_vl"})


def resolve_dtype(name: str):
    """Map a dtype name to torch; `auto` means bf16 on a CUDA GPU that supports it, else fp32."""
    import torch

    if name == "auto":
        if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    return {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16,
            "bf16": torch.bfloat16, "float16": torch.float16, "fp16": torch.float16}[name]


def load_model(cfg, path_override: str | None = None, apply_lora: bool = True):
    """Return (model, processing_class) for the validated `model` section (a dict; a DictConfig also works).

    `path_override` loads weights saved by an earlier stage instead of the configured source.
    A vision-language model comes back with its processor (which holds the tokenizer).
    With `model.lora.enabled` the model starting from the configured source comes back wrapped
    in peft's LoRA; `apply_lora=False` leaves that to the trainer (`peft_config=lora_config(cfg, model)`).
    """
    from omegaconf import DictConfig, OmegaConf
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if isinstance(cfg, DictConfig):
        cfg = OmegaConf.to_container(cfg, resolve=True)
    dtype = resolve_dtype(cfg["dtype"])
    source = path_override or (None if cfg["build"] or cfg["gguf_file"] else cfg["path"])
    if source and is_vision_language(source, cfg):
        model, tokenizer = load_vision_language(source, cfg, dtype, trusted=not path_override)
    elif path_override:
        model = AutoModelForCausalLM.from_pretrained(path_override, dtype=dtype)
        tokenizer = AutoTokenizer.from_pretrained(path_override)
    elif cfg["build"]:
        builder, kwargs = BUILDERS.resolve(cfg["build"], "model.build")
        model, tokenizer = builder(**kwargs)
        model = model.to(dtype)
    elif cfg["gguf_file"]:
        model, tokenizer = _load_gguf(cfg, dtype)
    else:
        options = {"revision": cfg["revision"], "trust_remote_code": cfg["trust_remote_code"]}
        try:
            model = AutoModelForCausalLM.from_pretrained(
                cfg["path"], dtype=dtype, attn_implementation=cfg["attn_implementation"], **options)
            tokenizer = AutoTokenizer.from_pretrained(cfg["path"], **options)
        except OSError as err:
            raise UserError(f"model.path={cfg['path']!r} could not be loaded: {err}") from err
    tokenizer = _prepare_tokenizer(cfg, tokenizer, model)
    tower = vision_tower(model)
    if tower is not None:
        set_pixel_bounds(tokenizer, cfg["min_pixels"], cfg["max_pixels"])
        if cfg["freeze_vision"]:
            tower.requires_grad_(False)
    elif cfg["freeze_vision"] or cfg["min_pixels"] or cfg["max_pixels"]:
        log.warning("model.freeze_vision/min_pixels/max_pixels are ignored: this is a text-only model.")
    if apply_lora and cfg["lora"]["enabled"] and not path_override:
        from peft import get_peft_model

        model = get_peft_model(model, lora_config(cfg, model))
    return model, tokenizer


def _load_gguf(cfg, dtype):
    """Dequantize a GGUF checkpoint into a plain, trainable, saveable model.

    Dequantizing takes tens of seconds, so the result is cached as an HF folder under
    $R1KIT_CACHE (default ~/.cache/r1kit) and later loads read that instead.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = _split_gguf(cfg)
    source = Path(folder) / name
    stat = source.stat()
    cache_root = Path(os.environ.get("R1KIT_CACHE") or Path.home() / ".cache" / "r1kit").expanduser()
    cached = cache_root / "gguf" / f"{source.stem}-{stat.st_size}-{int(stat.st_mtime)}"
    if (cached / "config.json").exists():
        return AutoModelForCausalLM.from_pretrained(cached, dtype=dtype), AutoTokenizer.from_pretrained(cached)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=dtype)
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # save_pretrained refuses a model that still claims to be GGUF
    model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    try:
        tmp = cached.with_name(cached.name + ".tmp")
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        os.replace(tmp, cached)
    except OSError as err:  # a read-only home is no reason to fail the run
        log.warning("could not cache the dequantized GGUF model in %s: %s", cached, err)
    return model, tokenizer


def _split_gguf(cfg) -> tuple[str, str]:
    gguf = Path(cfg["gguf_file"])
    if cfg["path"] and not gguf.is_absolute():
        gguf = Path(cfg["path"]) / gguf
    if not gguf.is_file():
        raise UserError(f"model.gguf_file: {gguf} does not exist. Give the path of a .gguf file.")
    return str(gguf.parent), gguf.name


def _prepare_tokenizer(cfg, processing_class, model):
    """Apply the configured chat template, set padding, and warn about `<think>` prefills.

    A processor gets the template on itself and on its tokenizer, which TRL and r1kit both read.
    """
    tokenizer = getattr(processing_class, "tokenizer", processing_class)
    if cfg["chat_template"]:
        tokenizer.chat_template = TEMPLATES.get(cfg["chat_template"], cfg["chat_template"])
        processing_class.chat_template = tokenizer.chat_template
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    template = processing_class.chat_template
    if isinstance(template, str) and prefills_think(template):
        log.warning(
            "The chat template prefills `<think>` in the generation prompt: completions will not contain it and "
            "strict format rewards will score 0. Set model.chat_template=chatml or give your own template."
        )
    if isinstance(template, str) and not has_generation_markers(template):
        log.info("The chat template has no {%% generation %%} markers; TRL patches known templates for "
                 "assistant-only loss, or set model.chat_template=chatml.")
    if model.generation_config is not None and tokenizer.eos_token_id is not None:
        model.generation_config.pad_token_id = tokenizer.pad_token_id
    return processing_class
