"""What vision-language models need beyond a text model: finding the vision tower, loading, image sizes."""

from r1kit.errors import UserError

VISION_TOWERS = ("visual", "vision_tower", "vision_model")  # Qwen2/2.5-VL, LLaVA-style, Idefics/SmolVLM
PLACEHOLDERS = ("image_token_id", "video_token_id")  # config ids the processor expands into vision features


def vision_tower(model):
    """The image encoder (with its projector, where the model keeps them together), or None for a text model."""
    inner = getattr(model, "model", model)
    for owner in (model, inner):
        for name in VISION_TOWERS:
            if hasattr(owner, name):
                return getattr(owner, name)
    return None


def placeholder_ids(model) -> list[int]:
    """The vision placeholder token ids of a vision-language model (none for a text model): a sampled one
    would be read as a slot for image features that do not exist, so generation must never produce them."""
    config = getattr(model, "config", None)
    return sorted({getattr(config, name) for name in PLACEHOLDERS if getattr(config, name, None) is not None})


def is_vision_language(source: str, cfg) -> bool:
    """True when the checkpoint's config describes an image-text-to-text model."""
    from transformers import AutoConfig

    try:
        config = AutoConfig.from_pretrained(source, revision=cfg["revision"], trust_remote_code=cfg["trust_remote_code"])
    except (OSError, ValueError):
        return False  # the causal-LM loader reports what is wrong with the source
    return getattr(config, "vision_config", None) is not None


def load_vision_language(source: str, cfg, dtype, trusted: bool):
    """AutoModelForImageTextToText and AutoProcessor (the processor's tokenizer does the text).

    `trusted` is False for weights an earlier stage saved: the configured revision and
    remote-code options belong to the configured source, not to that folder.
    """
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from r1kit.models.compat import allow_processors_without_torchvision

    allow_processors_without_torchvision()
    options = {"revision": cfg["revision"], "trust_remote_code": cfg["trust_remote_code"]} if trusted else {}
    try:
        model = AutoModelForImageTextToText.from_pretrained(
            source, dtype=dtype, attn_implementation=cfg["attn_implementation"] if trusted else None, **options)
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
