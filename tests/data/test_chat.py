"""The chat_sft adapter: OpenAI and ShareGPT conversations, and the rows it refuses."""

import re

import pytest

from r1kit.data.chat import ChatSFT
from r1kit.data.load import build_examples
from r1kit.errors import UserError
from tests.data.cases import spec, write_jsonl


def test_chat_sft_openai_format():
    row = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                        {"role": "assistant", "content": "<think>greet</think><answer>Hello</answer>"}]}
    ex = ChatSFT().example(row)
    assert ex["messages"] == row["messages"]
    assert ex["prompt"] == row["messages"][:2] and ex["answer"] == "<think>greet</think><answer>Hello</answer>"
    assert ex["task"] == "chat_sft"


def test_chat_sft_sharegpt_format_and_system_prompt():
    row = {"conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"},
                             {"from": "human", "value": "and 3+3?"}, {"from": "gpt", "value": "6"}]}
    ex = ChatSFT(columns={"messages": "conversations"}, system_prompt="You add.").example(row)
    assert [m["role"] for m in ex["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert ex["messages"][0] == {"role": "system", "content": "You add."}
    assert ex["messages"][-1] == {"role": "assistant", "content": "6"} and ex["answer"] == "6"
    assert ex["prompt"] == ex["messages"][:-1]


def test_chat_sft_errors_name_the_row(tmp_path):
    good = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
    ends_with_user = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                                   {"role": "user", "content": "c"}]}
    data = write_jsonl(tmp_path / "chats.jsonl", [good, good, ends_with_user])
    with pytest.raises(UserError, match=rf"{re.escape(str(data))}\), row 2: the conversation does not end with an "
                                        r"assistant message"):
        build_examples(spec("chat_sft", path=str(data)), "datasets.chats")
    bad_role = {"messages": [{"role": "narrator", "content": "x"}, {"role": "assistant", "content": "y"}]}
    data = write_jsonl(tmp_path / "roles.jsonl", [good, bad_role])
    with pytest.raises(UserError, match=r"row 1: message .*narrator.* needs a role \(system/user/assistant/tool\)"):
        build_examples(spec("chat_sft", path=str(data)), "datasets.chats")
    data = write_jsonl(tmp_path / "empty.jsonl", [{"messages": []}])
    with pytest.raises(UserError, match=r"row 0: column 'messages' is not a non-empty list"):
        build_examples(spec("chat_sft", path=str(data)), "datasets.chats")
    data = write_jsonl(tmp_path / "nocol.jsonl", [{"conversation": []}])
    with pytest.raises(UserError, match=r"the `chat_sft` adapter needs messages \(column 'messages'\)"):
        build_examples(spec("chat_sft", path=str(data)), "datasets.chats")
