"""The tiny Qwen2-VL built in code: its processor's image tokens, seeding, and batched generation with images."""

import torch

from r1kit.models.generation import generate_transformers
from r1kit.models.tiny_vl import build_tiny_vl
from r1kit.models.vision import vision_tower
from tests.models.cases import image_tokens, square, visual_prompt


def test_tiny_vl_is_a_qwen2_vl_with_a_processor(tiny_vl):
    model, processor = tiny_vl
    assert type(model).__name__ == "Qwen2VLForConditionalGeneration"
    assert type(processor).__name__ == "Qwen2VLProcessor" and processor.tokenizer.padding_side == "left"
    assert vision_tower(model) is model.model.visual
    assert sum(p.numel() for p in model.parameters()) < 300_000
    # 112x112 -> 8x8 patches of 14 px, merged 2x2 -> 16 image tokens
    assert image_tokens(processor, visual_prompt(square(0, 0))) == 16
    text = processor.apply_chat_template(visual_prompt(square(0, 0)), tokenize=False, add_generation_prompt=True)
    assert "<|vision_start|><|image_pad|><|vision_end|>Where is the square?<|im_end|>" in text
    assert text.endswith("<|im_start|>assistant\n")


def test_batched_generation_with_images_matches_one_at_a_time(tiny_vl):
    model, processor = tiny_vl
    prompts = [visual_prompt(square(14 * i, 14 * (6 - i)), text="Box?" + "!" * i) for i in range(4)]
    batched = generate_transformers(model, processor, prompts, max_new_tokens=8, batch_size=4, show_progress=False)
    single = [generate_transformers(model, processor, [p], max_new_tokens=8, batch_size=1, show_progress=False)[0]
              for p in prompts]
    assert [c[0].text for c in batched] == [c[0].text for c in single]
    assert all(c[0].tokens > 0 for c in batched)


def test_build_tiny_vl_is_seeded():
    a, _ = build_tiny_vl(hidden_size=32, vision_dim=32, num_heads=2, num_kv_heads=1, vision_heads=2, seed=3)
    b, _ = build_tiny_vl(hidden_size=32, vision_dim=32, num_heads=2, num_kv_heads=1, vision_heads=2, seed=3)
    c, _ = build_tiny_vl(hidden_size=32, vision_dim=32, num_heads=2, num_kv_heads=1, vision_heads=2, seed=4)
    wa, wb, wc = (m.model.visual.patch_embed.proj.weight for m in (a, b, c))
    assert torch.equal(wa, wb) and not torch.equal(wa, wc)


def test_build_tiny_vl_takes_a_vocab_size_and_a_context_length():
    model, processor = build_tiny_vl(vocab_size=2048, max_position_embeddings=2048, seed=0)
    assert model.config.text_config.vocab_size == 2048 and model.lm_head.weight.shape[0] == 2048
    assert model.config.text_config.max_position_embeddings == 2048 and len(processor.tokenizer) < 2048
