"""Stage kinds: each shipped one is a module plus its defaults file; one of your own plugs in by dotted path."""

import dataclasses

import pytest

from r1kit.errors import UserError
from r1kit.stages import STAGE_KINDS
from r1kit.stages.common import StageSchema
from tests.helpers import REPO, read_state, run_cli

CUSTOM = "tests.stages.custom_kind.KIND"
RECIPE = """\
defaults:
  - model: tiny
  - logger: none
  - _self_
name: custom
datasets:
  traces: {{adapter: addition, generator: {{name: addition, n: 32, digits: 2}}}}
stages:
  warm:
    kind: {kind}
    data: traces
    note: {note}
    max_steps: 2
    per_device_train_batch_size: 8
    save_steps: 1
eval: {{data: null}}
"""


def test_every_shipped_kind_is_its_module_and_defaults_file():
    assert STAGE_KINDS.names() == ["dpo", "generate", "grpo", "merge", "reward_model", "sft"]
    for name in STAGE_KINDS.names():
        kind = STAGE_KINDS.get(name)
        assert kind.name == name
        assert (REPO / "r1kit" / "conf" / "stage" / f"{name}.yaml").is_file()
        assert issubclass(kind.schema, StageSchema)
        own = {f.name for f in dataclasses.fields(kind.schema)}
        assert {"kind", "data", "init_from", "evaluate"} <= own


def test_a_kind_of_your_own_validates_its_keys_and_trl_options(make_config, write_recipe):
    stage = make_config(recipe=write_recipe(RECIPE.format(kind=CUSTOM, note="hello")))["stages"]["warm"]
    assert stage["note"] == "hello" and stage["max_steps"] == 2
    with pytest.raises(UserError, match=r"stages\.warm\.note: refused by the custom kind"):
        make_config(recipe=write_recipe(RECIPE.format(kind=CUSTOM, note="refuse")))
    with pytest.raises(UserError, match=r"stages\.warm\.num_generations: unknown key for a noted_sft stage.*SFTConfig"):
        make_config(["+stages.warm.num_generations=4"], recipe=write_recipe(RECIPE.format(kind=CUSTOM, note="x")))
    with pytest.raises(UserError, match=r"stages\.warm\.kind.*cannot import module `no_such_pkg"):
        make_config(recipe=write_recipe(RECIPE.format(kind="no_such_pkg.KIND", note="x")))


def test_a_kind_of_your_own_trains_through_the_cli(write_recipe, tmp_path):
    recipe = write_recipe(RECIPE.format(kind=CUSTOM, note="hello"))
    out = tmp_path / "run"
    run_cli("train", f"recipe={recipe}", f"output_dir={out}", cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
    state = read_state(out)
    assert state["finished"] and state["stages"]["warm"]["steps"] == 2
    assert (out / "stages" / "0-warm" / "final" / "config.json").is_file()
