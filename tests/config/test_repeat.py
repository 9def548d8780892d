"""`repeat:` unrolls a block of consecutive stages k times, before validation; a run trains the rounds in order."""

import pytest

from r1kit.errors import UserError
from tests.helpers import REPO, read_state, run_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: repeat_check
seed: 0
datasets:
  traces: {adapter: addition, generator: {name: addition, n: 64, seed: 1}}
  problems: {adapter: addition, generator: {name: addition, n: 64, seed: 2}}
stages:
  warm: {kind: sft, data: traces, max_steps: 1, per_device_train_batch_size: 8}
  sft: {kind: sft, data: traces, max_steps: 2, per_device_train_batch_size: 8}
  rl:
    kind: grpo
    data: problems
    init_from: sft
    max_steps: 2
    per_device_train_batch_size: 4
    num_generations: 4
    max_completion_length: 8
    rewards: [{name: exact_match}]
repeat: {stages: [sft, rl], times: 3}
eval: {data: null}
"""


@pytest.fixture
def validate(tmp_path, make_config):
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    return lambda *overrides: make_config(list(overrides), recipe=str(tmp_path / "recipe.yaml"))


def test_the_block_is_unrolled_in_order_and_references_point_into_their_round(validate):
    recipe = validate()
    assert list(recipe["stages"]) == ["warm", "sft", "rl", "sft_2", "rl_2", "sft_3", "rl_3"]
    assert [recipe["stages"][s]["init_from"] for s in ("sft_2", "rl_2", "rl_3")] == ["previous", "sft_2", "sft_3"]
    assert recipe["stages"]["rl_3"]["rewards"] == recipe["stages"]["rl"]["rewards"]
    assert recipe["repeat"] is None  # config.yaml holds the rounds themselves, so it reruns as it ran


@pytest.mark.parametrize("override, message", [
    ("repeat.stages=[warm,rl]", "must follow each other"),
    ("repeat.stages=[sft,rlx]", r"repeat.stages=\['sft', 'rlx'\]: name stages of this recipe"),
    ("repeat.times=0", "repeat.times=0: a whole number of rounds"),
    ("+repeat.every=2", "repeat=.*give `repeat: {stages:"),
    ("+stages.sft_2={kind: sft, data: traces}", "round 2 of stage sft would be named sft_2"),
])
def test_mistakes_are_named(validate, override, message):
    with pytest.raises(UserError, match=message):
        validate(override)


def test_a_run_trains_every_round_each_from_the_one_before(tmp_path):
    (tmp_path / "recipe.yaml").write_text(RECIPE.replace("times: 3", "times: 2").replace("    init_from: sft\n", ""))
    run_cli("train", "recipe=recipe.yaml", "output_dir=out", cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
    state = read_state(tmp_path / "out")
    assert {name: rec["from"] for name, rec in state["stages"].items()} == {
        "warm": "base", "sft": "stages/0-warm/final", "rl": "stages/1-sft/final",
        "sft_2": "stages/2-rl/final", "rl_2": "stages/3-sft_2/final"}
    assert all(rec["status"] == "done" for rec in state["stages"].values())
