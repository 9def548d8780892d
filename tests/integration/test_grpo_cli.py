"""`r1kit train` with an SFT stage then a GRPO stage on the tiny model, through the real CLI."""

import pytest

from tests.helpers import read_metrics, read_state, run_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: two_stages
datasets:
  traces: {adapter: addition, generator: {name: addition, n: 64, seed: 1}}
  problems: {adapter: addition, generator: {name: addition, n: 64, seed: 2}}
  heldout: {adapter: addition, generator: {name: addition, n: 16, seed: 3}}
stages:
  sft: {kind: sft, data: traces, max_steps: 4, per_device_train_batch_size: 8, logging_steps: 2}
  rl:
    kind: grpo
    data: problems
    max_steps: 3
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 16
    temperature: 1.0
    epsilon_high: 0.28
    loss_type: dr_grpo
    scale_rewards: none
    mask_truncated_completions: true
    logging_steps: 1
    rewards:
      - {name: think_format, weight: 0.5}
      - {name: exact_match, weight: 1.0}
eval: {data: heldout, limit: 16, max_new_tokens: 16}
"""


def test_sft_then_grpo_hands_off_weights_and_logs_rewards(tmp_path):
    recipe = tmp_path / "two_stages.yaml"
    recipe.write_text(RECIPE)
    out = tmp_path / "run"
    proc = run_cli("train", f"recipe={recipe}", f"output_dir={out}")
    assert "held-out results" in proc.stdout
    state = read_state(out)
    assert state["finished"] and [s["steps"] for s in state["stages"].values()] == [4, 3]
    assert {"accuracy", "format_rate", "mean_length"} <= set(state["stages"]["rl"]["eval"])
    rl = [m for m in read_metrics(out) if m["stage"] == "rl" and "loss" in m]
    assert [m["step"] for m in rl] == [1, 2, 3]
    for key in ("rewards/think_format/mean", "rewards/think_format/std", "rewards/exact_match/mean",
                "frac_reward_zero_std", "rewards/time_share", "rewards/exact_match/errors"):
        assert key in rl[0], key
    assert 0 < rl[0]["rewards/time_share"] < 1


@pytest.mark.slow
def test_smollm2_three_grpo_steps_with_format_and_math_rewards(tmp_path):
    recipe = tmp_path / "smol_grpo.yaml"
    recipe.write_text("""
defaults:
  - model: smollm2
  - _self_
name: smol_grpo
datasets:
  arithmetic:
    adapter: math_qa
    path: %s
stages:
  rl:
    kind: grpo
    data: arithmetic
    max_steps: 3
    per_device_train_batch_size: 4
    num_generations: 4
    max_completion_length: 32
    learning_rate: 1.0e-6
    logging_steps: 1
    rewards:
      - {name: think_format, weight: 0.5}
      - {name: math_accuracy, weight: 1.0}
eval: {data: null}
""" % (tmp_path / "arith.jsonl"))
    import json

    (tmp_path / "arith.jsonl").write_text("\n".join(
        json.dumps({"question": f"What is {a} + {b}?", "answer": str(a + b)}) for a, b in
        [(2, 3), (7, 8), (12, 30), (5, 5), (9, 1), (40, 2)]))
    out = tmp_path / "run"
    run_cli("train", f"recipe={recipe}", f"output_dir={out}")
    state = read_state(out)
    assert state["stages"]["rl"]["steps"] == 3
    rl = [m for m in read_metrics(out) if "loss" in m]
    assert len(rl) == 3 and all("rewards/math_accuracy/mean" in m for m in rl)
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(out / "stages" / "0-rl" / "final")
    assert model.config.num_hidden_layers == 30
