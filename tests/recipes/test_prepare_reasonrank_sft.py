"""scripts/prepare_reasonrank_sft.py: ReasonRank's LLaMA-Factory alpaca rows become chat_sft conversations."""

import pytest

from r1kit.data.chat import ChatSFT
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_reasonrank_sft.py")
RAW = read_jsonl(FIXTURES / "reasonrank_sft.jsonl")


def test_system_instruction_output_become_three_messages():
    rows = list(prepare.convert(RAW))
    assert len(rows) == len(RAW)
    for src, row in zip(RAW, rows):
        assert row["messages"] == [{"role": "system", "content": src["system"]},
                                   {"role": "user", "content": src["instruction"]},
                                   {"role": "assistant", "content": src["output"]}]


def test_input_is_appended_and_system_is_optional():
    """LLaMA-Factory's alpaca reader: instruction + "\\n" + input when input is not empty."""
    (row,) = prepare.convert([{"instruction": "Rank these.", "input": "[1] a\n[2] b", "output": "<answer>[1]</answer>"}])
    assert row["messages"] == [{"role": "user", "content": "Rank these.\n[1] a\n[2] b"},
                               {"role": "assistant", "content": "<answer>[1]</answer>"}]


def test_a_row_without_output_is_refused():
    with pytest.raises(ValueError, match="row 0 needs text"):
        list(prepare.convert([{"instruction": "Rank these.", "output": " "}]))


def test_chat_sft_trains_on_the_reasoning_and_ranking():
    adapter = ChatSFT()
    for src, row in zip(RAW, prepare.convert(RAW)):
        example = adapter.example(row)
        assert example["answer"] == src["output"]
        assert example["prompt"][-1] == {"role": "user", "content": src["instruction"]}
        assert "<think>" in example["answer"] and "<answer>" in example["answer"]
