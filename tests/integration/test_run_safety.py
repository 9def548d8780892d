"""A run directory under stress, through the real CLI: two runs on one folder, a kill and its resume, a data
mistake before the run starts, a corrupt state.json."""

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import REPO, run_cli, start_cli

SLOW_SFT = """
defaults:
  - model: tiny
  - _self_
name: lock_check
seed: 0
datasets:
  traces: {adapter: addition, generator: {name: addition, n: 256, seed: 1}}
stages:
  sft:
    kind: sft
    data: traces
    max_steps: 5000
    per_device_train_batch_size: 8
    logging_steps: 1
    save_steps: 3
eval: {data: null}
"""


def _rows(run: Path) -> list[dict]:
    """metrics.jsonl's complete lines (the last one may be being written)."""
    path = run / "metrics.jsonl"
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            pass
    return rows


def _steps(run: Path) -> list[int]:
    return [r["step"] for r in _rows(run) if r.get("stage") == "sft" and "loss" in r]


def _checkpoints(run: Path) -> list[int]:
    return sorted(int(p.name.split("-")[1]) for p in (run / "stages" / "0-sft").glob("checkpoint-*"))


def _wait(proc: subprocess.Popen, condition, what: str, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, f"the run ended before {what}"
        try:
            if condition():
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_second_run_on_a_locked_folder_is_refused_and_a_killed_run_resumes_without_duplicate_rows(tmp_path):
    (tmp_path / "recipe.yaml").write_text(SLOW_SFT)
    out = tmp_path / "out"
    args = ("train", f"recipe={tmp_path / 'recipe.yaml'}", f"output_dir={out}")
    env = {"PYTHONPATH": str(REPO)}
    procs = []
    try:
        first = start_cli(*args, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(first)
        _wait(first, lambda: _checkpoints(out) and len(_steps(out)) >= 1, "the first checkpoint")

        second = run_cli(*args, cwd=tmp_path, env=env, check=False, timeout=300)
        text = second.stdout + second.stderr
        assert second.returncode == 2, text[-3000:]
        assert "Traceback" not in text
        assert f"{out} is in use by another r1kit process (PID {first.pid} on" in text, text[-3000:]
        assert "output_dir" in text  # what to do instead
        assert first.poll() is None, "the refused run must leave the running one alone"

        # kill the first run between two checkpoints: rows past its last checkpoint are orphaned
        _wait(first, lambda: len(_steps(out)) >= 2 and max(_steps(out)) % 3 == 2, "a step past a checkpoint")
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = max(_steps(out))
        resumed_from = _checkpoints(out)[-1]
        assert killed_at > resumed_from

        log = tmp_path / "rerun.log"
        with open(log, "w") as f:
            rerun = start_cli(*args, cwd=tmp_path, env=env, stdout=f, stderr=subprocess.STDOUT, text=True)
            procs.append(rerun)
            _wait(rerun, lambda: max(_steps(out)) >= killed_at + 2, "the rerun to pass the kill point")
            rerun.send_signal(signal.SIGKILL)
            rerun.wait()
        steps = _steps(out)
        assert len(steps) == len(set(steps)), f"steps logged twice: {sorted(s for s in set(steps) if steps.count(s) > 1)}"
        assert sorted(steps) == list(range(1, max(steps) + 1))
        assert "Resuming" in log.read_text() and f"resuming checkpoint-{resumed_from}" in log.read_text()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_a_data_mistake_leaves_no_run_folder(tmp_path):
    data = tmp_path / "qa.jsonl"
    data.write_text('{"prompt": "1+1?", "final": "2"}\n' * 4)
    (tmp_path / "recipe.yaml").write_text(f"""
defaults:
  - model: tiny
  - _self_
name: bad_data
datasets:
  qa: {{adapter: math_qa, path: {data}}}
stages:
  sft: {{kind: sft, data: qa, max_steps: 1}}
eval: {{data: null}}
""")
    for _ in range(2):
        proc = run_cli("train", f"recipe={tmp_path / 'recipe.yaml'}", cwd=tmp_path, env={"PYTHONPATH": str(REPO)},
                       check=False, timeout=300)
        text = proc.stdout + proc.stderr
        assert proc.returncode == 2, text[-3000:]
        assert "Traceback" not in text and "datasets.qa" in text, text[-3000:]
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").rglob("*"))


@pytest.mark.parametrize("command", ["report", "eval"])
def test_a_corrupt_state_json_is_a_clear_error_in_report_and_eval(tmp_path, command):
    run = tmp_path / "runs" / "demo" / "20260101-000000"
    run.mkdir(parents=True)
    (run / "config.yaml").write_text("name: demo\nstages: {}\n")
    (run / "state.json").write_text('{"stages": {"sft": {"status": "do')
    args = (command, str(run)) if command == "report" else (command, f"model={run}")
    proc = run_cli(*args, cwd=tmp_path, env={"PYTHONPATH": str(REPO)}, check=False, timeout=120)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, text[-3000:]
    assert "Traceback" not in text
    assert f"{run / 'state.json'}: not readable as JSON" in text and "delete the run folder" in text


def test_a_second_run_that_would_resume_a_running_run_is_refused(tmp_path):
    """Without output_dir the rerun looks for the newest unfinished run of the same config: the one still training."""
    (tmp_path / "recipe.yaml").write_text(SLOW_SFT)
    args = ("train", f"recipe={tmp_path / 'recipe.yaml'}")
    env = {"PYTHONPATH": str(REPO)}
    first = start_cli(*args, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        runs = tmp_path / "runs" / "lock_check"
        _wait(first, lambda: any(_steps(run) for run in runs.iterdir()), "the first logged step")
        second = run_cli(*args, cwd=tmp_path, env=env, check=False, timeout=300)
        text = second.stdout + second.stderr
        assert second.returncode == 2, text[-3000:]
        assert "Traceback" not in text
        assert f"is in use by another r1kit process (PID {first.pid} on" in text and "resume=false" in text, text[-3000:]
        assert len(list(runs.iterdir())) == 1, "the refused run must not create a run folder"
        assert first.poll() is None
    finally:
        first.kill()
        first.wait()


def test_a_launch_on_a_run_in_use_is_refused_before_it_writes_into_it(tmp_path, make_config):
    """The launcher's parent checks the lock before it writes launch/ and starts ranks that would find it taken."""
    import os

    from r1kit.run.rundir import RunDir, config_hash, lock_run

    (tmp_path / "recipe.yaml").write_text(SLOW_SFT)
    args = ["output_dir=out", "launcher=zero2", "launcher.gpus=2", "launcher.use_cpu=true"]
    config = make_config(args, recipe=str(tmp_path / "recipe.yaml"))
    run = RunDir(tmp_path / "out")
    run.path.mkdir()
    run.write_config(config)
    run.write_state({"recipe": "lock_check", "config_hash": config_hash(config), "stages": {}, "finished": False})
    lock = lock_run(run, config)  # this test process plays the run that is training
    try:
        proc = run_cli("train", "recipe=recipe.yaml", *args, cwd=tmp_path, env={"PYTHONPATH": str(REPO)},
                       check=False, timeout=300)
    finally:
        lock.release()
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "Traceback" not in text, text[-3000:]
    assert f"{run.path} is in use by another r1kit process (PID {os.getpid()} on" in text, text[-3000:]
    assert not (run.path / "launch").exists() and "launching" not in text
