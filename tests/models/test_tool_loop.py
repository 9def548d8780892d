"""r1kit's eval tool loop continues each episode's own text, as TRL's tool loop continues its token ids."""

from types import SimpleNamespace

import pytest

from r1kit.errors import UserError
from r1kit.models import generation
from r1kit.models.chat_template import TEMPLATES
from r1kit.models.generation import Completion, generate_with_tools, tool_suffix
from r1kit.models.tiny import build_char_tokenizer
from r1kit.tools import ready_for_tools, resolve_tools

# compact JSON: not how chatml_tools_tiny renders a parsed call's arguments (`{"expression": "1+2"}`)
CALL = '<tool_call>{"name":"calculator","arguments":{"expression":"1+2"}}</tool_call>'


def _tokenizer():
    tokenizer = build_char_tokenizer()
    tokenizer.chat_template = TEMPLATES["chatml_tools_tiny"]
    ready_for_tools(tokenizer, "eval.tools")
    return tokenizer


def test_the_suffix_after_a_tool_call_is_trls():
    from trl import GRPOTrainer

    tokenizer = _tokenizer()
    messages = [{"role": "tool", "name": "calculator", "content": "3"}]
    trainer = SimpleNamespace(processing_class=tokenizer, _tokenizer=tokenizer, chat_template=None,
                              chat_template_kwargs={}, _is_vlm=False)
    assert tool_suffix(tokenizer, messages) == tokenizer.decode(GRPOTrainer._get_tool_suffix_ids(trainer, messages))
    assert tool_suffix(tokenizer, messages) == "\n<|im_start|>user\n<tool_response>3</tool_response><|im_end|>\n" \
                                               "<|im_start|>assistant\n"


def test_the_next_round_sees_the_call_as_the_model_wrote_it(monkeypatch):
    tokenizer, tools = _tokenizer(), resolve_tools(["calculator"], "eval.tools")
    replies, seen = iter([CALL + "<|im_end|>", "<answer>3</answer><|im_end|>"]), []

    def scripted(model, tokenizer, prompts, *, texts=None, **options):
        seen.append(texts)
        raw = next(replies)
        return [[Completion(raw.replace("<|im_end|>", ""), 20, False, raw=raw)] for _ in prompts]

    monkeypatch.setattr(generation, "generate_transformers", scripted)
    prompt = [{"role": "user", "content": "1 + 2 = ?"}]
    [[episode]] = generate_with_tools(None, tokenizer, [prompt], tools, max_new_tokens=96, max_rounds=2)
    first = tokenizer.apply_chat_template(prompt, tools=tools, tokenize=False, add_generation_prompt=True)
    assert seen[1] == [first + CALL + "<|im_end|>\n<|im_start|>user\n<tool_response>3</tool_response><|im_end|>\n"
                       "<|im_start|>assistant\n"]
    assert episode.tool_calls == 1 and episode.tool_errors == 0 and episode.text.endswith("<answer>3</answer>")
    assert [t["role"] for t in episode.turns] == ["assistant", "tool", "assistant"]


def test_a_template_that_rewrites_the_assistant_turn_once_a_tool_replies_is_a_clear_error():
    tokenizer = _tokenizer()
    # renders the assistant's call only when nothing follows it, as a template that drops the calls of earlier turns
    tokenizer.chat_template = TEMPLATES["chatml_tools_tiny"].replace(
        "{%- for call in message['tool_calls'] or [] -%}", "{%- for call in (message['tool_calls'] if loop.last else []) or [] -%}")
    with pytest.raises(UserError, match="renders an assistant turn differently once tool messages follow it"):
        tool_suffix(tokenizer, [{"role": "tool", "name": "calculator", "content": "3"}])
