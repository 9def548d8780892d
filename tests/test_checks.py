"""The schema checks every section owner shares."""

from dataclasses import dataclass, field

import pytest
from omegaconf import MISSING

from r1kit.checks import above, at_least, check_value, looks_local, typed
from r1kit.errors import UserError


@dataclass
class Inner:
    rate: float = 0.5


@dataclass
class Section:
    name: str = MISSING
    count: int = 1
    inner: Inner = field(default_factory=Inner)


def test_typed_fills_defaults_and_names_the_key_at_fault():
    assert typed(Section, {"name": "a"}, "sec") == {"name": "a", "count": 1, "inner": {"rate": 0.5}}
    with pytest.raises(UserError, match=r"^sec\.name is required but missing"):
        typed(Section, {}, "sec")
    with pytest.raises(UserError, match=r"sec\.inner\.rat: unknown key\. Did you mean 'rate'\? Known keys here: rate"):
        typed(Section, {"name": "a", "inner": {"rat": 1}}, "sec")
    with pytest.raises(UserError, match=r"^sec\.count: .*'many'.*Fix the value"):
        typed(Section, {"name": "a", "count": "many"}, "sec")


def test_looks_local_tells_paths_from_hub_ids():
    assert looks_local("./data.jsonl") and looks_local("/models/x") and looks_local("rows.parquet")
    assert not looks_local("Qwen/Qwen2.5-0.5B-Instruct")


@dataclass
class Bounded:
    count: int = field(default=1, metadata=at_least(1))
    rate: float = field(default=0.5, metadata=at_least(0, lt=1))
    steps: int | None = field(default=None, metadata={"ge": -1, "ne": 0})
    inner: Inner = field(default_factory=Inner)


def test_typed_enforces_the_bounds_fields_carry_as_metadata():
    assert typed(Bounded, {"count": 3, "rate": 0.0, "steps": -1}, "sec")["count"] == 3
    assert typed(Bounded, {}, "sec")["steps"] is None  # null passes: whether a key may be null is the schema's type
    with pytest.raises(UserError, match=r"^sec\.count=0: must be at least 1\.$"):
        typed(Bounded, {"count": 0}, "sec")
    with pytest.raises(UserError, match=r"^sec\.rate=1\.0: must be at least 0 and must be less than 1\.$"):
        typed(Bounded, {"rate": 1.0}, "sec")
    with pytest.raises(UserError, match=r"^steps=0: must be at least -1 and must not be 0\.$"):
        typed(Bounded, {"steps": 0}, "")


def test_bounds_are_checked_inside_nested_sections():
    @dataclass
    class Outer:
        section: Bounded = field(default_factory=Bounded)

    with pytest.raises(UserError, match=r"^top\.section\.count=-2: must be at least 1\.$"):
        typed(Outer, {"section": {"count": -2}}, "top")


def test_check_value_takes_a_bounds_table_and_ignores_what_is_not_a_number():
    check_value("k", "text", {"ge": 1})
    check_value("k", True, {"ge": 2})
    with pytest.raises(UserError, match=r"^k=0: must be greater than 0\.$"):
        check_value("k", 0, above(0))
