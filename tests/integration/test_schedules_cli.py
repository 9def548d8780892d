"""Schedules observed in metrics.jsonl from real GRPO runs on the tiny model.

PTST (growing max_completion_length, shrinking num_generations over consecutive GRPO
stages, written with YAML anchors), reward-weight annealing within a stage, a
difficulty curriculum (easy rows first, no shuffling) and domain-aware sampling.
"""

import pytest

from tests.helpers import read_metrics, run_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: schedules
datasets:
  easy_to_hard:
    adapter: addition
    generator:
      name: by_difficulty
      parts:
        - {name: addition, n: 4, digits: 1, seed: 1}
        - {name: addition, n: 4, digits: 2, seed: 2}
  problems: {adapter: addition, generator: {name: addition, n: 32, seed: 3}}
stages:
  curriculum:
    kind: grpo
    data: easy_to_hard
    shuffle_dataset: false          # easy prompts first: 2 prompts a step, so difficulty 2 from step 3
    max_steps: 4
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 8
    logging_steps: 1
    rewards:
      - {name: think_format, weight: 0.5, schedule: {to: 0.0, steps: 4}}   # annealed to 0 over the stage
      - {name: exact_match, weight: 1.0}
  ptst1: &ptst
    kind: grpo
    data: problems
    max_steps: 2
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 8
    logging_steps: 1
    rewards: [{name: exact_match}]
  ptst2: {<<: *ptst, max_completion_length: 16, num_generations: 2}
  mixed:
    <<: *ptst
    data: [easy_to_hard, problems]  # two sources; each row's domain is its dataset's name
    domain_sampling: {enabled: true, temperature: 0.5, uniform_mix: 0.2}
    max_steps: 3
"""


def test_schedules_show_per_step_in_metrics(tmp_path):
    recipe = tmp_path / "schedules.yaml"
    recipe.write_text(RECIPE)
    run_cli("train", f"recipe={recipe}", f"output_dir={tmp_path / 'run'}", cwd=tmp_path)
    steps = {}
    for r in read_metrics(tmp_path / "run"):
        if "loss" in r:
            steps.setdefault(r["stage"], []).append(r)
    curriculum = steps["curriculum"]
    assert [r["data/difficulty"] for r in curriculum] == [1.0, 1.0, 2.0, 2.0]
    assert [r["rewards/think_format/weight"] for r in curriculum] == [0.5, 0.375, 0.25, 0.125]
    for stage, (length, group) in {"ptst1": (8, 4), "ptst2": (16, 2)}.items():
        assert [(r["grpo/max_completion_length"], r["grpo/num_generations"]) for r in steps[stage]] == [(length, group)] * 2
        assert all(r["completions/max_length"] <= length for r in steps[stage])
    weights = [(r["data/domain_weight/easy_to_hard"], r["data/domain_weight/problems"]) for r in steps["mixed"]]
    assert len(weights) == 3 and all(a + b == pytest.approx(1.0) and min(a, b) >= 0.1 for a, b in weights)
