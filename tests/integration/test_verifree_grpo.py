"""VeriFree through the real CLI: GRPO on the tiny model, the reward scored by the policy being trained."""

from tests.helpers import read_metrics, read_state, run_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: verifree_tiny
datasets:
  problems: {adapter: addition, generator: {name: addition, n: 32, seed: 2}}
stages:
  rl:
    kind: grpo
    data: problems
    max_steps: 3
    per_device_train_batch_size: 4
    num_generations: 4
    max_completion_length: 16
    temperature: 0.7
    logging_steps: 1
    reward_errors: raise
    rewards:
      - {name: think_format, weight: 0.5}
      # The untrained model never writes <answer>: condition on its whole completion instead of scoring 0.
      - {name: verifree, weight: 1.0, kwargs: {if_no_answer: append}}
eval: {data: null}
"""


def test_grpo_with_verifree_logs_the_policy_likelihood_of_the_answer(tmp_path):
    recipe = tmp_path / "verifree_tiny.yaml"
    recipe.write_text(RECIPE)
    out = tmp_path / "run"
    run_cli("train", f"recipe={recipe}", f"output_dir={out}")
    assert read_state(out)["stages"]["rl"]["steps"] == 3
    rl = [m for m in read_metrics(out) if m["stage"] == "rl" and "loss" in m]
    assert [m["step"] for m in rl] == [1, 2, 3]
    for m in rl:
        assert "rewards/think_format/mean" in m and m["rewards/verifree/errors"] == 0
        # a probability, and not 0: "<answer>{a+b}</answer>" has a few tokens the random model gives ~1/300 each
        assert 0.0 < m["rewards/verifree/mean"] < 1.0
