"""The tool_addition generator and tool-use trajectories through the chat_sft adapter."""

import json

import pytest

from r1kit.data.chat import ChatSFT
from r1kit.data.load import generate_rows
from r1kit.data.tool_tasks import tool_addition
from r1kit.errors import UserError


def test_trajectories_call_the_calculator_and_slips_make_wrong_answers():
    rows = tool_addition(n=200, digits=6, seed=0, slip_rate=0.3)
    slipped = 0
    for row in rows:
        user, call, tool, answer = row["messages"]
        a, b = (int(x) for x in user["content"].removesuffix(" = ?").split(" + "))
        assert len(str(a)) == len(str(b)) == 6 and row["answer"] == str(a + b)
        expression = call["tool_calls"][0]["function"]["arguments"]["expression"]
        x = int(expression.split(" + ")[0])
        assert tool["content"] == str(x + b) and answer["content"] == f"<answer>{x + b}</answer>"
        slipped += x != a
        assert len(str(x)) == 6 and sum(p != q for p, q in zip(str(x), str(a))) <= 1
    assert 40 <= slipped <= 80  # ~30% of 200


def test_the_blind_spot_answers_worded_problems_in_the_head_but_not_always():
    rows = tool_addition(n=400, digits=6, seed=0, worded=0.5, blind_spot_rate=0.8)
    worded = [r for r in rows if r["messages"][0]["content"].startswith("What is ")]
    in_head = [r for r in rows if len(r["messages"]) == 2]
    assert 160 <= len(worded) <= 240  # ~50% of 400
    assert all(r in worded for r in in_head)  # a problem written `a + b = ?` always gets the calculator
    assert 0.7 <= len(in_head) / len(worded) <= 0.9  # ~80% of the worded ones, so tool calls are still seen there
    for row in in_head:
        guess = row["messages"][1]["content"].removeprefix("<answer>").removesuffix("</answer>")
        keep = len(row["answer"]) - len(row["answer"]) // 2
        assert guess != row["answer"] and guess[:keep] == row["answer"][:keep]  # the leading half right, the rest not
    for row in worded:
        a, b = (int(x) for x in row["messages"][0]["content"].removeprefix("What is ").removesuffix("?").split(" plus "))
        assert row["answer"] == str(a + b)


def test_the_teacher_does_not_change_the_problems():
    plain = tool_addition(n=50, seed=3, worded=0.5)
    taught = tool_addition(n=50, seed=3, worded=0.5, blind_spot_rate=0.8, slip_rate=0.3)
    assert [r["messages"][0] for r in plain] == [r["messages"][0] for r in taught]
    assert [r["answer"] for r in plain] == [r["answer"] for r in taught]


def test_sum_digits_keeps_problems_whose_sums_have_that_many_digits():
    rows = tool_addition(n=200, digits=6, seed=0, worded=0.5, blind_spot_rate=0.8, sum_digits=7)
    assert all(len(r["answer"]) == 7 for r in rows)  # every reply and answer the same length
    assert all(len(r["messages"][2]["content"]) == 7 for r in rows if len(r["messages"]) == 4)
    assert all(len(r["answer"]) == 6 for r in tool_addition(n=100, digits=6, seed=0, sum_digits=6))
    assert tool_addition(n=20, seed=4) == tool_addition(n=20, seed=4, sum_digits=None)  # unchanged without it
    with pytest.raises(UserError, match=r"tool_addition generator: sum_digits=9 must be digits \(6\) or digits \+ 1"):
        generate_rows({"name": "tool_addition", "n": 1, "digits": 6, "sum_digits": 9}, "datasets.traces")


def test_phrasing_words_the_blind_spot_problems():
    rows = tool_addition(n=100, seed=0, worded=0.5, blind_spot_rate=0.8, phrasing="What is {a} + {b} = ?")
    worded = [r for r in rows if r["messages"][0]["content"].startswith("What is ")]
    assert 30 <= len(worded) <= 70 and all(r["messages"][0]["content"].endswith(" = ?") for r in worded)
    for row in worded:
        a, b = row["messages"][0]["content"].removeprefix("What is ").removesuffix(" = ?").split(" + ")
        assert row["answer"] == str(int(a) + int(b))
    with pytest.raises(UserError, match=r"phrasing='Add \{a\}' must hold \{a\} and \{b\} once each"):
        generate_rows({"name": "tool_addition", "n": 1, "phrasing": "Add {a}"}, "datasets.traces")


@pytest.mark.parametrize("option", ["slip_rate", "worded", "blind_spot_rate"])
def test_rates_outside_0_to_1_are_refused_by_name(option):
    with pytest.raises(UserError, match=f"datasets.traces.generator: tool_addition generator: {option}=1.5"):
        generate_rows({"name": "tool_addition", "n": 1, option: 1.5}, "datasets.traces")


def test_chat_sft_reads_a_trajectory_with_its_gold_answer_and_tool_schemas():
    row = tool_addition(n=1, seed=1)[0]
    adapter = ChatSFT(tools=["calculator"], metric="exact_match")
    example = adapter.example(row)
    assert example["prompt"] == [row["messages"][0]]  # the task, up to the first assistant turn
    assert example["answer"] == row["answer"] and adapter.metric == "exact_match"
    call = example["messages"][1]["tool_calls"][0]["function"]
    assert json.loads(call["arguments"]) == {"expression": row["messages"][1]["tool_calls"][0]["function"]["arguments"]["expression"]}
    assert json.loads(example["tools"])[0]["function"]["name"] == "calculator"


def test_chat_sft_lists_an_environments_tools_after_the_stages_as_trl_does():
    row = tool_addition(n=1, seed=1)[0]
    example = ChatSFT(tools=["calculator"], environment="file_tree").example(row)
    assert [t["function"]["name"] for t in json.loads(example["tools"])] == ["calculator", "cat", "cd", "ls", "submit"]
    assert "self" not in json.loads(example["tools"])[2]["function"]["parameters"]["properties"]
    with pytest.raises(UserError, match="name one environment"):
        ChatSFT(environment={"a": "file_tree", "b": "search"})
    with pytest.raises(UserError, match="nowhere"):
        ChatSFT(environment="nowhere")
