"""A reward_model stage through the real CLI, then a GRPO stage scoring with it (`model: stage:rm`)."""

import math

import pytest

from tests.helpers import REPO, read_metrics, read_state, run_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: rm_check
seed: 0
datasets:
  pairs: {adapter: preference_pairs, generator: {name: preference, n: 256, seed: 1}}
  problems: {adapter: addition, generator: {name: addition, n: 64, seed: 2}}
  heldout: {adapter: addition, generator: {name: addition, n: 8, seed: 3}}
stages:
  rm:
    kind: reward_model
    data: pairs
    max_steps: 16
    per_device_train_batch_size: 8
    learning_rate: 1.0e-3
    logging_steps: 1
    save_steps: 8
    max_length: 96
  rl:
    kind: grpo
    data: problems
    max_steps: 2
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 16
    logging_steps: 1
    rewards: [{name: reward_model, model: "stage:rm"}]
eval: {data: heldout, max_new_tokens: 8}
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("rm")
    (workdir / "recipe.yaml").write_text(RECIPE)
    proc = run_cli("train", "recipe=recipe.yaml", cwd=workdir, env={"PYTHONPATH": str(REPO)})
    (path,) = (workdir / "runs" / "rm_check").iterdir()
    return path, proc.stdout


def test_the_reward_model_ranks_held_out_chosen_responses_first(run):
    from r1kit.data.load import build_examples
    from r1kit.data.text_tasks import UNHELPFUL
    from r1kit.rewards import resolve
    from tests.data.cases import spec

    path, _ = run
    held_out, _ = build_examples(spec("preference_pairs", generator={"name": "preference", "n": 64, "seed": 9}), "d")
    reward = resolve("reward_model", model=str(path / "stages" / "0-rm" / "final"))
    chosen = reward([r["chosen"] for r in held_out], prompts=[r["prompt"] for r in held_out])
    rejected = reward([r["rejected"] for r in held_out], prompts=[r["prompt"] for r in held_out])
    right = [c > r for c, r in zip(chosen, rejected)]
    evasive = [r["rejected"][0]["content"] in UNHELPFUL for r in held_out]
    on_evasive = sum(w for w, e in zip(right, evasive) if e) / sum(evasive)
    print(f"\nreward model: chosen scored above rejected on {sum(right) / len(right):.0%} of 64 held-out pairs, "
          f"{on_evasive:.0%} of the {sum(evasive)} with an evasive rejection")
    # an untrained head is a coin toss; an evasive reply is easy to learn, a sum off by one digit hard for a tiny model
    assert on_evasive >= 0.9 and sum(right) / len(right) >= 0.6


def test_a_later_grpo_stage_scores_with_it_and_starts_from_the_base_model(run):
    path, out = run
    state = read_state(path)
    assert state["finished"] and "eval" not in state["stages"]["rm"] and "eval" in state["stages"]["rl"]
    lineage = {name: (rec["kind"], rec["from"], rec["data"]) for name, rec in state["stages"].items()}
    assert lineage == {"rm": ("reward_model", "base", "pairs"), "rl": ("grpo", "base", "problems")}
    rewards = [m["rewards/reward_model/mean"] for m in read_metrics(path) if "rewards/reward_model/mean" in m]
    assert len(rewards) == 2 and all(math.isfinite(r) for r in rewards)
    assert "stage rl (grpo, from the base model" in " ".join(out.split())


@pytest.mark.parametrize("override, message", [
    ("stages.rl.rewards=[{name: reward_model, model: 'stage:r'}]", "`stage:r` must name an earlier stage"),
    ("stages.rm.evaluate=true", "a reward model does not generate"),
])
def test_mistakes_are_named_before_any_model_loads(tmp_path, override, message):
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    proc = run_cli("train", "recipe=recipe.yaml", override, cwd=tmp_path, check=False, timeout=300)
    assert proc.returncode == 2 and message in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-2000:]


def test_r1kit_eval_of_the_run_scores_the_policy_stages_not_the_reward_model(run):
    path, _ = run
    run_cli("eval", f"model={path}", "data=addition", "limit=4", "max_new_tokens=8", "name=check", cwd=path,
            env={"PYTHONPATH": str(REPO)})
    import json

    result = json.loads((path / "eval" / "check.json").read_text())  # one target: the file takes name= alone
    assert result["model"] == "rl" and not (path / "eval" / "check-rm.json").exists()
