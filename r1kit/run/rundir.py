"""The run directory contract and its state file, written atomically.

    runs/<recipe>/<timestamp>/
      config.yaml     the resolved config, written before training starts
      state.json      curriculum progress: stages done, their final models, eval figures
      metrics.jsonl   one JSON object per logged step
      .lock           held (flock) by the process that trains in it; holds its PID
      stages/<i>-<name>/   TRL checkpoints and the stage's `final/` model

Rerunning the same command finds the newest unfinished run of the same recipe with
the same config and continues it, so a crash costs at most one checkpoint interval.
"""

import fcntl
import hashlib
import json
import os
import socket
import time
from pathlib import Path

import yaml

from r1kit.errors import UserError

IGNORED_FOR_IDENTITY = ("output_dir", "resume")
# Where and how the processes meet, not what they compute: changing these on a rerun still resumes the run.
LAUNCH_ONLY = ("main_address", "main_port", "hostfile", "machine_rank", "vllm_host", "vllm_port", "slurm")


def config_hash(config: dict) -> str:
    """Identity of a run: the resolved config minus where it is written, whether to resume and where the
    processes meet (a rerun on another port or node list continues the run; one on more GPUs does not,
    since ZeRO checkpoints are sharded by process)."""
    ident = {k: v for k, v in config.items() if k not in IGNORED_FOR_IDENTITY}
    if "launcher" in ident:
        ident["launcher"] = {k: v for k, v in ident["launcher"].items() if k not in LAUNCH_ONLY}
    return hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()[:16]


def write_atomic(path: Path, text: str):
    """Write to a temporary name, then rename: readers see the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def is_run_dir(path: Path) -> bool:
    return (path / "state.json").is_file() and (path / "config.yaml").is_file()


def newest_run(path: Path) -> Path:
    """`path` itself, or for a folder of runs (`runs/<recipe>/`) the newest run in it."""
    if path.is_dir() and not is_run_dir(path):
        runs = sorted((p for p in path.glob("*") if is_run_dir(p)), key=lambda p: p.stat().st_mtime)
        if runs:
            return runs[-1]
    return path


def append_metrics(path: Path, stage: str, step: int, logs: dict):
    """One line of metrics.jsonl: the stage, the step, the time, and the logged figures."""
    record = {"stage": stage, "step": step, "time": round(time.time(), 3), **logs}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, default=float) + "\n")


class RunDir:
    """The run directory; with `writes=False` (every rank but the main one) state and config writes are skipped."""

    def __init__(self, path: Path, writes: bool = True):
        self.path = Path(path)
        self.writes = writes

    @property
    def state_file(self) -> Path:
        return self.path / "state.json"

    @property
    def metrics_file(self) -> Path:
        return self.path / "metrics.jsonl"

    def stage_dir(self, index: int, name: str) -> Path:
        return self.path / "stages" / f"{index}-{name}"

    def read_state(self) -> dict:
        if not self.state_file.exists():
            return {}
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise UserError(f"{self.state_file}: not readable as JSON ({err}). r1kit writes this file atomically, "
                            "so something else changed it: restore it from a backup, or delete the run folder "
                            f"{self.path} to start that run over.") from None
        if not isinstance(state, dict):
            raise UserError(f"{self.state_file}: expected a JSON object, found {type(state).__name__}. Restore it "
                            f"from a backup, or delete the run folder {self.path} to start that run over.")
        return state

    def write_state(self, state: dict):
        if self.writes:
            write_atomic(self.state_file, json.dumps(state, indent=2, default=str) + "\n")

    def write_config(self, config: dict):
        if self.writes:
            write_atomic(self.path / "config.yaml", yaml.safe_dump(config, sort_keys=False))


def drop_metrics_after(path: Path, stage: str, step: int) -> int:
    """Rewrite metrics.jsonl (atomically) without `stage`'s rows past `step`, its end-of-training summary at
    `step`, and lines cut short.

    A stage resumed from its checkpoint at `step` logs the later steps again; the rows the killed
    process wrote for them would otherwise appear twice. Returns how many rows were dropped.
    """
    if not path.is_file():
        return 0
    kept, dropped = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a line cut short by the kill
            dropped += 1
            continue
        if isinstance(record, dict) and record.get("stage") == stage and isinstance(record.get("step"), int) \
                and (record["step"] > step or (record["step"] == step and "train_runtime" in record)):
            dropped += 1  # a step logged again, or the summary of a train() that ended (the resumed one logs its own)
            continue
        kept.append(line + "\n")
    if dropped:
        write_atomic(path, "".join(kept))
    return dropped


class RunLock:
    """An exclusive flock on `<run>/.lock`: one process trains in a run directory at a time.

    The kernel releases it when the process ends, however it ends, so a killed run never
    leaves a stale lock behind; the PID written into the file only names the holder.
    """

    def __init__(self, run: RunDir):
        self.path = run.path / ".lock"
        self.run = run
        self.file = None

    def acquire(self, hint: str) -> "RunLock":
        f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the whole run
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            f.close()
            raise UserError(f"{self.run.path.resolve()} is in use by another r1kit process ({holder}). Wait for it to "
                            f"finish, or stop it and rerun this command to continue the run; {hint}") from None
        f.seek(0)
        f.truncate()
        f.write(f"PID {os.getpid()} on {socket.gethostname()}\n")
        f.flush()
        self.file = f
        return self

    def release(self):
        if self.file is not None:
            self.file.close()  # closing the descriptor drops the flock
            self.file = None


def lock_run(run: RunDir, config: dict) -> RunLock:
    """Take the run directory's lock, or raise a UserError naming the process that holds it."""
    hint = ("or give another output_dir to start a separate run." if config.get("output_dir")
            else "or add resume=false to start a separate run.")
    return RunLock(run).acquire(hint)


def check_unlocked(run: RunDir, config: dict):
    """Raise lock_run's UserError if a process trains in `run` now; holds nothing (a launcher checks before it
    writes launch/ into the folder and starts ranks that would each find the run locked)."""
    if (run.path / ".lock").is_file():
        lock_run(run, config).release()


def open_run(config: dict) -> tuple[RunDir, bool]:
    """The run directory for this config (created), and whether it continues an earlier run."""
    run, resumed = locate_run(config)
    run.path.mkdir(parents=True, exist_ok=True)
    return run, resumed


def locate_run(config: dict) -> tuple[RunDir, bool]:
    """Where `open_run` would put this config, creating nothing (a launcher's dry run shows it)."""
    digest = config_hash(config)
    if config.get("output_dir"):
        run = RunDir(Path(config["output_dir"]).expanduser())
        state = run.read_state()
        if state and state.get("config_hash") != digest:
            raise UserError(f"output_dir={run.path} holds a run with a different config. "
                            "Use another output_dir, or delete that folder to start over.")
        resumed = bool(state) and config.get("resume", True)
    else:
        root = Path("runs") / config["name"]
        previous = _resumable(root, digest) if config.get("resume", True) else None
        run, resumed = (previous, True) if previous else (RunDir(root / time.strftime("%Y%m%d-%H%M%S")), False)
        while not resumed and run.path.exists():  # two runs started within the same second
            run = RunDir(Path(f"{run.path}-1"))
    return run, resumed


def _resumable(root: Path, digest: str) -> RunDir | None:
    if not root.is_dir():
        return None
    for path in sorted(root.iterdir(), reverse=True):
        state = RunDir(path).read_state()
        if state.get("config_hash") == digest and (not state.get("finished") or not (path / "report.md").is_file()):
            return RunDir(path)
    return None
