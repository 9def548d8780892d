"""Each RL variant of r1kit/conf/algorithm through 3 real GRPO steps on the tiny model, through the real CLI.

The rewards below live here so the runs have signal (an untrained tiny model never gets the
format or the sum right) and so dynamic sampling's counts are known in advance.
"""

import math

import pytest
import yaml

from r1kit.rewards.text import completion_text
from tests.helpers import read_metrics, read_state, run_cli


def parity(completions, **_):
    """1 for completions of even length: about half of each group, so most groups carry signal."""
    return [float(len(completion_text(c)) % 2 == 0) for c in completions]


_calls = {"n": 0}


def signal_every_other_call(completions, **_):
    """All zeros on odd calls (no group has signal), then 0, 1, 0, 1... (every group has signal)."""
    _calls["n"] += 1
    return [0.0] * len(completions) if _calls["n"] % 2 else [float(i % 2) for i in range(len(completions))]


def constant(completions, **_):
    return [1.0] * len(completions)


HERE = "tests.integration.test_algorithms_cli"
RECIPE = """
defaults:
  - model: tiny
  - _self_
name: algorithms
datasets:
  problems: {adapter: addition, generator: {name: addition, n: 64, seed: 2}}
stages:
%s
eval: {data: null}
"""
STAGE = """
  %s:
    kind: grpo
    data: problems
    max_steps: 3
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 16
    learning_rate: %s
    logging_steps: 1
    save_strategy: "no"
    rewards: [{_target_: %s.%s}]
"""


def train(tmp_path, stages: dict, *overrides):
    """Run `r1kit train` on a recipe of grpo stages {name: (reward, learning_rate)}; return (config, metrics)."""
    recipe = tmp_path / "algorithms.yaml"
    recipe.write_text(RECIPE % "".join(STAGE % (name, lr, HERE, reward) for name, (reward, lr) in stages.items()))
    out = tmp_path / "run"
    run_cli("train", f"recipe={recipe}", f"output_dir={out}", *overrides, timeout=600)
    state = read_state(out)
    assert state["finished"] and all(s["steps"] == 3 for s in state["stages"].values())
    config = yaml.safe_load((out / "config.yaml").read_text())
    return config, [m for m in read_metrics(out) if "loss" in m]


@pytest.mark.parametrize("algorithm, settings, logged", [
    ("grpo", {"loss_type": "grpo", "scale_rewards": "group", "beta": 0.04}, ["kl", "clip_ratio/region_mean"]),
    ("dr_grpo", {"loss_type": "dr_grpo", "scale_rewards": "none", "beta": 0.0}, ["clip_ratio/region_mean"]),
    ("gspo", {"importance_sampling_level": "sequence", "epsilon": 3e-4, "steps_per_generation": 4},
     ["clip_ratio/region_mean"]),
    ("bnpo", {"loss_type": "bnpo", "epsilon_high": None}, ["clip_ratio/region_mean"]),
    ("dapo", {"loss_type": "dapo", "epsilon_high": 0.28, "mask_truncated_completions": True},
     ["dynamic_sampling/retries", "dynamic_sampling/dropped_groups", "dynamic_sampling/kept_without_signal"]),
    ("stable_reinforce", {"loss_type": "grpo", "steps_per_generation": 2},
     ["stable_reinforce/clamped_ratio", "stable_reinforce/filtered_advantages"]),
])
def test_each_algorithm_runs_three_grpo_steps(tmp_path, algorithm, settings, logged):
    config, metrics = train(tmp_path, {"rl": ("parity", 1e-4)}, f"stages.rl.algorithm={algorithm}")
    stage = config["stages"]["rl"]
    assert stage["algorithm"] == algorithm
    assert {k: stage[k] for k in settings} == settings
    assert [m["step"] for m in metrics] == [1, 2, 3]
    assert all(math.isfinite(m["loss"]) for m in metrics)
    for key in logged:
        assert any(key in m for m in metrics), (key, metrics[0].keys())


def test_dynamic_sampling_replaces_groups_without_signal_and_stops_at_the_cap(tmp_path):
    _, metrics = train(tmp_path, {"rl": ("signal_every_other_call", 1e-4), "flat": ("constant", 1e-4)},
                       "stages.rl.algorithm=dapo", "stages.flat.algorithm=dapo",
                       "stages.flat.dynamic_sampling.max_retries=2")
    rl = [m for m in metrics if m["stage"] == "rl"]
    # each step: the first batch has no signal (2 groups dropped), one retry fills it with signal
    assert [(m["dynamic_sampling/retries"], m["dynamic_sampling/dropped_groups"],
             m["dynamic_sampling/kept_without_signal"]) for m in rl] == [(1, 2, 0)] * 3
    assert all(m["frac_reward_zero_std"] == 0.5 for m in rl)  # TRL's figure averages both rounds
    flat = [m for m in metrics if m["stage"] == "flat"]
    # a reward that never differs: 2 retries, then the batch is kept as it was; training goes on
    assert [(m["dynamic_sampling/retries"], m["dynamic_sampling/dropped_groups"],
             m["dynamic_sampling/kept_without_signal"]) for m in flat] == [(2, 4, 2)] * 3


def test_stable_reinforce_clamps_the_ratio_after_a_huge_update(tmp_path):
    """With learning rate 1 the second step (off-policy: steps_per_generation 2) sees ratios far beyond 1e3."""
    _, metrics = train(tmp_path, {"rl": ("parity", 1.0)}, "stages.rl.algorithm=stable_reinforce")
    clamped = [m["stable_reinforce/clamped_ratio"] for m in metrics]
    assert clamped[0] == 0  # the first step of each generation is on-policy
    assert clamped[1] > 0
    assert all(math.isfinite(m["loss"]) for m in metrics)
