"""scripts/prepare_t1.py: T1's SFT conversations and RL prompts become `math_qa` rows."""

import json

import pytest

from r1kit.data.math_qa import MathQA
from r1kit.rewards.math_accuracy import math_accuracy
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_t1.py")
SFT, RL = FIXTURES / "t1_sft.jsonl", FIXTURES / "t1_rl.jsonl"


def test_sft_conversations_become_question_and_verbatim_reply():
    source = read_jsonl(SFT)
    rows = list(prepare.convert(source))
    assert [r["question"] for r in rows] == [s["messages"][0]["content"] for s in source]
    assert [r["solution"] for r in rows] == [s["messages"][-1]["content"] for s in source]
    assert all("answer" not in r for r in rows)  # the gold is the reply's last \boxed{}
    adapter = MathQA(system_prompt=None, solution_as="verbatim")
    examples = [adapter.example(r) for r in rows]
    assert [e["answer"] for e in examples] == ["38", "2", "30", "3"]
    assert examples[0]["prompt"] == [{"role": "user", "content": rows[0]["question"]}]
    assert examples[0]["messages"][-1] == {"role": "assistant", "content": rows[0]["solution"]}


def test_rl_prompts_keep_their_label_and_are_scored_on_the_last_box():
    rows = list(prepare.convert(read_jsonl(RL)))
    assert [r["answer"] for r in rows] == ["7", "13", "56", "\\frac{3}{5}", "25", "28"]
    assert all("solution" not in r for r in rows)
    example = MathQA(system_prompt=None).example(rows[3])
    completions = ["... so $\\sin\\theta = 3/5$. $\\boxed{\\frac{3}{5}}$", "$\\boxed{\\frac{4}{5}}$"]
    assert math_accuracy(completions, answer=[example["answer"]] * 2, mode="boxed") == [1.0, 0.0]


def test_other_layouts_are_read():
    pair = {"prompt": "What is 2 + 3?", "response": "2 + 3 = 5. $\\boxed{5}$"}
    sharegpt = {"conversations": [{"from": "human", "value": "What is 2 + 3?"}, {"from": "gpt", "value": "$\\boxed{5}$"}]}
    assert list(prepare.convert([pair, sharegpt])) == [
        {"question": "What is 2 + 3?", "solution": "2 + 3 = 5. $\\boxed{5}$"},
        {"question": "What is 2 + 3?", "solution": "$\\boxed{5}$"}]


@pytest.mark.parametrize(("row", "message"), [
    ({"label": "3"}, "no question"),
    ({"text": "What is 1 + 2?"}, "no answer"),
    ({"messages": [{"role": "user", "content": "What is 1 + 2?"}, {"role": "assistant", "content": "three"}]},
     "no answer"),
])
def test_a_bad_row_is_named(row, message):
    rows = read_jsonl(RL)[:2] + [row]
    with pytest.raises(ValueError, match=f"row 2: {message}"):
        list(prepare.convert(rows))


def test_main_writes_what_convert_gives(tmp_path):
    out = tmp_path / "data" / "t1_rl.jsonl"
    prepare.main(["--source", str(RL), "--out", str(out)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(RL)))
