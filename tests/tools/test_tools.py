"""The shipped tools, the chat template that lets a model call them, and their checks in a GRPO stage."""

import pytest

from r1kit.errors import UserError
from r1kit.tools import ready_for_tools, resolve_tools
from r1kit.tools.calculator import calculator
from r1kit.tools.python import OUTPUT_CHARS, python


@pytest.mark.parametrize("expression, reply", [
    ("123456 + 654321", "777777"), ("(2 + 3) * 7 / 5", "7"), ("7 / 2", "3.5"), ("-2 ** 3", "-8"),
    ("1 / 0", "error: ZeroDivisionError: division by zero"),
    ("9 ** 9 ** 9", "error: ValueError: exponent 387420489 is too large (at most 100)"),
    ("__import__('os').system('id')", "error: ValueError: only numbers and + - * / // % ** are allowed, not Call"),
    ("2 +", "error: SyntaxError"), ("", "error: SyntaxError"), ("True + 1", "error: ValueError"),
])
def test_calculator_answers_arithmetic_and_names_what_it_refuses(expression, reply):
    assert calculator(expression).startswith(reply)


def test_python_runs_in_the_sandbox_and_every_failure_is_a_reply():
    assert python("print(sum(range(10)))") == "45\n"
    assert python("x = 1") == "(no output: print the values you need)"
    assert python("raise KeyError('k')") == "error:\nKeyError: 'k'"
    assert python("while True: pass") == "error: timed out (2 s of CPU)"
    assert python("import socket; socket.create_connection(('1.1.1.1', 80), timeout=1)").startswith("error:")
    big = python("print('a' * 50_000)")  # 1 MB-scale replies are cut before the model sees them
    assert len(big) < OUTPUT_CHARS + 100 and big.endswith("more characters)")


def documented(a: int) -> int:
    """Double a number.

    Args:
        a: the number
    """
    return 2 * a


def undocumented(a: int) -> int:
    return 2 * a


def test_tools_resolve_by_name_or_path_and_need_a_schema():
    assert [t.__name__ for t in resolve_tools(["calculator", "python", {"_target_": f"{__name__}.documented"}],
                                              "stages.rl.tools")] == ["calculator", "python", "documented"]
    with pytest.raises(UserError, match=r"unknown stages.rl.tools\[0\] 'calculater'. Did you mean 'calculator'"):
        resolve_tools(["calculater"], "stages.rl.tools")
    with pytest.raises(UserError, match=r"stages.rl.tools\[0\]: the model cannot be shown how to call 'undocumented'"):
        resolve_tools([{"_target_": f"{__name__}.undocumented"}], "stages.rl.tools")
    with pytest.raises(UserError, match=r"two tools are named alike"):
        resolve_tools(["calculator", "calculator"], "stages.rl.tools")
    with pytest.raises(UserError, match=r"a tool takes no options"):
        resolve_tools([{"name": "python", "timeout": 3}], "stages.rl.tools")


def test_the_chatml_tools_template_renders_calls_that_trl_parses_back():
    from trl.chat_template_utils import (
        is_chat_template_prefix_preserving,
        parse_response,
        qwen3_template,
        supports_tool_calling,
    )

    from r1kit.models.chat_template import CHATML_TOOLS
    from r1kit.models.tiny import build_char_tokenizer

    tokenizer = build_char_tokenizer()
    tokenizer.chat_template = CHATML_TOOLS
    assert supports_tool_calling(tokenizer) and is_chat_template_prefix_preserving(tokenizer)
    call = {"type": "function", "function": {"name": "calculator", "arguments": {"expression": "3 + 4"}}}
    messages = [{"role": "user", "content": "3 + 4?"}, {"role": "assistant", "content": "", "tool_calls": [call]},
                {"role": "tool", "name": "calculator", "content": "7"}, {"role": "assistant", "content": "7"}]
    text = tokenizer.apply_chat_template(messages, tools=[calculator], tokenize=False)
    assert "calculator(expression: string): Evaluate arithmetic" in text.split("<|im_start|>user")[0]  # in the system turn
    assert '<tool_call>\n{"name": "calculator", "arguments": {"expression": "3 + 4"}}\n</tool_call><|im_end|>' in text
    assert "<|im_start|>user\n<tool_response>\n7\n</tool_response><|im_end|>" in text
    tokenizer.response_template = qwen3_template
    prompt = tokenizer.apply_chat_template(messages[:1], tools=[calculator], add_generation_prompt=True,
                                           return_dict=False)
    reply = tokenizer('<think>use it</think><tool_call>\n{"name": "calculator", "arguments": {"expression": "3 + 4"}}'
                      "\n</tool_call><|im_end|>")["input_ids"]
    parsed = parse_response(tokenizer, reply, prefix=prompt)
    assert parsed["tool_calls"] == [call] and parsed["reasoning_content"] == "use it"


def test_the_chatml_tools_tiny_template_is_short_and_trl_parses_its_calls_back():
    """The tools quickstart's template: a one-line tool listing, compact call JSON, the frame as whole tokens."""
    from trl.chat_template_utils import is_chat_template_prefix_preserving, parse_response, supports_tool_calling

    from r1kit.models.chat_template import CHATML_TOOLS_TINY
    from r1kit.models.tiny import build_char_tokenizer

    tokenizer = build_char_tokenizer()
    tokenizer.chat_template = CHATML_TOOLS_TINY
    assert supports_tool_calling(tokenizer) and is_chat_template_prefix_preserving(tokenizer)
    ready_for_tools(tokenizer, "stages.rl.tools")  # TRL's Qwen parser, as for chatml_tools
    call = {"type": "function", "function": {"name": "calculator", "arguments": {"expression": "3 + 4"}}}
    messages = [{"role": "user", "content": "3 + 4?"}, {"role": "assistant", "content": "", "tool_calls": [call]},
                {"role": "tool", "name": "calculator", "content": "7"}, {"role": "assistant", "content": "7"}]
    text = tokenizer.apply_chat_template(messages, tools=[calculator, python], tokenize=False)
    assert text == ("<|im_start|>system\nTools: calculator(expression); python(code)<|im_end|>\n"
                    "<|im_start|>user\n3 + 4?<|im_end|>\n"
                    '<|im_start|>assistant\n<tool_call>{"name":"calculator","arguments":{"expression": "3 + 4"}}'
                    "</tool_call><|im_end|>\n"
                    "<|im_start|>user\n<tool_response>7</tool_response><|im_end|>\n"
                    "<|im_start|>assistant\n7<|im_end|>\n")
    assert (len(text), len(tokenizer(text)["input_ids"])) == (314, 137)  # frame, roles and tags: whole tokens
    prompt = tokenizer.apply_chat_template(messages[:1], tools=[calculator], add_generation_prompt=True,
                                           return_dict=False)
    reply = tokenizer('<tool_call>{"name":"calculator","arguments":{"expression": "3 + 4"}}</tool_call><|im_end|>')
    assert parse_response(tokenizer, reply["input_ids"], prefix=prompt, tools=[calculator])["tool_calls"] == [call]
    answer = tokenizer("<answer>7</answer><|im_end|>")["input_ids"]
    assert parse_response(tokenizer, answer, prefix=prompt)["content"] == "<answer>7</answer>"


def test_rewards_see_the_think_block_of_a_parsed_reply():
    from r1kit.rewards.text import completion_text

    turns = [{"role": "assistant", "content": "", "reasoning_content": "add them",
              "tool_calls": [{"type": "function", "function": {"name": "calculator", "arguments": {}}}]},
             {"role": "tool", "name": "calculator", "content": "7"},
             {"role": "assistant", "content": "<answer>7</answer>"}]
    assert completion_text(turns) == "<think>add them</think>\n<answer>7</answer>"


def hangs(seconds: float) -> str:
    """Sleep.

    Args:
        seconds: how long
    """
    import time

    time.sleep(seconds)
    return "woke"


def test_a_hanging_raising_or_huge_tool_cannot_stop_or_flood_training():
    import time

    from r1kit.tools.guard import guarded

    slow = guarded(hangs, seconds=0.5)
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="tool hangs did not return within 0.5 s"):
        slow(seconds=30)  # TRL shows the model the error and counts a failed call
    assert time.monotonic() - started < 2
    assert slow(seconds=0) == "woke"
    with pytest.raises(ZeroDivisionError):
        guarded(lambda: 1 / 0)()
    big = guarded(lambda: "x" * 1_000_000, max_chars=100)()
    assert len(big) < 200 and big.endswith("(999900 more characters cut)")
    from transformers.utils import get_json_schema

    assert get_json_schema(slow) == get_json_schema(hangs)  # the model sees the tool as it is
    assert resolve_tools([{"_target_": f"{__name__}.hangs"}], "t")[0].__wrapped__ is hangs  # every stage tool is guarded
