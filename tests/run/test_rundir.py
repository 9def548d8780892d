"""The run directory contract: atomic writes, a run's identity, where a config's run goes and when it resumes."""

import json
import os
from pathlib import Path

import pytest

from r1kit.errors import UserError
from r1kit.run import rundir
from r1kit.run.rundir import RunDir, append_metrics, config_hash, locate_run, newest_run, open_run, write_atomic

ZERO2 = ["launcher=zero2", "launcher.use_cpu=true"]
CONFIG = {"name": "demo", "seed": 1, "launcher": {"name": "local", "main_port": 29500}}


def _run(path: Path, config: dict = CONFIG, **state) -> RunDir:
    run = RunDir(path)
    run.path.mkdir(parents=True)
    run.write_config(config)
    run.write_state({"config_hash": config_hash(config), **state})
    return run


def test_write_atomic_replaces_the_file_whole(tmp_path):
    path = tmp_path / "state.json"
    write_atomic(path, "old")
    write_atomic(path, "new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left behind


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    write_atomic(path, "old")

    def no_space(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rundir.os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        write_atomic(path, "new")
    assert path.read_text() == "old"


def test_state_and_config_round_trip_and_other_ranks_write_nothing(tmp_path):
    state = {"stages": {"sft": {"steps": 3, "final": "stages/0-sft/final"}}, "finished": False}
    run = RunDir(tmp_path)
    assert run.read_state() == {}
    run.write_state(state)
    run.write_config(CONFIG)
    assert run.read_state() == state
    assert rundir.is_run_dir(tmp_path)
    follower = RunDir(tmp_path, writes=False)
    follower.write_state({"finished": True})
    assert follower.read_state() == state
    assert run.stage_dir(1, "grpo") == tmp_path / "stages" / "1-grpo"


def test_config_hash_is_stable_and_ignores_where_and_whether_to_resume():
    digest = config_hash(CONFIG)
    assert digest == config_hash(json.loads(json.dumps(CONFIG))) and len(digest) == 16
    assert config_hash(dict(reversed(list(CONFIG.items())))) == digest  # key order is not identity
    assert config_hash({**CONFIG, "output_dir": "elsewhere", "resume": False}) == digest
    assert config_hash({**CONFIG, "seed": 2}) != digest


def test_where_processes_meet_is_not_part_of_a_runs_identity(make_config):
    """A rerun on another port or address resumes the run; one on more processes (other ZeRO shards) does not."""
    base = config_hash(make_config([*ZERO2, "launcher.gpus=2"]))
    assert config_hash(make_config([*ZERO2, "launcher.gpus=2", "launcher.main_port=0"])) == base
    assert config_hash(make_config([*ZERO2, "launcher.gpus=4"])) != base
    assert config_hash(make_config(["launcher=zero3", "launcher.use_cpu=true", "launcher.gpus=2"])) != base


def test_newest_run_picks_the_latest_run_of_a_folder(tmp_path):
    old, new = _run(tmp_path / "20240101-000000"), _run(tmp_path / "20240102-000000")
    (tmp_path / "not-a-run").mkdir()
    os.utime(old.path, (1, 1))
    os.utime(new.path, (2, 2))
    assert newest_run(tmp_path) == new.path
    assert newest_run(old.path) == old.path  # a run directory is itself
    assert newest_run(tmp_path / "not-a-run") == tmp_path / "not-a-run"


def test_append_metrics_adds_one_line_per_step(tmp_path):
    path = tmp_path / "metrics.jsonl"
    append_metrics(path, "sft", 1, {"loss": 2.5})
    append_metrics(path, "sft", 2, {"loss": 2.0})
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r["stage"], r["step"], r["loss"]) for r in records] == [("sft", 1, 2.5), ("sft", 2, 2.0)]
    assert all(isinstance(r["time"], float) for r in records)


def test_a_rerun_continues_the_unfinished_run_of_the_same_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first, resumed = open_run(CONFIG)
    assert not resumed and first.path.parent == Path("runs") / "demo" and first.path.is_dir()
    first.write_state({"config_hash": config_hash(CONFIG)})
    again, resumed = locate_run(CONFIG)
    assert (again.path, resumed) == (first.path, True)
    fresh, resumed = locate_run({**CONFIG, "resume": False})
    assert fresh.path != first.path and not resumed
    first.write_state({"config_hash": config_hash(CONFIG), "finished": True})
    unreported, resumed = locate_run(CONFIG)  # killed while drawing its report: the rerun draws it
    assert (unreported.path, resumed) == (first.path, True)
    (first.path / "report.md").write_text("# demo\n")
    after, resumed = locate_run(CONFIG)
    assert after.path != first.path and not resumed  # a finished run is not redone


def test_locate_run_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run, resumed = locate_run(CONFIG)
    assert not resumed and not run.path.exists() and not (tmp_path / "runs").exists()


def test_an_output_dir_holding_another_config_is_refused(tmp_path):
    _run(tmp_path / "run")
    same, resumed = locate_run({**CONFIG, "output_dir": str(tmp_path / "run")})
    assert same.path == tmp_path / "run" and resumed
    with pytest.raises(UserError, match="holds a run with a different config"):
        locate_run({**CONFIG, "seed": 2, "output_dir": str(tmp_path / "run")})


def test_a_corrupt_state_file_is_a_user_error_naming_it(tmp_path):
    run = RunDir(tmp_path)
    run.state_file.write_text('{"stages": {"sft": ')
    with pytest.raises(UserError, match=r"state\.json: not readable as JSON .*delete the run folder"):
        run.read_state()
    run.state_file.write_bytes(b"\xff\xfe{}")
    with pytest.raises(UserError, match=r"state\.json: not readable as JSON"):
        run.read_state()
    run.state_file.write_text("[1, 2]")
    with pytest.raises(UserError, match=r"state\.json: expected a JSON object, found list"):
        run.read_state()


def test_a_corrupt_state_file_stops_locate_run_with_the_same_message(tmp_path):
    (tmp_path / "state.json").write_text("{")
    with pytest.raises(UserError, match=r"state\.json: not readable as JSON"):
        locate_run({**CONFIG, "output_dir": str(tmp_path)})


def test_drop_metrics_after_keeps_other_stages_and_earlier_steps(tmp_path):
    path = tmp_path / "metrics.jsonl"
    for stage, step in (("sft", 1), ("sft", 2), ("grpo", 1), ("grpo", 2), ("grpo", 3), ("grpo", 4)):
        append_metrics(path, stage, step, {"loss": 1.0})
    with open(path, "a") as f:
        f.write('{"stage": "grpo", "step": 5, "lo')  # the line the kill cut short
    assert rundir.drop_metrics_after(path, "grpo", 2) == 3
    assert [(r["stage"], r["step"]) for r in map(json.loads, path.read_text().splitlines())] == \
        [("sft", 1), ("sft", 2), ("grpo", 1), ("grpo", 2)]
    assert rundir.drop_metrics_after(path, "grpo", 2) == 0
    assert rundir.drop_metrics_after(tmp_path / "absent.jsonl", "grpo", 0) == 0


def test_the_run_lock_is_exclusive_names_its_holder_and_is_released(tmp_path):
    run = RunDir(tmp_path)
    held = rundir.lock_run(run, {"output_dir": str(tmp_path)})
    assert (tmp_path / ".lock").read_text().startswith(f"PID {os.getpid()} on ")
    with pytest.raises(UserError, match=rf"is in use by another r1kit process \(PID {os.getpid()} on .*another output_dir"):
        rundir.lock_run(run, {"output_dir": str(tmp_path)})
    with pytest.raises(UserError, match="resume=false"):
        rundir.lock_run(run, {"name": "demo"})
    held.release()
    rundir.lock_run(run, {"name": "demo"}).release()


def test_drop_metrics_after_drops_the_summary_of_a_train_that_ended_before_the_kill(tmp_path):
    """Killed after training ended but before the stage was marked done: the rerun resumes from the last
    checkpoint, trains no step and logs its own end-of-training summary."""
    path = tmp_path / "metrics.jsonl"
    append_metrics(path, "sft", 12, {"loss": 1.0})
    append_metrics(path, "sft", 12, {"train_runtime": 9.5, "train_loss": 1.1})
    assert rundir.drop_metrics_after(path, "sft", 12) == 1
    assert [r.get("loss") for r in map(json.loads, path.read_text().splitlines())] == [1.0]
