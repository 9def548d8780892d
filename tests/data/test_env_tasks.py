"""The generators of environment tasks: seeded rows whose gold calls and hidden codes their environments accept."""

import json

from r1kit.data.env_tasks import file_tree, function_calls
from r1kit.data.load import generate_rows
from r1kit.environments.file_tree import FileTree
from r1kit.environments.function_calling import FunctionCalling


def test_function_calls_rows_ask_for_their_gold_calls_and_the_gold_calls_earn_full_reward():
    rows = function_calls(n=50, seed=3, max_calls=2)
    assert rows == generate_rows({"name": "function_calls", "n": 50, "seed": 3}, "datasets.calls")
    assert rows != function_calls(n=50, seed=4)
    assert {len(r["gold_calls"]) for r in rows} == {1, 2}
    env = FunctionCalling()
    for row in rows:
        text = row["prompt"][0]["content"]
        assert json.loads(row["answer"]) == row["gold_calls"] and row["task"] == "function_calls"
        env.reset(**row)
        for call in row["gold_calls"]:
            assert all(str(v) in text for v in call["arguments"].values())
            assert not getattr(env, call["name"])(**call["arguments"]).startswith("error")
        assert env.get_reward() == 1.0


def test_file_tree_rows_hide_the_code_at_the_deepest_level():
    rows = generate_rows({"name": "file_tree", "n": 20, "seed": 1, "depth": 3}, "datasets.trees")
    assert rows == file_tree(n=20, seed=1, depth=3) and rows != file_tree(n=20, seed=2, depth=3)
    env = FileTree()
    for row in rows:
        (vault,) = [f for f in row["tree"] if f["path"].endswith("vault.txt")]
        assert vault["path"].count("/") == 3 and vault["content"] == f"access code: {row['answer']}"
        env.reset(**row)
        *folders, name = vault["path"].split("/")
        for folder in folders:  # several actions: one cd per level, then cat and submit
            assert folder + "/" in env.ls().splitlines() and env.cd(folder).startswith("now in")
        assert env.cat(name) == vault["content"]
        env.submit(row["answer"])
        assert env.get_reward() == 1.0
