"""Environments through the real CLI: a grpo stage and `r1kit eval` pick each row's environment from YAML.

The random tiny model calls no tools, so the environments' own scores tell the rows apart: rows of
environment `b` start their counter at the target (get_reward 1), rows of `a` at 0 (get_reward 0).
"""

import json
import textwrap

from tests.helpers import REPO, read_metrics, read_state, run_cli

COUNTER = "tests.environments.counter.Counter"
ENVIRONMENT = f"{{a: {{_target_: {COUNTER}}}, b: {{_target_: {COUNTER}, start: 3}}}}"
RECIPE = f"""
defaults:
  - model: tiny
  - logger: none
  - _self_
name: env_check
seed: 0
model:
  chat_template: chatml_tools
  build: {{max_position_embeddings: 1024}}
datasets:
  tasks: {{adapter: math_qa, path: tasks.jsonl}}
stages:
  rl:
    kind: grpo
    data: tasks
    environment: {ENVIRONMENT}
    max_tool_calling_iterations: 2
    max_turn_tokens: 8
    mask_tool_replies: false
    max_steps: 1
    per_device_train_batch_size: 4
    num_generations: 2
    max_completion_length: 16
    logging_steps: 1
    rewards: [{{name: think_format}}]
eval: {{data: tasks, limit: 2, max_new_tokens: 16, environment: {ENVIRONMENT}}}
"""


def _write(tmp_path, environments):
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    rows = [{"question": f"count {i}", "answer": "3", "environment": e} for i, e in enumerate(environments)]
    (tmp_path / "tasks.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_each_row_runs_in_the_environment_its_column_names_in_training_and_eval(tmp_path):
    _write(tmp_path, ["a", "b"])
    env = {"PYTHONPATH": str(REPO), "TRL_EXPERIMENTAL_SILENCE": "1"}
    run_cli("train", "recipe=recipe.yaml", cwd=tmp_path, env=env)
    (run,) = (tmp_path / "runs" / "env_check").iterdir()
    state = read_state(run)
    assert state["finished"]
    (step,) = [m for m in read_metrics(run) if m["stage"] == "rl" and "loss" in m]
    assert step["rewards/Counter/mean"] == 0.5 and step["environments/reset_errors"] == 0
    assert state["stages"]["rl"]["eval"]["success_rate"] == 0.5  # the held-out check ran the environments too
    run_cli("eval", f"model={run}", "data=tasks", f"environment={ENVIRONMENT.replace(' ', '')}", "limit=2",
            "max_new_tokens=16", "name=env", cwd=tmp_path, env=env)
    figures = json.loads((run / "eval" / "env.json").read_text())["figures"]
    assert figures["success_rate"] == 0.5 and figures["turns_per_episode"] == 1.0
    samples = [json.loads(line) for line in (run / "eval" / "env.samples.jsonl").read_text().splitlines()]
    assert [s["environment_reward"] for s in samples] == [0.0, 1.0]
    assert samples[0]["turns"][0]["role"] == "assistant"  # the whole trajectory is kept


def test_a_row_naming_an_environment_the_stage_lacks_is_a_clear_error(tmp_path):
    _write(tmp_path, ["a", "c"])
    proc = run_cli("train", "recipe=recipe.yaml", cwd=tmp_path, env={"PYTHONPATH": str(REPO)}, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "stages.rl.environment: dataset 'tasks' has rows with environment ['c']" in proc.stderr


def test_a_shipped_environment_trains_and_is_checked_from_generated_rows(tmp_path):
    """file_tree rows (environment_task adapter) reach FileTree's reset; its get_reward is the stage's only reward
    (no `rewards:`) and the held-out check's success rate."""
    recipe = tmp_path / "tree.yaml"
    recipe.write_text(textwrap.dedent("""
        defaults: [{model: tiny}, {logger: none}, _self_]
        name: tree
        model: {chat_template: chatml_tools}
        datasets:
          trees: {adapter: environment_task, generator: {name: file_tree, n: 16, seed: 1, depth: 2}}
        stages:
          rl:
            kind: grpo
            data: trees
            environment: file_tree
            max_tool_calling_iterations: 2
            max_steps: 1
            per_device_train_batch_size: 4
            num_generations: 2
            max_completion_length: 12
        eval: {data: trees, environment: file_tree, limit: 4, max_new_tokens: 12}
        """))
    out = tmp_path / "run"
    run_cli("train", f"recipe={recipe}", f"output_dir={out}")
    metrics = read_metrics(out)
    assert any("rewards/FileTree/mean" in m for m in metrics)
    assert not any(k.startswith("rewards/think_format") for m in metrics for k in m)
    assert any(m.get("eval/success_rate") == 0.0 for m in metrics)  # a random tiny model submits no code
