"""Crash a real `r1kit train` at named points, one after another, each rerun continuing the same run; the last rerun
must finish it with what an uninterrupted run has: the same steps per stage, the same SFT loss at every step, the
same prompts at every GRPO step, no step logged twice, nothing half-written left behind.

Each crash is a SIGKILL at an exact file-system operation or function call (tests.faults), so every point is hit
on every run, not when a poll happens to catch it. This is also the resume-equality check in torchtune's style:
the SFT stage is killed after its checkpoint at step 3 and again before its checkpoint at step 6 is renamed, the
GRPO stage after its checkpoint at step 2 and while writing the one at step 4.
"""

import re
import subprocess
from pathlib import Path

import pytest

from tests.faults import fault_env, fired
from tests.helpers import REPO, read_metrics, read_state, run_cli, start_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: resume_check
seed: 0
datasets:
  traces: {adapter: addition, generator: {name: addition, n: 256, seed: 1}}
  problems: {adapter: addition, generator: {name: addition, n: 256, seed: 2}}
  heldout: {adapter: addition, generator: {name: addition, n: 8, seed: 3}}
stages:
  sft:
    kind: sft
    data: traces
    max_steps: 6
    per_device_train_batch_size: 8
    learning_rate: 1.0e-3
    logging_steps: 1
    save_steps: 3
  grpo_a: &grpo
    kind: grpo
    data: problems
    max_steps: 4
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 16
    temperature: 0.7
    learning_rate: 1.0e-4
    logging_steps: 1
    save_steps: 2
    rewards:
      - {name: think_format, weight: 0.5}
      - {name: exact_match}
      - {_target_: tests.launch.probes.digit_share}
      - {_target_: tests.launch.probes.prompt_probe, weight: 0.0}
  grpo_b: *grpo
eval: {data: heldout, max_new_tokens: 8}
"""
STEPS = {"sft": 6, "grpo_a": 4, "grpo_b": 4}

# (name, operation, path or module:function, nth matching call in that process). Each process counts its own
# calls: a rerun skips finished stages and resumes the interrupted one from its last complete checkpoint.
KILL_POINTS = [
    ("sft-checkpoint-write", "open", "*/stages/0-sft/.staging/checkpoint-3/trainer_state.json", 1),
    ("sft-mid-step-after-a-checkpoint", "call", "r1kit.run.rundir:append_metrics", 5),
    ("sft-checkpoint-rename", "replace", "*/stages/0-sft/checkpoint-6", 1),
    ("state-json-write", "open", "*/.state.json.tmp", 2),
    ("sft-final-rename", "replace", "*/stages/0-sft/final", 1),
    ("held-out-generation", "call", "r1kit.models.generation:_completion", 3),
    ("held-out-results-write", "replace", "*/eval/sft-heldout.json", 1),
    ("between-sft-and-grpo", "call", "r1kit.curriculum.run:init_weights", 2),
    ("grpo-mid-step-after-a-checkpoint", "call", "r1kit.run.rundir:append_metrics", 3),
    ("grpo-checkpoint-write", "open", "*/stages/1-grpo_a/.staging/checkpoint-4/trainer_state.json", 1),
    ("between-two-grpo-stages", "call", "r1kit.curriculum.run:init_weights", 2),
    ("grpo-final-rename", "replace", "*/stages/2-grpo_b/final", 1),
    ("report-write", "replace", "*/report.png", 1),
]


def _train(workdir: Path, env: dict, log: Path) -> int:
    with open(log, "w") as out:
        proc = start_cli("train", "recipe=recipe.yaml", cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
        return proc.wait(timeout=600)


def _only_run(workdir: Path) -> Path:
    runs = list((workdir / "runs" / "resume_check").iterdir())
    assert len(runs) == 1, f"every rerun must continue the same run directory: {runs}"
    return runs[0]


def _losses(run: Path, stage: str) -> dict[int, float]:
    rows = [(m["step"], m["loss"]) for m in read_metrics(run) if m["stage"] == stage and "loss" in m]
    assert len(rows) == len(dict(rows)), f"{stage}: a step logged twice: {[s for s, _ in rows]}"
    return dict(rows)


def _prompts(run: Path, stage: str) -> dict[int, float]:
    """Per GRPO step, the mean answer of its prompts (tests.launch.probes.prompt_probe): equal iff the rows are."""
    return {m["step"]: m["rewards/prompt_probe/mean"] for m in read_metrics(run)
            if m["stage"] == stage and "rewards/prompt_probe/mean" in m}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("reference")
    (workdir / "recipe.yaml").write_text(RECIPE)
    run_cli("train", "recipe=recipe.yaml", cwd=workdir, env={"PYTHONPATH": str(REPO)})
    return _only_run(workdir)


@pytest.fixture(scope="module")
def crashed(tmp_path_factory) -> dict:
    """The same recipe, killed at every point in turn, then rerun once more without a fault."""
    workdir = tmp_path_factory.mktemp("crashed")
    (workdir / "recipe.yaml").write_text(RECIPE)
    mark, outcomes = workdir / "fired.txt", []
    for index, (name, op, path, nth) in enumerate(KILL_POINTS):
        log = workdir / f"{index:02d}-{name}.log"
        code = _train(workdir, fault_env(name, op, path, mark, nth=nth), log)
        assert code == -9, f"{name}: expected the planted SIGKILL, got exit {code}:\n{log.read_text()[-3000:]}"
        assert fired(mark)[-1:] == [name], f"{name} did not fire: {fired(mark)}"
        outcomes.append((name, log.read_text()))
    log = workdir / "last.log"
    code = _train(workdir, {"PYTHONPATH": str(REPO)}, log)
    assert code == 0, log.read_text()[-3000:]
    outcomes.append(("(none)", log.read_text()))
    # what each rerun made of the kill before it
    for (name, _), (_, text) in zip([("nothing (the first run)", ""), *outcomes], outcomes):
        flat = " ".join(text.split())  # rich wraps long lines
        stages = [f"{stage}: {resumed or ('skipped' if 'skipped' in skipped else 'from its start')}" for stage, skipped, resumed
                  in re.findall(r"stage (\w+)(: done, skipped| \()(?:[^()]*?(resuming checkpoint-\d+))?", flat)]
        print(f"after {name}: {'; '.join(stages) or '(killed again before a stage began)'}")
    return {"run": _only_run(workdir), "fired": fired(mark)}


def test_every_kill_point_was_hit_in_order(crashed):
    assert crashed["fired"] == [name for name, *_ in KILL_POINTS]


def test_the_crashed_run_finishes_with_the_steps_of_an_uninterrupted_run(crashed, reference):
    state = read_state(crashed["run"])
    assert state["finished"] is True
    assert {name: rec["steps"] for name, rec in state["stages"].items()} == STEPS
    assert {name: rec["from"] for name, rec in state["stages"].items()} == {  # lineage survives the kills
        "sft": "base", "grpo_a": "stages/0-sft/final", "grpo_b": "stages/1-grpo_a/final"}
    assert {name: rec["status"] for name, rec in read_state(reference)["stages"].items()} == dict.fromkeys(STEPS, "done")


def test_sft_loss_at_every_step_equals_the_uninterrupted_run(crashed, reference):
    ours, theirs = _losses(crashed["run"], "sft"), _losses(reference, "sft")
    assert sorted(ours) == sorted(theirs) == list(range(1, 7))
    worst = max(abs(ours[s] - theirs[s]) / abs(theirs[s]) for s in theirs)
    print("\nsft loss per step, uninterrupted / crashed at every kill point: " + ", ".join(
        f"{theirs[s]:.6f}/{ours[s]:.6f}" for s in sorted(theirs)) + f"; worst relative difference {worst:.1e}")
    assert worst <= 1e-6
    assert theirs[6] < theirs[1] - 0.05  # it trained: not two untouched models agreeing


@pytest.mark.parametrize("stage", ["grpo_a", "grpo_b"])
def test_each_grpo_step_trains_on_the_prompts_of_the_uninterrupted_run(crashed, reference, stage):
    ours, theirs = _prompts(crashed["run"], stage), _prompts(reference, stage)
    assert sorted(ours) == sorted(theirs) == [1, 2, 3, 4]
    assert ours == pytest.approx(theirs, rel=1e-9)
    _losses(crashed["run"], stage)  # and no step twice


def test_nothing_half_written_is_left_and_every_artefact_is_there(crashed):
    run = crashed["run"]
    assert not list(run.glob("stages/*/.staging")) and not list(run.glob("stages/*/final.tmp"))
    assert not list(run.glob("**/.*.tmp")) and not (run / "report.tmp.png").exists()
    for index, stage in enumerate(STEPS):
        assert (run / "stages" / f"{index}-{stage}" / "final" / "model.safetensors").is_file()
        assert (run / "eval" / f"{stage}-heldout.json").is_file()
        assert read_state(run)["stages"][stage]["eval"]["prompts"] == 8
    assert (run / "report.png").is_file() and (run / "report.md").is_file()
