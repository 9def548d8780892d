"""Load a model and its processing class from a hub id, a local directory, a GGUF file, or a builder.

Defaults: fp32 on CPU, bf16 on GPU. A GGUF file is dequantized on load and rebuilt as
a plain model so it can be trained and saved like any other.
"""

import logging
import os
import re
import warnings
from pathlib import Path

from r1kit.components import import_target, resolve
from r1kit.errors import UserError
from r1kit.models.chat_template import TEMPLATES, has_generation_markers, prefills_think

log = logging.getLogger(__name__)

BUILDERS = {"tiny": "r1kit.models.tiny.build_tiny", "tiny_vl": "r1kit.models.tiny_vl.build_tiny_vl"}


def resolve_dtype(name: str):
    """Map a dtype name to torch; `auto` means bf16 on a CUDA GPU that supports it, else fp32."""
    import torch

    if name == "auto":
        if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    return {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16,
            "bf16": torch.bfloat16, "float16": torch.float16, "fp16": torch.float16}[name]


def load_model(cfg, path_override: str | None = None):
    """Return (model, processing_class) for a validated `model` config.

    `path_override` loads weights saved by an earlier stage instead of the configured source.
    A vision-language model comes back with its processor (which holds the tokenizer).
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = resolve_dtype(cfg.dtype)
    source = path_override or (None if cfg.build or cfg.gguf_file else cfg.path)
    if source and is_vision_language(source, cfg):
        model, tokenizer = _load_vision_language(source, cfg, dtype, trusted=not path_override)
    elif path_override:
        model = AutoModelForCausalLM.from_pretrained(path_override, dtype=dtype)
        tokenizer = AutoTokenizer.from_pretrained(path_override)
    elif cfg.build:
        builder, kwargs = resolve(_builder_spec(cfg.build), {k: import_target(v) for k, v in BUILDERS.items()},
                                  "model builder")
        model, tokenizer = builder(**kwargs)
        model = model.to(dtype)
    elif cfg.gguf_file:
        model, tokenizer = _load_gguf(cfg, dtype)
    else:
        try:
            model = AutoModelForCausalLM.from_pretrained(
                cfg.path, dtype=dtype, revision=cfg.revision, trust_remote_code=cfg.trust_remote_code,
                attn_implementation=cfg.attn_implementation,
            )
            tokenizer = AutoTokenizer.from_pretrained(cfg.path, revision=cfg.revision,
                                                      trust_remote_code=cfg.trust_remote_code)
        except OSError as err:
            raise UserError(f"model.path={cfg.path!r} could not be loaded: {err}") from err
    tokenizer = _prepare_tokenizer(cfg, tokenizer, model)
    tower = vision_tower(model)
    if tower is not None:
        set_pixel_bounds(tokenizer, cfg.min_pixels, cfg.max_pixels)
        if cfg.freeze_vision:
            tower.requires_grad_(False)
    elif cfg.freeze_vision or cfg.min_pixels or cfg.max_pixels:
        log.warning("model.freeze_vision/min_pixels/max_pixels are ignored: this is a text-only model.")
    if cfg.lora.enabled and not path_override:
        model = _apply_lora(cfg.lora, model)
    return model, tokenizer


VISION_TOWERS = ("visual", "vision_tower", "vision_model")  # Qwen2/2.5-VL, LLaVA-style, Idefics/SmolVLM


def vision_tower(model):
    """The image encoder (with its projector, where the model keeps them together), or None for a text model."""
    inner = getattr(model, "model", model)
    for owner in (model, inner):
        for name in VISION_TOWERS:
            if hasattr(owner, name):
                return getattr(owner, name)
    return None


def is_vision_language(source: str, cfg) -> bool:
    """True when the checkpoint's config describes an image-text-to-text model."""
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(source, revision=cfg.revision, trust_remote_code=cfg.trust_remote_code)
    except (OSError, ValueError):
        return False  # the causal-LM loader reports what is wrong with the source
    return getattr(config, "vision_config", None) is not None


def _load_vision_language(source: str, cfg, dtype, trusted: bool):
    """AutoModelForImageTextToText and AutoProcessor (the processor's tokenizer does the text)."""
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from r1kit.models.compat import allow_processors_without_torchvision

    allow_processors_without_torchvision()
    options = {"revision": cfg.revision, "trust_remote_code": cfg.trust_remote_code} if trusted else {}
    try:
        model = AutoModelForImageTextToText.from_pretrained(
            source, dtype=dtype, attn_implementation=cfg.attn_implementation if trusted else None, **options)
        processor = AutoProcessor.from_pretrained(source, **options)
    except (OSError, ValueError) as err:
        raise UserError(f"model {source!r} could not be loaded as a vision-language model: {err}") from err
    return model, processor


def set_pixel_bounds(processor, min_pixels: int | None, max_pixels: int | None):
    """Resize every image into [min_pixels, max_pixels] (Qwen-VL's processor convention)."""
    image_processor = getattr(processor, "image_processor", None)
    if image_processor is None or not (min_pixels or max_pixels):
        return
    size = dict(image_processor.size)
    if min_pixels:
        size["shortest_edge"] = min_pixels
    if max_pixels:
        size["longest_edge"] = max_pixels
    if size.get("shortest_edge", 0) > size.get("longest_edge", float("inf")):
        raise UserError(f"model.min_pixels ({size['shortest_edge']}) is larger than model.max_pixels "
                        f"({size['longest_edge']}).")
    image_processor.size = size


def _builder_spec(build):
    from omegaconf import OmegaConf

    return OmegaConf.to_container(build, resolve=True) if not isinstance(build, (str, dict)) else build


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
    gguf = Path(cfg.gguf_file)
    if cfg.path and not gguf.is_absolute():
        gguf = Path(cfg.path) / gguf
    if not gguf.is_file():
        raise UserError(f"model.gguf_file: {gguf} does not exist. Give the path of a .gguf file.")
    return str(gguf.parent), gguf.name


def _prepare_tokenizer(cfg, processing_class, model):
    """Apply the configured chat template, set padding, and warn about `<think>` prefills.

    A processor gets the template on itself and on its tokenizer, which TRL and r1kit both read.
    """
    tokenizer = getattr(processing_class, "tokenizer", processing_class)
    if cfg.chat_template:
        tokenizer.chat_template = TEMPLATES.get(cfg.chat_template, cfg.chat_template)
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


def _apply_lora(lora, model):
    """LoRA on the language model's linear layers; a vision tower is never adapted."""
    from peft import LoraConfig, get_peft_model

    vision = vision_tower(model)
    exclude = None
    if vision is not None:
        prefix = next(name for name, module in model.named_modules() if module is vision)
        exclude = rf"^{re.escape(prefix)}\..*|.*lm_head$"
    config = LoraConfig(
        r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout,
        target_modules=list(lora.target_modules) if lora.target_modules else "all-linear",
        exclude_modules=exclude, task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)
