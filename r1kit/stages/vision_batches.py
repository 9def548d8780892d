"""Vision-language batches that TRL 1.16 gets wrong, each found by tests/integration/test_vl_correctness.py.

- TRL keeps the model from sampling the image placeholder token but not the video one: a sampled
  `<|video_pad|>` then sits in the completion, scored as text, and would break a row with a video.
  Both placeholders are suppressed.
- Batches that mix rows with images and rows without (LMM-R1-style mixed data, a text question among
  scenes) fail in two places, both after the rollout:
  - it marks a row without images as None in the batch's image lists and hands those lists to the
    processor, which refuses None ("only a single or a list of entries is supported");
  - it scores log-probs in chunks of `per_device_train_batch_size` rows and passes each chunk its slice
    of the image tensors; a chunk whose rows all lack images gets empty ones, and the vision tower fails
    on them ("torch.cat(): expected a non-empty list of Tensors").
  The first wants an empty list instead of None; the second, such a chunk scored as text.
- Under ZeRO-3 a rank whose batch (SFT) or chunk (GRPO) has no image skips the vision tower while
  another rank runs it, and their weight gathers stop matching: the run hangs. Such a rank runs the
  tower on a blank image whose output is multiplied by 0 (`idle_vision`).
"""

from contextlib import contextmanager, nullcontext

import torch

from r1kit.models.vision import placeholder_ids

PER_ROW = ("token_type_ids", "mm_token_type_ids")  # tensors with one entry per row, not per image


class VisionRollouts:
    """Mixin for GRPOTrainer: placeholders are never sampled; batches may mix rows with and without images
    (Qwen-VL-style image_grid_thw)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        suppressed = placeholder_ids(self.model)
        kept = getattr(self, "generation_kwargs", None)
        if suppressed and isinstance(kept, dict) and "suppress_tokens" in kept:  # TRL's transformers rollout
            kept["suppress_tokens"] = sorted(set(kept["suppress_tokens"] or []) | set(suppressed))
            self.generation_config.suppress_tokens = kept["suppress_tokens"]

    def _generate(self, prompts):
        result = list(super()._generate(prompts))
        images = result[6]  # (prompt_ids, completion_ids, tool_mask, completions, logprobs, extra, images, tool_images)
        if images is not None and any(row is None for row in images):
            result[6] = [row if row is not None else [] for row in images]
        return tuple(result)

    def _get_per_token_logps_and_entropies(self, model, input_ids, attention_mask, logits_to_keep, batch_size=None,
                                           **kwargs):
        counts, grid, pixels = kwargs.get("num_images"), kwargs.get("image_grid_thw"), kwargs.get("pixel_values")
        mixed = counts is not None and grid is not None and pixels is not None and not all(counts)
        if not mixed and not (pixels is None and vision_is_sharded(self)):
            return super()._get_per_token_logps_and_entropies(model, input_ids, attention_mask, logits_to_keep,
                                                              batch_size=batch_size, **kwargs)
        size = batch_size or input_ids.size(0)
        rows = input_ids.size(0)
        first_image = [0, *torch.tensor(counts).cumsum(0).tolist()] if mixed else [0] * (rows + 1)
        first_patch = [0, *grid.prod(dim=-1).cumsum(0).tolist()] if mixed else [0]
        logps, entropies, aux = [], [], []
        for start in range(0, rows, size):
            end = min(start + size, rows)
            images = slice(first_image[start], first_image[end])
            chunk = {key: value[start:end] if key in PER_ROW and torch.is_tensor(value) else value
                     for key, value in kwargs.items()}
            if images.start == images.stop:  # only text rows: no image tensors at all
                chunk.update(pixel_values=None, image_grid_thw=None, num_images=None)
            else:
                chunk.update(pixel_values=pixels[first_patch[images.start]:first_patch[images.stop]],
                             image_grid_thw=grid[images], num_images=counts[start:end])
            idle = chunk["pixel_values"] is None and vision_is_sharded(self)
            with idle_vision(model, self.processing_class) if idle else nullcontext():
                out = super()._get_per_token_logps_and_entropies(model, input_ids[start:end],
                                                                 attention_mask[start:end], logits_to_keep,
                                                                 batch_size=size, **chunk)
            logps.append(out[0])
            entropies.append(out[1])
            aux.append(out[2])
        return (torch.cat(logps), None if entropies[0] is None else torch.cat(entropies),
                None if aux[0] is None else torch.stack(aux).mean())


class TextBatchesUnderZero3:
    """Mixin for SFTTrainer: under ZeRO-3, a batch of text rows runs the vision tower idle (see idle_vision)."""

    def compute_loss(self, model, inputs, *args, **kwargs):
        if inputs.get("pixel_values") is None and vision_is_sharded(self):
            with idle_vision(model, self.processing_class):
                return super().compute_loss(model, inputs, *args, **kwargs)
        return super().compute_loss(model, inputs, *args, **kwargs)


def vision_is_sharded(trainer) -> bool:
    """ZeRO-3 gathers each module's weights collectively as it runs: every rank must run the vision tower."""
    plugin = getattr(trainer.accelerator.state, "deepspeed_plugin", None)
    return (plugin is not None and plugin.zero_stage == 3 and bool(placeholder_ids(trainer.model))
            and hasattr(trainer.processing_class, "image_processor"))


@contextmanager
def idle_vision(model, processor):
    """Under ZeRO-3 each module's weights are gathered collectively as it runs, so a rank whose rows have no
    image must still run the vision tower, at the point a rank with images does: right after the token
    embedding. A hook on the embedding encodes a blank image there and adds 0 x its features (so the
    tower's backward runs too, with zero gradients); the scores are unchanged."""
    from PIL import Image

    inner = getattr(model, "module", model)  # the DeepSpeed engine's model (a PEFT model forwards the call)
    encode = getattr(inner, "get_image_features", None)
    blank = processor.image_processor(images=[Image.new("RGB", (28, 28))], return_tensors="pt")
    if encode is None or "image_grid_thw" not in blank:  # only the Qwen-VL families' call is known here
        yield
        return

    def encode_blank(module, args, output):
        features = encode(blank["pixel_values"].to(output.device, output.dtype), blank["image_grid_thw"].to(output.device))
        features = getattr(features, "pooler_output", features)  # a model output, or the tensors themselves
        first = features[0] if isinstance(features, (list, tuple)) else features
        return output + 0.0 * first.sum().to(output.dtype)

    handle = inner.get_input_embeddings().register_forward_hook(encode_blank)
    try:
        yield
    finally:
        handle.remove()
