"""Environments from YAML specs: resolution and checks before any model loads, and the guard on every instance."""

import inspect

import pytest

from r1kit.environments import ENVIRONMENTS, check_rows, episodes, resolve_environment
from r1kit.environments.guard import GuardedFactory
from r1kit.errors import UserError

HERE = "tests.environments.counter"


def test_the_four_shipped_environments_are_registered_by_name():
    assert ENVIRONMENTS.names() == ["file_tree", "function_calling", "python_session", "search"]


def test_a_spec_is_a_name_a_mapping_with_options_or_a_mapping_per_row(monkeypatch):
    from tests.environments.counter import Counter

    monkeypatch.setitem(ENVIRONMENTS._entries, "counter_for_tests", Counter)
    one = resolve_environment("counter_for_tests", "stages.rl.environment")
    assert isinstance(one, GuardedFactory) and one().start == 0
    assert resolve_environment({"_target_": f"{HERE}.Counter", "start": 5}, "e")().total == 5
    assert resolve_environment({"name": "counter_for_tests", "start": 2}, "e").options == {"start": 2}
    per_row = resolve_environment({"a": "counter_for_tests", "b": {"_target_": f"{HERE}.Counter", "start": 1}}, "e")
    assert sorted(per_row) == ["a", "b"] and per_row["b"]().total == 1
    assert resolve_environment(None, "e") is None


@pytest.mark.parametrize("spec, message", [
    ("countr", r"unknown stages.rl.environment 'countr'"),
    ({"_target_": f"{HERE}.Missing"}, r"module `tests.environments.counter` has no attribute `Missing`"),
    ({"_target_": f"{HERE}.not_a_class"}, r"is not a class"),
    ({"_target_": f"{HERE}.NoReset"}, r"NoReset has no `reset` method"),
    ({"_target_": f"{HERE}.Counter", "size": 3}, r"Counter does not take these options .*unexpected keyword"),
    ({"_target_": f"{HERE}.Undocumented"}, r"cannot be shown how to call Undocumented.poke"),
    ({"web": {"_target_": f"{HERE}.Undocumented"}}, r"stages.rl.environment.web: the model cannot be shown"),
])
def test_a_bad_spec_is_refused_with_the_key_and_the_fix(spec, message):
    with pytest.raises(UserError, match=message):
        resolve_environment(spec, "stages.rl.environment")


def test_rows_must_name_an_environment_of_a_per_row_mapping():
    factory = resolve_environment({"a": f"{HERE}.Counter", "b": f"{HERE}.Counter"}, "e")
    with pytest.raises(UserError, match=r"dataset 'train' has no `environment` column"):
        check_rows(factory, ["prompt"], [], "stages.rl", "train")
    with pytest.raises(UserError, match=r"rows with environment \['c'\], which stages.rl.environment does not name"):
        check_rows(factory, ["prompt", "environment"], ["a", "c"], "stages.rl", "train")
    makers, resets = episodes(factory, [{"prompt": "p", "environment": "b", "target": 2}], "e", "train")
    assert makers == [factory["b"]] and resets == [{"prompt": "p", "target": 2}]  # as TRL resets in multi mode


def test_a_guarded_instance_keeps_its_tools_where_trl_looks_and_counts_what_fails(monkeypatch):
    from transformers.utils import get_json_schema

    from r1kit.tools import guard as tool_guard

    monkeypatch.setattr(tool_guard, "SECONDS", 0.3)
    monkeypatch.setattr(tool_guard, "MAX_CHARS", 100)
    factory = resolve_environment({"_target_": f"{HERE}.Counter"}, "e")
    env = factory()
    # TRL lists the tools on the class and takes them from the instance: it finds the guarded ones
    names = [n for n, _ in inspect.getmembers(type(env), predicate=inspect.isfunction)
             if n not in ("reset", "get_reward") and not n.startswith("_")]
    assert names == ["add", "fail", "flood", "hang"]
    assert all(getattr(env, n).__wrapped__ is not None for n in names)
    assert get_json_schema(env.add)["function"]["parameters"]["properties"] == {
        "n": {"type": "integer", "description": "how much to add"}}
    assert env.reset(target=4) == " Reach 4." and env.add(n=4) == "4" and env.get_reward() == 1.0
    with pytest.raises(ValueError, match="the counter broke"):
        env.fail()
    with pytest.raises(TimeoutError, match="did not return within 0.3 s"):
        env.hang()
    assert env.flood().endswith("(999900 more characters cut)")
    assert env.reset(task="broken") is None and factory.errors["reset"] == 1  # counted, not raised
    with pytest.raises(RuntimeError, match=r"could not be started for this task \(RuntimeError: no such task\)"):
        env.add(n=1)
    assert env.get_reward() is None  # an episode without its environment is not scored by it
    env.reset(target=1)
    env.add(n=1)
    assert env.get_reward() == 1.0  # the next row starts clean
