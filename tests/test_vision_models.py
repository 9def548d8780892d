"""Vision-language models: the tiny Qwen2-VL built in code, loading and saving through `load_model`,
pixel bounds, a frozen vision tower, LoRA that leaves it alone, and batched generation with images."""

import pytest
import torch
from omegaconf import OmegaConf
from PIL import Image, ImageDraw

from r1kit.config.schema import ModelSchema
from r1kit.errors import UserError
from r1kit.evaluation.generation import generate_transformers
from r1kit.models.load import is_vision_language, load_model, vision_tower
from r1kit.models.tiny_vl import build_tiny_vl


def vl_cfg(**kw):
    base = {"build": {"name": "tiny_vl", "hidden_size": 32, "vision_dim": 32, "num_heads": 2, "num_kv_heads": 1,
                      "vision_heads": 2}, "chat_template": "chatml_vl"}
    return OmegaConf.merge(OmegaConf.structured(ModelSchema), base, kw)


def square(x: int, y: int, size: int = 112, colour: str = "red") -> Image.Image:
    image = Image.new("RGB", (size, size), "white")
    ImageDraw.Draw(image).rectangle([x, y, x + 27, y + 27], fill=colour)
    return image


def visual_prompt(image, text="Where is the square?"):
    return [{"role": "system", "content": [{"type": "text", "text": "Answer with a box."}]},
            {"role": "user", "content": [{"type": "image", "image": image}, {"type": "text", "text": text}]}]


@pytest.fixture(scope="module")
def tiny_vl():
    torch.manual_seed(0)
    return load_model(vl_cfg())


def image_tokens(processor, prompt) -> int:
    text = processor.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    image = prompt[1]["content"][0]["image"]
    ids = processor(text=[text], images=[image], return_tensors="pt")["input_ids"][0]
    return int((ids == processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")).sum())


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


def test_pixel_bounds_resize_images():
    _, small = load_model(vl_cfg(max_pixels=56 * 56))
    _, large = load_model(vl_cfg(max_pixels=224 * 224))
    prompt = visual_prompt(square(0, 0, size=224))
    assert image_tokens(small, prompt) == 4 and image_tokens(large, prompt) == 64
    with pytest.raises(UserError, match="min_pixels"):
        load_model(vl_cfg(min_pixels=224 * 224, max_pixels=56 * 56))


def test_saved_vlm_reloads_as_one_with_identical_outputs(tiny_vl, tmp_path):
    model, processor = tiny_vl
    model.save_pretrained(tmp_path)
    processor.save_pretrained(tmp_path)
    assert is_vision_language(str(tmp_path), vl_cfg())
    again, again_processor = load_model(vl_cfg(), path_override=str(tmp_path))
    prompt = visual_prompt(square(28, 56))
    text = processor.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    first = processor(text=[text], images=[prompt[1]["content"][0]["image"]], return_tensors="pt")
    second = again_processor(text=[text], images=[prompt[1]["content"][0]["image"]], return_tensors="pt")
    assert torch.equal(first["input_ids"], second["input_ids"])
    with torch.no_grad():
        assert torch.allclose(model(**first).logits, again(**second).logits, atol=1e-5)


def test_freeze_vision_trains_only_the_language_model():
    model, _ = load_model(vl_cfg(freeze_vision=True))
    tower = {id(p) for p in vision_tower(model).parameters()}
    assert tower and all(not p.requires_grad for p in vision_tower(model).parameters())
    assert any(p.requires_grad for p in model.parameters() if id(p) not in tower)


def test_lora_adapts_the_language_model_and_never_the_vision_tower():
    model, _ = load_model(vl_cfg(lora={"enabled": True, "r": 4, "alpha": 8}))
    adapted = [name for name, _ in model.named_modules() if name.endswith("lora_A")]
    assert adapted and not [n for n in adapted if ".visual." in n]
    assert any("language_model" in n and "q_proj" in n for n in adapted)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)


def test_batched_generation_with_images_matches_one_at_a_time(tiny_vl):
    model, processor = tiny_vl
    prompts = [visual_prompt(square(14 * i, 14 * (6 - i)), text="Box?" + "!" * i) for i in range(4)]
    batched = generate_transformers(model, processor, prompts, max_new_tokens=8, batch_size=4, show_progress=False)
    single = [generate_transformers(model, processor, [p], max_new_tokens=8, batch_size=1, show_progress=False)[0]
              for p in prompts]
    assert [c[0].text for c in batched] == [c[0].text for c in single]
    assert all(c[0].tokens > 0 for c in batched)


def test_text_model_ignores_vision_options_with_a_warning(caplog):
    cfg = OmegaConf.merge(OmegaConf.structured(ModelSchema), {"build": {"name": "tiny", "hidden_size": 32},
                                                             "freeze_vision": True})
    model, _ = load_model(cfg)
    assert vision_tower(model) is None
    assert "ignored: this is a text-only model" in caplog.text


def test_build_tiny_vl_is_seeded():
    a, _ = build_tiny_vl(hidden_size=32, vision_dim=32, num_heads=2, num_kv_heads=1, vision_heads=2, seed=3)
    b, _ = build_tiny_vl(hidden_size=32, vision_dim=32, num_heads=2, num_kv_heads=1, vision_heads=2, seed=3)
    c, _ = build_tiny_vl(hidden_size=32, vision_dim=32, num_heads=2, num_kv_heads=1, vision_heads=2, seed=4)
    wa, wb, wc = (m.model.visual.patch_embed.proj.weight for m in (a, b, c))
    assert torch.equal(wa, wb) and not torch.equal(wa, wc)
