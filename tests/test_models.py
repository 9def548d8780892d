"""The tiny model and tokenizer, chat templates and `load_model` (LoRA, dtype, template checks), all built in code."""

import logging

import pytest
import torch
from omegaconf import OmegaConf

from r1kit.config.schema import ModelSchema
from r1kit.models.chat_template import CHATML, has_generation_markers, prefills_think
from r1kit.models.load import load_model, resolve_dtype
from r1kit.models.tiny import TAG_TOKENS, build_char_tokenizer, build_tiny

COMPLETION = "<think>7+5=12,4+8+1=13</think><answer>132</answer>"
CHAT = [
    {"role": "system", "content": "Add."},
    {"role": "user", "content": "47+85"},
    {"role": "assistant", "content": COMPLETION},
]

# A DeepSeek-R1-distill-style template: the generation prompt opens the <think> block for the model.
R1_DISTILL_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}"
    "{% elif message['role'] == 'assistant' %}{{ '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' }}"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}"
)


def model_cfg(**kw):
    """A validated-looking `model` section, as curriculum hands it to load_model."""
    return OmegaConf.merge(OmegaConf.structured(ModelSchema), {"build": {"name": "tiny", "hidden_size": 32}, **kw})


@pytest.fixture(scope="module")
def tiny():
    return build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, seed=0)


def test_tiny_model_builds_and_runs(tiny):
    model, tok = tiny
    assert type(model).__name__ == "Qwen2ForCausalLM"
    assert model.config.vocab_size == len(tok) and model.config.num_hidden_layers == 2
    assert sum(p.numel() for p in model.parameters()) < 200_000
    batch = tok(["12+34", "5+6"], return_tensors="pt", padding=True)
    assert tok.padding_side == "left" and batch["attention_mask"][1, 0] == 0  # shorter row is padded on the left
    logits = model(**batch).logits
    assert logits.shape == (2, batch["input_ids"].shape[1], len(tok)) and torch.isfinite(logits).all()
    # seeded: the same seed gives the same weights, another seed does not
    again, _ = build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, seed=0)
    other, _ = build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, seed=1)
    w = model.model.embed_tokens.weight
    assert torch.equal(w, again.model.embed_tokens.weight) and not torch.equal(w, other.model.embed_tokens.weight)


def test_tokenizer_round_trips_text_and_keeps_tags_as_single_non_special_tokens():
    tok = build_char_tokenizer()
    special_ids = set(tok.all_special_ids)
    for tag in TAG_TOKENS:
        ids = tok(tag, add_special_tokens=False)["input_ids"]
        assert len(ids) == 1, (tag, ids)
        assert ids[0] not in special_ids
    for text in (COMPLETION, "Hello, World! 3 * (4 - 1) = 9\n\ttab", "naïve café ✓"):
        ids = tok(text, add_special_tokens=False)["input_ids"]
        assert tok.decode(ids) == text
    # ASCII is one token per character, so arithmetic is easy to learn
    assert len(tok("123+456=579", add_special_tokens=False)["input_ids"]) == 11
    # TRL decodes completions with special tokens skipped: the tags must survive, <|im_end|> must not
    ids = tok(COMPLETION + "<|im_end|>", add_special_tokens=False)["input_ids"]
    assert ids[-1] == tok.eos_token_id == tok.convert_tokens_to_ids("<|im_end|>")
    assert tok.decode(ids, skip_special_tokens=True) == COMPLETION
    assert tok.pad_token == "<|endoftext|>" and tok.pad_token_id != tok.eos_token_id


def test_chat_template_masks_only_the_assistant_content():
    tok = build_char_tokenizer()
    out = tok.apply_chat_template(CHAT, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    ids, mask = out["input_ids"], out["assistant_masks"]
    assert len(ids) == len(mask) and set(mask) == {0, 1}
    trained = [i for i, m in zip(ids, mask) if m]
    assert tok.decode(trained) == COMPLETION + "<|im_end|>"  # the content and the end of turn, nothing else
    start = mask.index(1)
    assert all(mask[start:start + len(trained)])  # one contiguous span
    assert tok.decode(ids[:start]).endswith("<|im_start|>assistant\n")
    assert "47+85" not in tok.decode(trained) and "Add." not in tok.decode(trained)
    # two assistant turns: both are masked, the user turn between them is not
    chat = CHAT + [{"role": "user", "content": "and 1+1"}, {"role": "assistant", "content": "<answer>2</answer>"}]
    out = tok.apply_chat_template(chat, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    trained = tok.decode([i for i, m in zip(out["input_ids"], out["assistant_masks"]) if m])
    assert trained == COMPLETION + "<|im_end|>" + "<answer>2</answer><|im_end|>"
    prompt = tok.apply_chat_template(CHAT[:2], tokenize=False, add_generation_prompt=True)
    assert prompt == "<|im_start|>system\nAdd.<|im_end|>\n<|im_start|>user\n47+85<|im_end|>\n<|im_start|>assistant\n"


def test_save_and_reload_with_auto_classes(tiny, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model, tok = tiny
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    model2 = AutoModelForCausalLM.from_pretrained(tmp_path)
    tok2 = AutoTokenizer.from_pretrained(tmp_path)
    text = tok.apply_chat_template(CHAT, tokenize=False)
    assert tok2(text)["input_ids"] == tok(text)["input_ids"]  # same ids after reload, tags included
    assert tok2.decode(tok2(COMPLETION)["input_ids"]) == COMPLETION
    assert tok2.chat_template == tok.chat_template and tok2.eos_token == "<|im_end|>"
    assert tok2.pad_token == tok.pad_token and len(tok2) == len(tok)
    tags = tok2(COMPLETION + "<|im_end|>", add_special_tokens=False)["input_ids"]
    assert tok2.decode(tags, skip_special_tokens=True) == COMPLETION
    batch = tok(["47+85"], return_tensors="pt")
    with torch.no_grad():
        assert torch.allclose(model(**batch).logits, model2(**batch).logits)


def test_prefills_think():
    assert prefills_think(R1_DISTILL_TEMPLATE) is True
    assert prefills_think(CHATML) is False
    assert prefills_think(None) is False and prefills_think("") is False
    # <think> only in the assistant's history, not in the generation prompt
    assert prefills_think("{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}") is False
    assert has_generation_markers(CHATML) and not has_generation_markers(R1_DISTILL_TEMPLATE)


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


def test_load_model_with_lora():
    from peft import PeftModel

    model, _ = load_model(model_cfg(lora={"enabled": True, "r": 4, "alpha": 8}))
    assert isinstance(model, PeftModel)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    assert 0 < trainable < total
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert names and all("lora_" in n for n in names)
    # restricted to some modules it trains fewer parameters
    few, _ = load_model(model_cfg(lora={"enabled": True, "r": 4, "target_modules": ["q_proj"]}))
    assert 0 < sum(p.numel() for p in few.parameters() if p.requires_grad) < trainable


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
