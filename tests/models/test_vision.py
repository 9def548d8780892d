"""Vision-language loading: pixel bounds, a saved VLM reloads as one, and a frozen vision tower."""

import pytest
import torch

from r1kit.errors import UserError
from r1kit.models.load import load_model
from r1kit.models.vision import is_vision_language, vision_tower
from tests.models.cases import image_tokens, square, visual_prompt, vl_cfg


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
