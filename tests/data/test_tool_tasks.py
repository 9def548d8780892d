"""The tool_addition generator and tool-use trajectories through the chat_sft adapter."""

import json

from r1kit.data.chat import ChatSFT
from r1kit.data.tool_tasks import tool_addition


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


def test_chat_sft_reads_a_trajectory_with_its_gold_answer_and_tool_schemas():
    row = tool_addition(n=1, seed=1)[0]
    adapter = ChatSFT(tools=["calculator"], metric="exact_match")
    example = adapter.example(row)
    assert example["prompt"] == [row["messages"][0]]  # the task, up to the first assistant turn
    assert example["answer"] == row["answer"] and adapter.metric == "exact_match"
    call = example["messages"][1]["tool_calls"][0]["function"]
    assert json.loads(call["arguments"]) == {"expression": row["messages"][1]["tool_calls"][0]["function"]["arguments"]["expression"]}
    assert json.loads(example["tools"])[0]["function"]["name"] == "calculator"
