"""Shared test helpers: the real `r1kit` command in a subprocess, one way for every test; run directories read back."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = (sys.executable, "-m", "r1kit")


def cli_env(env=None) -> dict:
    """The environment of every `r1kit` subprocess: the caller's, then the test's own variables on top.

    R1KIT_DEBUG is dropped (tracebacks only when a test asks for them); SmolLM2 and DeepSpeed's compiled
    ops are found in the repo's .cache from any working directory, as under `make test`.
    """
    base = {k: v for k, v in os.environ.items() if k != "R1KIT_DEBUG"}
    base["R1KIT_SMOLLM2_DIR"] = str(REPO / ".cache" / "smollm2")
    base.setdefault("TORCH_EXTENSIONS_DIR", str(REPO / ".cache" / "torch_extensions"))
    return {**base, **(env or {})}


def run_cli(*args, cwd=None, env=None, timeout=900, check=True) -> subprocess.CompletedProcess:
    """`r1kit ARGS` to the end; with check, a non-zero exit fails the test showing the output's tail."""
    proc = subprocess.run([*CLI, *args], cwd=cwd or REPO, env=cli_env(env), capture_output=True, text=True,
                          timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"r1kit {' '.join(args)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n"
                             f"{proc.stderr[-5000:]}")
    return proc


def start_cli(*args, cwd=None, env=None, **popen) -> subprocess.Popen:
    """`r1kit ARGS` started in the background, for tests that watch or kill it while it runs."""
    return subprocess.Popen([*CLI, *args], cwd=cwd or REPO, env=cli_env(env), **popen)


def read_metrics(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines()]


def read_state(run_dir: Path) -> dict:
    return json.loads((Path(run_dir) / "state.json").read_text())
