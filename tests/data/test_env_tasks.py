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


# --- the environment_task adapter: the rows reach reset(**row) with the columns the environment reads -----------------


def test_environment_task_rows_keep_what_the_environment_reads():
    import pytest

    from r1kit.data.env_tasks import EnvironmentTask
    from r1kit.errors import UserError

    row = function_calls(n=1, seed=0)[0]
    example = EnvironmentTask(system_prompt="Use the tools.").example(row)
    assert example["prompt"] == [{"role": "system", "content": "Use the tools."}, *row["prompt"]]
    assert example["gold_calls"] == row["gold_calls"] and example["answer"] == row["answer"]
    assert example["task"] == "function_calls"
    env = FunctionCalling()
    env.reset(**example)  # the example row as TRL hands it over
    for call in row["gold_calls"]:
        getattr(env, call["name"])(**call["arguments"])
    assert env.get_reward() == 1.0

    tree = file_tree(n=1, seed=0)[0]
    only = EnvironmentTask(keep=["tree"]).example({**tree, "note": "dropped", "prompt": "Find the code."})
    assert set(only) == {"prompt", "answer", "task", "tree"}
    assert only["prompt"] == [{"role": "user", "content": "Find the code."}]
    with pytest.raises(UserError, match=r"`keep` names column\(s\) \['gold_calls'\]"):
        EnvironmentTask(keep=["gold_calls"]).check_columns(["prompt", "tree"], "datasets.trees")
    with pytest.raises(ValueError, match="neither text nor chat messages"):
        EnvironmentTask().example({"prompt": 3})
    with pytest.raises(TypeError, match="keep='tree' must be a list"):
        EnvironmentTask(keep="tree")
