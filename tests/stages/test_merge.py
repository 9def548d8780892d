"""The merge stage kind: its checks before any model loads, and its arithmetic through the real CLI."""

import pytest

from r1kit.errors import UserError
from tests.helpers import REPO, read_state, run_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: merge_check
seed: 0
datasets:
  traces: {adapter: addition, generator: {name: addition, n: 64, seed: 1}}
stages:
  sft: {kind: sft, data: traces, max_steps: 4, per_device_train_batch_size: 8, learning_rate: 1.0e-3}
  halfway:   # linear merge of the base model and the SFT model
    kind: merge
    init_from: base
    models: [{model: start, weight: 0.5}, {model: "stage:sft", weight: 0.5}]
  back:      # task arithmetic: 2 x halfway - sft = the base model again
    kind: merge
    init_from: base
    models: [{model: "stage:halfway", weight: 2.0}, {model: "stage:sft", weight: -1.0}]
  base_copy: {kind: merge, init_from: base, models: [{model: start, weight: 1.0}]}
eval: {data: null}
"""


@pytest.fixture
def validate(tmp_path, make_config):
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    return lambda *overrides: make_config(list(overrides), recipe=str(tmp_path / "recipe.yaml"))


@pytest.mark.parametrize("override, message", [
    ("+stages.halfway.learning_rate=0.1", "stages.halfway.learning_rate: a merge stage trains nothing"),
    ("stages.halfway.data=traces", "stages.halfway.data: a merge stage reads weights, not rows"),
    ("stages.halfway.models=[]", "stages.halfway.models: list the models to combine"),
    ("stages.halfway.models=[{model: start}]", r"stages.halfway.models\[0\]: give `model` and `weight`"),
    ("stages.halfway.models=[{model: start, weight: half}]", r"models\[0\].weight='half': expected a number"),
    ("stages.halfway.models=[{model: nowhere, weight: 1}]", r"models\[0\].model='nowhere': use `start`"),
    ("stages.halfway.models=[{model: 'stage:back', weight: 1}]", "`stage:back` must name an earlier stage"),
    ("launcher=zero3", "a merge needs whole weights in one process"),
])
def test_mistakes_are_named_before_any_model_loads(validate, override, message):
    with pytest.raises(UserError, match=message):
        validate(override)


def test_a_training_stage_still_needs_data(validate):
    with pytest.raises(UserError, match=r"stages.sft.data=None: name a dataset"):
        validate("stages.sft.data=null")


def test_merges_are_exact_weight_arithmetic(tmp_path):
    from safetensors.torch import load_file

    (tmp_path / "recipe.yaml").write_text(RECIPE)
    run_cli("train", "recipe=recipe.yaml", "output_dir=out", cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
    finals = {name: load_file(str(tmp_path / "out" / "stages" / f"{i}-{name}" / "final" / "model.safetensors"))
              for i, name in enumerate(["sft", "halfway", "back", "base_copy"])}
    base, sft, half = finals["base_copy"], finals["sft"], finals["halfway"]
    assert any((sft[k] - base[k]).abs().max() > 1e-3 for k in base)  # SFT moved the weights
    for key in base:
        assert (half[key] - (0.5 * base[key] + 0.5 * sft[key])).abs().max() <= 1e-6, key
        assert (finals["back"][key] - base[key]).abs().max() <= 1e-5, key
    state = read_state(tmp_path / "out")
    assert state["stages"]["halfway"]["steps"] == 0 and state["stages"]["halfway"]["data"] is None
    assert (tmp_path / "out" / "stages" / "1-halfway" / "final" / "tokenizer_config.json").is_file()
