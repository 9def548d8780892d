"""Kill a real `r1kit train` with SIGKILL at several points; rerunning the same command must finish
the curriculum with the same steps per stage as an uninterrupted run, never from a half-written checkpoint."""

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

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
stages:
  sft:
    kind: sft
    data: traces
    max_steps: 12
    per_device_train_batch_size: 8
    logging_steps: 1
    save_steps: 3
  grpo:
    kind: grpo
    data: problems
    max_steps: 8
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 24
    temperature: 0.7
    learning_rate: 1.0e-4
    logging_steps: 1
    save_steps: 2
    rewards:
      - {name: think_format, weight: 0.5}
      - {name: exact_match}
eval: {data: null}
"""


def _start(workdir: Path) -> subprocess.Popen:
    return start_cli("train", f"recipe={workdir / 'recipe.yaml'}", cwd=workdir, env={"PYTHONPATH": str(REPO)},
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _run_dir(workdir: Path) -> Path | None:
    runs = sorted((workdir / "runs" / "resume_check").glob("*")) if (workdir / "runs").exists() else []
    return runs[-1] if runs else None


def _kill_when(proc: subprocess.Popen, workdir: Path, condition, timeout=300) -> bool:
    """SIGKILL the run the moment `condition(run_dir)` holds; False if the run ended first."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        run = _run_dir(workdir)
        if run is not None and condition(run):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.005)
    proc.wait()
    return False


def _logged_steps(run: Path, stage: str) -> list[int]:
    if not (run / "metrics.jsonl").exists():
        return []
    try:
        return [m["step"] for m in read_metrics(run) if m.get("stage") == stage and "loss" in m]
    except ValueError:  # a line being written
        return []


def _staging(run: Path, stage_dir: str) -> bool:
    return (run / "stages" / stage_dir / ".staging").exists()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run: steps per stage."""
    workdir = tmp_path_factory.mktemp("reference")
    (workdir / "recipe.yaml").write_text(RECIPE)
    run_cli("train", f"recipe={workdir / 'recipe.yaml'}", cwd=workdir, env={"PYTHONPATH": str(REPO)})
    state = read_state(_run_dir(workdir))
    return {name: rec["steps"] for name, rec in state["stages"].items()}


KILL_POINTS = {
    "sft mid-step after a checkpoint": lambda run: len(_logged_steps(run, "sft")) >= 4,
    "sft during a checkpoint write": lambda run: _staging(run, "0-sft"),
    "between stages": lambda run: read_state(run)["stages"].get("sft", {}).get("status") == "done",
    "grpo mid-step": lambda run: len(_logged_steps(run, "grpo")) >= 3,
    "grpo during a checkpoint write": lambda run: _staging(run, "1-grpo"),
}


def test_kill_and_rerun_finishes_like_an_uninterrupted_run(tmp_path, reference):
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    killed_at = []
    for name, condition in KILL_POINTS.items():
        proc = _start(tmp_path)
        if _kill_when(proc, tmp_path, lambda run, condition=condition: _safe(condition, run)):
            killed_at.append(name)
        elif proc.returncode != 0:
            raise AssertionError(f"run failed before the kill point {name!r}: {proc.stderr.read()[-3000:]}")
    proc = _start(tmp_path)
    proc.wait(timeout=600)
    assert proc.returncode == 0, proc.stderr.read()[-3000:]
    # every kill point but the racy checkpoint-write ones must have been reached
    assert {"sft mid-step after a checkpoint", "between stages", "grpo mid-step"} <= set(killed_at), killed_at
    runs = sorted((tmp_path / "runs" / "resume_check").iterdir())
    assert len(runs) == 1, "every rerun must continue the same run directory"
    state = read_state(runs[0])
    assert state["finished"] is True
    assert {name: rec["steps"] for name, rec in state["stages"].items()} == reference
    for stage_dir in ("0-sft", "1-grpo"):
        assert not (runs[0] / "stages" / stage_dir / ".staging").exists()
        assert (runs[0] / "stages" / stage_dir / "final" / "model.safetensors").exists()
    print("killed at:", killed_at)


def _safe(condition, run):
    try:
        return condition(run)
    except (OSError, ValueError, KeyError):
        return False


def test_a_half_written_checkpoint_is_never_resumed_from(tmp_path, reference):
    """Leftovers of a save cut short (a staging folder, a half final/) are discarded on rerun."""
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    proc = _start(tmp_path)
    assert _kill_when(proc, tmp_path, lambda run: len(_logged_steps(run, "sft")) >= 7)
    run = _run_dir(tmp_path)
    stage = run / "stages" / "0-sft"
    complete = sorted(int(p.name.split("-")[1]) for p in stage.glob("checkpoint-*"))
    assert complete, "a complete checkpoint should exist by step 7"
    broken = stage / ".staging" / "checkpoint-9"
    broken.mkdir(parents=True)
    (broken / "model.safetensors").write_bytes(b"\x00truncated")
    (stage / "final.tmp").mkdir()
    proc = _start(tmp_path)
    proc.wait(timeout=600)
    assert proc.returncode == 0, proc.stderr.read()[-3000:]
    state = read_state(run)
    assert {n: r["steps"] for n, r in state["stages"].items()} == reference
    assert not (stage / ".staging").exists() and not (stage / "final.tmp").exists()
    shutil.rmtree(tmp_path / "runs")
