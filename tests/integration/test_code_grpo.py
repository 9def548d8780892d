"""GRPO stages on task data through the real CLI: HumanEval rows (the `tests` column reaches `code_execution`) and
reasoning-gym rows (its own scorers); each reward logs a number every step."""

import math

from tests.helpers import read_metrics, read_state, run_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: code_grpo
model:
  build: {max_position_embeddings: 1024}
datasets:
  problems: {adapter: code, generator: {name: human_eval, n: 8}, options: {system_prompt: null}}
stages:
  rl:
    kind: grpo
    data: problems
    max_steps: 2
    per_device_train_batch_size: 4
    num_generations: 4
    max_completion_length: 16
    logging_steps: 1
    rewards:
      - {name: code_execution, weight: 1.0, time_s: 1, workers: 2}
      - {name: think_format, weight: 0.1}
"""


def test_code_execution_scores_every_row_of_a_grpo_stage(tmp_path):
    recipe = tmp_path / "code_grpo.yaml"
    recipe.write_text(RECIPE)
    out = tmp_path / "run"
    run_cli("train", f"recipe={recipe}", f"output_dir={out}")
    assert read_state(out)["finished"]
    steps = [m for m in read_metrics(out) if m["stage"] == "rl" and "loss" in m]
    assert [m["step"] for m in steps] == [1, 2]
    for m in steps:
        # Without the tests column every row would be None and TRL would log NaN (or nothing) here.
        mean = m["rewards/code_execution/mean"]
        assert isinstance(mean, (int, float)) and math.isfinite(mean) and 0.0 <= mean <= 1.0, m
        assert m["rewards/code_execution/errors"] == 0


def test_reasoning_gym_recipe_scores_every_step_of_both_curriculum_stages(tmp_path):
    out = tmp_path / "run"
    run_cli("train", "recipe=reasoning_gym_tiny", f"output_dir={out}", "stages.easy.max_steps=2",
            "stages.harder.max_steps=2")
    steps = [m for m in read_metrics(out) if "loss" in m]
    assert [(m["stage"], m["step"]) for m in steps] == [("easy", 1), ("easy", 2), ("harder", 1), ("harder", 2)]
    for m in steps:
        mean = m["rewards/reasoning_gym/mean"]
        assert isinstance(mean, (int, float)) and math.isfinite(mean) and 0.0 <= mean <= 1.0, m
        assert m["rewards/reasoning_gym/errors"] == 0
