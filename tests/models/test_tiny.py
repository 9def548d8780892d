"""The tiny Qwen2 and its byte-level tokenizer: shapes, seeding, tag tokens, and a save/reload round trip."""

import pytest
import torch

from r1kit.errors import UserError
from r1kit.models.tiny import TAG_TOKENS, TOOL_TOKENS, build_char_tokenizer, build_tiny
from tests.models.cases import CHAT, COMPLETION


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
    for tag in TAG_TOKENS + TOOL_TOKENS:
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


def test_vocab_size_gives_the_embedding_and_head_a_published_size():
    model, tok = build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, vocab_size=1000, seed=0)
    assert model.model.embed_tokens.weight.shape == (1000, 32) and model.lm_head.weight.shape == (1000, 32)
    out = model.generate(**tok(["12+34"], return_tensors="pt"), max_new_tokens=4, do_sample=False)
    assert out.shape == (1, 9)
    assert tok.decode([999, tok.convert_tokens_to_ids("7")]) == "7"  # ids past the tokenizer decode to nothing


def test_a_vocab_size_smaller_than_the_tokenizer_is_refused():
    with pytest.raises(UserError, match=r"vocab_size=100: give at least the tokenizer's \d+ tokens"):
        build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, vocab_size=100)
