"""scripts/prepare_webarena_lite.py: WebArena-Lite task configs become file-tree stand-in tasks with a demonstration."""

import json

import pytest

from r1kit.data.chat import ChatSFT
from r1kit.data.env_tasks import EnvironmentTask
from r1kit.environments.file_tree import FileTree
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_webarena_lite.py")
RAW = read_jsonl(FIXTURES / "webarena_lite.jsonl")


def test_string_match_tasks_are_kept_with_their_reference_answer():
    rows = list(prepare.convert(RAW))
    kept = [r for r in RAW if "string_match" in r["eval"]["eval_types"]
            and r["eval"]["reference_answers"].get("fuzzy_match") != "N/A"]
    assert [r["task_id"] for r in rows] == [r["task_id"] for r in kept]  # url_match, program_html and N/A left out
    answers = {r["task_id"]: r["answer"] for r in rows}
    assert answers[3] == "Sprite Yoga Strap 6 foot"  # must_include
    assert answers[17] == "265.69"  # exact_match before the raw annotation's "$265.69"
    assert answers[42] == "Eric Bailey, Bailey"  # several required strings, joined
    assert answers[58] == "Pittsburgh International Airport"  # fuzzy_match
    assert all(r["prompt"] == next(x["intent"] for x in RAW if x["task_id"] == r["task_id"]) for r in rows)


def test_the_demonstration_solves_its_task_in_the_file_tree_environment():
    for row in prepare.convert(RAW):
        env = FileTree()
        env.reset(tree=row["tree"], answer=row["answer"])
        calls = [m for m in row["messages"] if m.get("tool_calls")]
        replies = [m for m in row["messages"] if m["role"] == "tool"]
        assert [c["tool_calls"][0]["function"]["name"] for c in calls] == ["ls", "cd", "ls", "cat", "submit"]
        for call, reply in zip(calls, replies, strict=True):
            fn = call["tool_calls"][0]["function"]
            assert getattr(env, fn["name"])(**json.loads(fn["arguments"])) == reply["content"]
        assert env.get_reward() == 1.0
        assert row["messages"][-1]["content"].endswith(f"<answer>{row['answer']}</answer>")


def test_rows_read_by_the_recipes_adapters():
    row = next(prepare.convert(RAW))
    sft = ChatSFT(environment="file_tree").example(row)
    assert sft["prompt"] == [{"role": "user", "content": row["prompt"]}]
    assert [t["function"]["name"] for t in json.loads(sft["tools"])] == ["cat", "cd", "ls", "submit"]
    task = EnvironmentTask(keep=["tree"]).example(row)
    assert set(task) == {"prompt", "answer", "task", "tree"} and task["answer"] == row["answer"]


def test_a_task_without_its_instruction_or_eval_config_is_named():
    with pytest.raises(ValueError, match="task 9: no `intent`"):
        list(prepare.convert([dict(RAW[0], task_id=9, intent=" ")]))
    with pytest.raises(TypeError, match="task 3: no `eval`"):
        list(prepare.convert([{k: v for k, v in RAW[0].items() if k != "eval"}]))
