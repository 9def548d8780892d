"""The dpo stage kind's checks, before any model loads."""

import pytest

from r1kit.errors import UserError

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: dpo_check
datasets:
  pairs: {adapter: preference_pairs, generator: {name: preference, n: 16}}
stages:
  dpo: {kind: dpo, data: pairs, max_steps: 2}
eval: {data: null}
"""


@pytest.fixture
def validate(tmp_path, make_config):
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    return lambda *overrides: make_config(list(overrides), recipe=str(tmp_path / "recipe.yaml"))


def test_defaults_and_yaml_options_reach_the_stage(validate):
    stage = validate("stages.dpo.beta=0.3", "stages.dpo.loss_type=[sigmoid,sft]", "stages.dpo.loss_weights=[1.0,0.5]")
    stage = stage["stages"]["dpo"]
    assert stage["kind"] == "dpo" and stage["beta"] == 0.3 and stage["loss_type"] == ["sigmoid", "sft"]
    assert validate()["stages"]["dpo"]["loss_type"] == ["sigmoid"]


@pytest.mark.parametrize("override, message", [
    ("stages.dpo.loss_type=[sigmod]", r"stages.dpo.loss_type: unknown loss 'sigmod'. Did you mean 'sigmoid'"),
    ("stages.dpo.loss_type=sigmoid", r"stages.dpo.loss_type='sigmoid': expected a list"),
    ("stages.dpo.loss_weights=[1.0,2.0]", r"loss_weights has 2 weight\(s\) for 1 loss\(es\)"),
    ("stages.dpo.beta=-1", r"stages.dpo.beta=-1"),
    ("stages.dpo.betta=0.1", r"stages.dpo.betta: unknown key for a dpo stage. Did you mean 'beta'\?"),
    ("+stages.dpo.rewards=[{name: think_format}]", r"stages.dpo.rewards: only generate or grpo stages use rewards"),
])
def test_mistakes_are_named_before_any_model_loads(validate, override, message):
    with pytest.raises(UserError, match=message):
        validate(override)
