"""Tool use through the real CLI: a cold start on calculator trajectories, then GRPO rollouts in which the model
calls the calculator (TRL's tool loop), on the tiny model with r1kit's chatml_tools template."""

import json
import random

import pytest

from tests.helpers import REPO, read_metrics, read_state, run_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: tools_check
seed: 0
model:
  chat_template: chatml_tools
  build: {max_position_embeddings: 2048}
datasets:
  trajectories: {adapter: chat_sft, path: trajectories.jsonl, options: {tools: [calculator]}}
stages:
  sft: {kind: sft, data: trajectories, max_steps: 120, per_device_train_batch_size: 16, learning_rate: 3.0e-3,
        max_length: 2048, logging_steps: 10}
  rl:
    kind: grpo
    data: trajectories
    tools: [calculator]
    max_tool_calling_iterations: 2
    max_steps: 2
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 128
    temperature: 0.7
    logging_steps: 1
    rewards: [{name: exact_match}]
eval: {data: trajectories, limit: 4, max_new_tokens: 128, tools: [calculator]}   # the held-out check calls tools too
"""

ZERO2_RECIPE = """
name: tools_zero2
seed: 0
model: {{path: {model}, chat_template: chatml_tools}}
datasets:
  trajectories: {{adapter: chat_sft, path: {data}, options: {{tools: [calculator]}}}}
stages:
  rl:
    kind: grpo
    data: trajectories
    tools: [calculator]
    max_tool_calling_iterations: 2
    max_steps: 2
    per_device_train_batch_size: 4
    num_generations: 4
    max_completion_length: 128
    temperature: 0.7
    logging_steps: 1
    rewards: [{{name: exact_match}}]
"""


def trajectories(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        a, b = rng.randint(100, 999), rng.randint(100, 999)
        call = {"type": "function", "function": {"name": "calculator", "arguments": {"expression": f"{a} + {b}"}}}
        rows.append({"messages": [
            {"role": "user", "content": f"{a} + {b} = ?"},
            {"role": "assistant", "content": "", "tool_calls": [call]},
            {"role": "tool", "name": "calculator", "content": str(a + b)},
            {"role": "assistant", "content": f"<answer>{a + b}</answer>"}]})
    return rows


@pytest.fixture(scope="module")
def cold_run(tmp_path_factory):
    """The recipe on one process: its folder and run directory."""
    tmp_path = tmp_path_factory.mktemp("tools")
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    (tmp_path / "trajectories.jsonl").write_text("".join(json.dumps(r) + "\n" for r in trajectories(256)))
    run_cli("train", "recipe=recipe.yaml", cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
    (run,) = (tmp_path / "runs" / "tools_check").iterdir()
    return tmp_path, run


def test_a_cold_started_model_calls_the_calculator_in_its_grpo_rollouts(cold_run):
    tmp_path, run = cold_run
    state = read_state(run)
    assert state["finished"]
    assert state["stages"]["rl"]["eval"]["tool_calls_per_completion"] > 0  # after-stage check ran the tool loop
    steps = [m for m in read_metrics(run) if m["stage"] == "rl" and "loss" in m]
    assert len(steps) == 2
    print("\ntool calls per completion:", [m["tools/call_frequency"] for m in steps],
          "failures:", [m["tools/failure_frequency"] for m in steps])
    assert all(m["tools/call_frequency"] > 0 for m in steps)  # the loop ran: calls parsed and executed
    # r1kit eval runs the same tool loop: whole trajectories in the samples file, tool figures in the results
    run_cli("eval", f"model={run}", "data=trajectories", "tools=[calculator]", "limit=4", "max_new_tokens=128",
            "name=tools", cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
    result = json.loads((run / "eval" / "tools-rl.json").read_text())
    figures = result["figures"]
    print("eval:", {k: figures[k] for k in ("tool_calls_per_completion", "tool_error_rate", "turns_per_episode")})
    assert figures["tool_calls_per_completion"] > 0 and figures["turns_per_episode"] > 1
    samples = [json.loads(line) for line in (run / "eval" / "tools-rl.samples.jsonl").read_text().splitlines()]
    called = [s for s in samples if s["tool_calls"]]
    assert called and called[0]["turns"][1]["role"] == "tool" and called[0]["turns"][1]["name"] == "calculator"


def test_a_tool_stage_runs_on_two_processes_under_zero2(cold_run, tmp_path):
    """The same GRPO tool stage from the cold-started model, 2 CPU processes under DeepSpeed ZeRO-2: each rank runs
    TRL's tool loop on its share of the prompts, and the stage finishes its steps."""
    folder, run = cold_run
    recipe = ZERO2_RECIPE.format(model=run / "stages" / "0-sft" / "final", data=folder / "trajectories.jsonl")
    (tmp_path / "recipe.yaml").write_text(recipe)
    out = tmp_path / "run"
    run_cli("train", "recipe=recipe.yaml", f"output_dir={out}", "launcher=zero2", "launcher.gpus=2",
            "launcher.use_cpu=true", "launcher.main_port=0", cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
    assert read_state(out)["finished"]
    steps = [m for m in read_metrics(out) if m["stage"] == "rl" and "loss" in m]
    print("\nzero2, 2 processes: tool calls per completion", [m["tools/call_frequency"] for m in steps],
          "step s", [round(m["time/step"], 2) for m in steps])
    assert len(steps) == 2 and all(m["tools/call_frequency"] > 0 for m in steps)
