"""Shared helpers: run the real CLI in a subprocess, read run directories."""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=None, env=None, timeout=900, check=True):
    """`python -m r1kit ...` in a subprocess; returns the CompletedProcess."""
    full_env = {**os.environ, "R1KIT_SMOLLM2_DIR": str(REPO / ".cache" / "smollm2"), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "r1kit", *args], cwd=cwd or REPO, env=full_env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"r1kit {' '.join(args)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n"
                             f"{proc.stderr[-5000:]}")
    return proc


def read_metrics(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines()]


def read_state(run_dir: Path) -> dict:
    return json.loads((Path(run_dir) / "state.json").read_text())
