"""Which chat templates run r1kit's tool loop: chatml_tools on SmolLM2's tokenizer, and Qwen2.5's own template."""

import json
import os
from pathlib import Path

import pytest

from r1kit.errors import UserError
from r1kit.tools import ready_for_tools

CALL = {"type": "function", "function": {"name": "add", "arguments": {"n": 3}}}


def add(n: int) -> str:
    """Add to the counter.

    Args:
        n: how much to add
    """
    return str(n)


def _parses_a_call(tokenizer, reply: str):
    from trl.chat_template_utils import parse_response

    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "add 3"}], tools=[add],
                                           add_generation_prompt=True, return_dict=False)
    parsed = parse_response(tokenizer, tokenizer(reply, add_special_tokens=False)["input_ids"], prefix=prompt)
    assert parsed["tool_calls"] == [CALL]


def test_qwen2_5s_own_template_renders_tools_and_trl_parses_its_calls():
    from trl.chat_template_utils import qwen2_5_chat_template, supports_tool_calling

    from r1kit.models.tiny import build_char_tokenizer

    tokenizer = build_char_tokenizer()
    tokenizer.chat_template = qwen2_5_chat_template  # TRL's copy of Qwen2.5-Instruct's template, tools and all
    assert supports_tool_calling(tokenizer)
    ready_for_tools(tokenizer, "stages.rl.tools")  # gives it TRL's Qwen parser, for r1kit eval's tool loop too
    text = tokenizer.apply_chat_template([{"role": "user", "content": "add 3"}], tools=[add], tokenize=False)
    assert '"name": "add"' in text and "<tools>" in text  # Qwen's JSON schemas in the system turn
    _parses_a_call(tokenizer, '<tool_call>\n{"name": "add", "arguments": {"n": 3}}\n</tool_call><|im_end|>')


def test_a_template_that_renders_tools_but_trl_cannot_parse_is_refused_by_name():
    from r1kit.models.tiny import build_char_tokenizer

    tokenizer = build_char_tokenizer()
    tokenizer.chat_template = ("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}"
                               "{% for c in m['tool_calls'] or [] %}{{ c['function'] | tojson }}{% endfor %}\n"
                               "{% endfor %}")
    with pytest.raises(UserError, match=r"stages.rl.tools: the model's chat template renders tool calls, but TRL "
                                        r"knows no parser"):
        ready_for_tools(tokenizer, "stages.rl.tools")


SMOLLM2 = Path(os.environ.get("R1KIT_SMOLLM2_DIR", Path(__file__).resolve().parents[2] / ".cache" / "smollm2"))


@pytest.mark.slow
@pytest.mark.skipif(not (SMOLLM2 / "SmolLM2-135M-Instruct.Q4_1.gguf").exists(),
                    reason="SmolLM2 not fetched (make smollm2)")
def test_chatml_tools_works_with_smollm2s_tokenizer():
    from omegaconf import OmegaConf

    from r1kit.checks import typed
    from r1kit.conf import CONF_DIR
    from r1kit.models.config import ModelSchema
    from r1kit.models.load import load_model

    section = {**OmegaConf.to_container(OmegaConf.load(CONF_DIR / "model" / "smollm2.yaml")), "path": str(SMOLLM2),
               "chat_template": "chatml_tools"}  # model=smollm2 model.chat_template=chatml_tools
    _, tokenizer = load_model(typed(ModelSchema, section, "model"))
    ready_for_tools(tokenizer, "stages.rl.tools")
    text = tokenizer.apply_chat_template([{"role": "user", "content": "add 3"}], tools=[add], tokenize=False)
    assert text.startswith("<|im_start|>system\nTools:\nadd(n: integer): Add to the counter.")
    assert tokenizer.convert_tokens_to_ids("<|im_end|>") == tokenizer.eos_token_id  # a turn ends where SmolLM2 stops
    _parses_a_call(tokenizer, '<tool_call>\n{"name": "add", "arguments": {"n": 3}}\n</tool_call><|im_end|>')


@pytest.mark.parametrize("template", ["chatml_tools", "chatml_tools_tiny"])
def test_a_cold_start_trajectory_renders_as_the_tool_loop_renders_the_same_turns(template):
    """The chat_sft adapter keeps a call's arguments as JSON text; a rollout's parsed call has them as a dict. Both must
    render to the same text, or the model answers in rollouts from a context it never saw in its cold start."""
    from r1kit.data.chat import ChatSFT
    from r1kit.models.chat_template import TEMPLATES
    from r1kit.models.tiny import build_char_tokenizer

    tokenizer = build_char_tokenizer()
    tokenizer.chat_template = TEMPLATES[template]
    args = {"expression": "123456 + 654321", "note": "café, 1: 2"}  # separators and a non-ASCII character
    row = {"answer": "777777", "messages": [
        {"role": "user", "content": "123456 + 654321 = ?"},
        {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {
            "name": "calculator", "arguments": args}}]},
        {"role": "tool", "name": "calculator", "content": "777777"},
        {"role": "assistant", "content": "<answer>777777</answer>"}]}
    example = ChatSFT(tools=["calculator"]).example(row)
    assert isinstance(example["messages"][1]["tool_calls"][0]["function"]["arguments"], str)
    tools = [json.loads(example["tools"])[0]]
    assert (tokenizer.apply_chat_template(example["messages"], tools=tools, tokenize=False)
            == tokenizer.apply_chat_template(row["messages"], tools=tools, tokenize=False))
