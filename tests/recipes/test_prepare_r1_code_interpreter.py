"""scripts/prepare_r1_code_interpreter{,_sft}.py: R1-Code-Interpreter's tasks and trajectories become r1kit rows."""

import json

import pytest

from r1kit.data.chat import ChatSFT
from r1kit.data.env_tasks import EnvironmentTask
from r1kit.rewards.match import exact_match
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

tasks = load_script(SCRIPTS / "prepare_r1_code_interpreter.py")
sft = load_script(SCRIPTS / "prepare_r1_code_interpreter_sft.py")


def test_tasks_keep_the_question_and_read_the_gold_of_each_solution_layout():
    raw = read_jsonl(FIXTURES / "r1_code_interpreter.jsonl")
    rows = list(tasks.convert(raw))
    assert [r["answer"] for r in rows] == ["13", "ABXCDXEFX", "apple kiwi mango pear", "24", "700"]
    assert all(r["prompt"] == src["question"].strip() and "<<<answer>>>" in r["prompt"] for r, src in zip(rows, raw))
    assert rows[0]["task_name"] == "new_operator_dataset"
    example = EnvironmentTask().example(rows[0])
    assert example["prompt"] == [{"role": "user", "content": rows[0]["prompt"]}]
    scores = exact_match(["I computed it.\n<<<13>>>", "<<<12>>>", "13"], answer=[example["answer"]] * 3,
                         delimiters=["<<<", ">>>"])
    assert scores == [1.0, 0.0, 0.0]


def test_a_task_row_without_question_or_solution_is_refused():
    with pytest.raises(ValueError, match="no question"):
        list(tasks.convert([{"task": "t", "sample": "sample_0", "question": " ", "solution": "1"}]))
    with pytest.raises(ValueError, match="none of the keys"):
        list(tasks.convert([{"task": "t", "sample": "sample_0", "question": "q", "solution": '{"x": 1}'}]))


def test_main_reads_the_published_folders(tmp_path):
    for task, sample, answer in (("string_insertion", "sample_1", "AB"), ("MATH", "sample_2", "7")):
        folder = tmp_path / "data" / task / sample
        folder.mkdir(parents=True)
        (folder / "question.txt").write_text(f"question of {task}", encoding="utf-8")
        (folder / "solution.json").write_text(json.dumps({"answer": answer}), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    tasks.main(["--source", str(tmp_path / "data"), "--out", str(out)])
    assert [json.loads(line) for line in out.read_text().splitlines()] == [
        {"prompt": "question of MATH", "answer": "7", "task_name": "MATH"},
        {"prompt": "question of string_insertion", "answer": "AB", "task_name": "string_insertion"}]


def test_trajectories_run_their_code_through_python_tool_calls():
    rows = list(sft.convert(read_jsonl(FIXTURES / "r1_code_interpreter_sft.jsonl")))
    first = rows[0]["messages"]
    assert [m["role"] for m in first] == ["user", "assistant", "tool", "assistant"]
    assert first[1]["content"] == "Let me compute it with code."
    assert first[1]["tool_calls"][0]["function"] == {"name": "python", "arguments": {"code": "print(3*5 - 2*2)"}}
    assert first[2] == {"role": "tool", "name": "python", "content": "11"}
    assert [r.get("answer") for r in rows] == ["11", "9", "cherry date fig", "144"]
    assert [m["role"] for m in rows[3]["messages"]] == ["user", "assistant"]  # an answer without code stays text
    example = ChatSFT(tools=["python"]).example(rows[2])  # ShareGPT rows too, through the recipe's adapter
    assert example["prompt"] == example["messages"][:1] and example["answer"] == "cherry date fig"


def test_code_results_without_code_are_refused():
    row = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "no code here"},
                        {"role": "user", "content": "Code Execution Results: 1"},
                        {"role": "assistant", "content": "<<<1>>>"}]}
    with pytest.raises(ValueError, match="no ```python block"):
        list(sft.convert([row]))
