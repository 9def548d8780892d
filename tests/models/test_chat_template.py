"""The ChatML template's assistant-only mask, and the checks r1kit runs on a model's own template."""

from r1kit.models.chat_template import CHATML, has_generation_markers, prefills_think
from r1kit.models.tiny import build_char_tokenizer
from tests.models.cases import CHAT, COMPLETION, R1_DISTILL_TEMPLATE


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


def test_prefills_think():
    assert prefills_think(R1_DISTILL_TEMPLATE) is True
    assert prefills_think(CHATML) is False
    assert prefills_think(None) is False and prefills_think("") is False
    # <think> only in the assistant's history, not in the generation prompt
    assert prefills_think("{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}") is False
    assert has_generation_markers(CHATML) and not has_generation_markers(R1_DISTILL_TEMPLATE)
