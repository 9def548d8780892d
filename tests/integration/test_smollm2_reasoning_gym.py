"""recipes/smollm2_reasoning_gym.yaml through the real CLI for 3 steps: the real model, reasoning-gym rows,
chain_sum's own scorer as the reward, the held-out check after the stage. The learning run is
scripts/bench_smollm2_learns.py (60 minutes), not a test."""

import json
import math

import pytest

from tests.helpers import read_metrics, read_state, run_cli


@pytest.mark.slow
def test_smollm2_reasoning_gym_recipe_runs_three_steps_with_reward_signal(tmp_path):
    out = tmp_path / "run"
    run_cli("train", "recipe=smollm2_reasoning_gym", f"output_dir={out}", "stages.grpo.max_steps=3",
            "stages.grpo.save_steps=1000", "eval.limit=8")
    state = read_state(out)
    assert state["finished"] and state["stages"]["grpo"]["steps"] == 3
    steps = [m for m in read_metrics(out) if m.get("stage") == "grpo" and "loss" in m]
    assert [m["step"] for m in steps] == [1, 2, 3]
    means = [m["rewards/reasoning_gym/mean"] for m in steps]
    assert all(isinstance(x, (int, float)) and math.isfinite(x) and 0.0 <= x <= 1.0 for x in means), means
    assert all(m["rewards/reasoning_gym/errors"] == 0 for m in steps)
    # The reward reads the whole reply: the base model writes the right number in some of its 48
    # replies, which earns partial credit. Read from <answer> blocks, which it never writes, all would be 0.
    assert sum(means) > 0, means
    heldout = json.loads((out / "eval" / "grpo-heldout.json").read_text())
    assert heldout["figures"]["prompts"] == 8
    assert (out / "stages" / "0-grpo" / "final" / "model.safetensors").is_file()
