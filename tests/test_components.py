"""One way to name a component: a registered name or `_target_`, options beside it."""

import pytest

from r1kit.components import Registry
from r1kit.errors import UserError


def test_entries_import_when_first_asked_for_and_specs_split_into_component_and_options():
    registry = Registry("thing", {"join": "os.path.join"})
    import os.path

    assert registry.get("join") is os.path.join
    assert registry.resolve("join") == (os.path.join, {})
    assert registry.resolve({"name": "join", "a": 1}) == (os.path.join, {"a": 1})
    assert registry.resolve({"_target_": "os.path.basename", "b": 2}) == (os.path.basename, {"b": 2})
    assert registry.get("os.path.dirname") is os.path.dirname  # a dotted path works as a name too


def test_mistakes_name_the_key_and_suggest():
    registry = Registry("thing", {"join": "os.path.join"})
    with pytest.raises(UserError, match=r"unknown datasets\.x\.generator 'jion'\. Did you mean 'join'\?"):
        registry.resolve({"name": "jion"}, "datasets.x.generator")
    with pytest.raises(UserError, match="has both `name: join` and `_target_: os.sep`; keep one"):
        registry.resolve({"name": "join", "_target_": "os.sep"})
    with pytest.raises(UserError, match="needs `name`"):
        registry.resolve({"a": 1})
    with pytest.raises(UserError, match="cannot import module `no_such_pkg`"):
        registry.resolve({"_target_": "no_such_pkg.fn"})


def test_register_adds_an_object_once():
    registry = Registry("thing")

    @registry.register("mine")
    def mine():
        return 1

    assert registry.get("mine") is mine and registry.names() == ["mine"]
    with pytest.raises(ValueError):
        registry.register("mine")(mine)
