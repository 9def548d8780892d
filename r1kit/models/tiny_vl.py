"""A tiny Qwen2-VL-style vision-language model and its processor, built in code (no download).

The same architecture and processor classes as Qwen2-VL, scaled down (a 2-block vision
tower, a 2-layer language model), so tests and the visual quickstart exercise exactly the
code paths a full-size Qwen2-VL takes: image patches, the spatial merger, M-RoPE, and
`<|image_pad|>` expansion by the processor. Text uses r1kit's byte-level tokenizer plus
Qwen's vision tokens.
"""

from r1kit.models.chat_template import CHATML_VL
from r1kit.models.compat import allow_processors_without_torchvision
from r1kit.models.tiny import build_char_tokenizer, embedding_rows

VISION_TOKENS = ["<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"]


def build_tiny_vl_processor(min_pixels: int = 56 * 56, max_pixels: int = 112 * 112):
    """Qwen2VLProcessor over the byte-level tokenizer; images are resized into [min_pixels, max_pixels]."""
    from transformers import Qwen2VLProcessor
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    allow_processors_without_torchvision()
    tokenizer = build_char_tokenizer()
    tokenizer.add_special_tokens({"additional_special_tokens": VISION_TOKENS})
    tokenizer.chat_template = CHATML_VL
    image_processor = Qwen2VLImageProcessorPil(min_pixels=min_pixels, max_pixels=max_pixels)
    return Qwen2VLProcessor(image_processor=image_processor, tokenizer=tokenizer, chat_template=CHATML_VL)


def build_tiny_vl(
    hidden_size: int = 64,
    num_layers: int = 2,
    num_heads: int = 4,
    num_kv_heads: int = 2,
    vision_depth: int = 2,
    vision_dim: int = 64,
    vision_heads: int = 4,
    intermediate_size: int | None = None,
    vision_mlp_ratio: int = 2,
    mrope_section: list[int] | None = None,
    min_pixels: int = 56 * 56,
    max_pixels: int = 112 * 112,
    max_position_embeddings: int = 1024,
    vocab_size: int | None = None,
    seed: int | None = None,
):
    """Build (model, processor): a randomly initialised Qwen2VLForConditionalGeneration.

    With the default 112×112 pixel cap an image becomes 8×8 patches of 14 px, merged 2×2
    into 16 image tokens. Without `seed` the weights come from torch's global RNG. Larger
    sizes give a full-size architecture with random weights (scripts/bench_vl_grpo.py); `vocab_size` as in
    build_tiny.
    """
    import torch
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration

    processor = build_tiny_vl_processor(min_pixels, max_pixels)
    tokenizer = processor.tokenizer
    head_dim = hidden_size // num_heads
    quarter = head_dim // 2 // 4  # M-RoPE splits the rotary half-dimension over (time, height, width)
    mrope_section = list(mrope_section or [head_dim // 2 - 2 * quarter, quarter, quarter])
    config = Qwen2VLConfig(
        text_config={
            "vocab_size": embedding_rows(vocab_size, tokenizer), "hidden_size": hidden_size, "intermediate_size": intermediate_size or 4 * hidden_size,
            "num_hidden_layers": num_layers, "num_attention_heads": num_heads, "num_key_value_heads": num_kv_heads,
            "max_position_embeddings": max_position_embeddings,
            "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0,
                                "mrope_section": mrope_section},
            "bos_token_id": None, "eos_token_id": tokenizer.eos_token_id, "pad_token_id": tokenizer.pad_token_id,
        },
        vision_config={"depth": vision_depth, "embed_dim": vision_dim, "num_heads": vision_heads,
                       "hidden_size": hidden_size, "mlp_ratio": vision_mlp_ratio, "patch_size": 14, "spatial_merge_size": 2,
                       "temporal_patch_size": 2},
        image_token_id=tokenizer.convert_tokens_to_ids("<|image_pad|>"),
        video_token_id=tokenizer.convert_tokens_to_ids("<|video_pad|>"),
        vision_start_token_id=tokenizer.convert_tokens_to_ids("<|vision_start|>"),
        vision_end_token_id=tokenizer.convert_tokens_to_ids("<|vision_end|>"),
        tie_word_embeddings=True,
    )
    with torch.random.fork_rng():
        if seed is not None:
            torch.manual_seed(seed)
        model = Qwen2VLForConditionalGeneration(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = None
    return model, processor
