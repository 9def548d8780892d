"""The schema checks every section owner shares."""

from dataclasses import dataclass, field

import pytest
from omegaconf import MISSING

from r1kit.checks import looks_local, typed
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
