"""`load_model`: dtype, a stage's saved folder, chat templates and their warnings, options a text model ignores."""

import logging

import torch
from omegaconf import OmegaConf

from r1kit.models.chat_template import CHATML
from r1kit.models.config import ModelSchema
from r1kit.models.load import load_model, resolve_dtype
from r1kit.models.vision import vision_tower
from tests.models.cases import COMPLETION, R1_DISTILL_TEMPLATE, TINY, model_cfg


def test_load_model_builds_tiny_in_fp32_on_cpu():
    model, tok = load_model(model_cfg())
    expected = torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float32
    assert resolve_dtype("auto") == expected
    assert next(model.parameters()).dtype == expected
    assert model.config.hidden_size == 32
    assert tok.padding_side == "left" and model.generation_config.pad_token_id == tok.pad_token_id
    model16, _ = load_model(model_cfg(dtype="bf16"))
    assert next(model16.parameters()).dtype == torch.bfloat16
    assert resolve_dtype("fp16") == torch.float16 and resolve_dtype("float32") == torch.float32


def test_load_model_from_a_saved_folder(tiny, tmp_path):
    model, tok = tiny
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    loaded, tok2 = load_model(model_cfg(lora={"enabled": True}), path_override=str(tmp_path))
    assert type(loaded).__name__ == "Qwen2ForCausalLM"  # a stage hand-off does not wrap LoRA twice
    assert tok2(COMPLETION)["input_ids"] == tok(COMPLETION)["input_ids"]
    assert tok2.padding_side == "left"


def test_load_model_chat_template_and_prefill_warning(caplog):
    _, tok = load_model(model_cfg(chat_template="chatml"))
    assert tok.chat_template == CHATML
    with caplog.at_level(logging.WARNING, logger="r1kit.models.load"):
        _, tok = load_model(model_cfg(chat_template=R1_DISTILL_TEMPLATE))
    assert tok.chat_template == R1_DISTILL_TEMPLATE
    assert any("prefills `<think>`" in r.getMessage() for r in caplog.records)


def test_text_model_ignores_vision_options_with_a_warning(caplog):
    # a DictConfig is accepted as well as a plain dict
    cfg = OmegaConf.merge(OmegaConf.structured(ModelSchema), {"build": TINY, "freeze_vision": True})
    model, _ = load_model(cfg)
    assert vision_tower(model) is None
    assert "ignored: this is a text-only model" in caplog.text
