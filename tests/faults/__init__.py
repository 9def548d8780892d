"""Crash a real r1kit run at an exact point: see sitecustomize.py here."""

import json
import os
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
REPO = FOLDER.parents[1]


def fault_env(name: str, op: str, path: str, mark: Path, nth: int = 1, when: str = "before",
              action: str = "kill") -> dict:
    """Variables for tests.helpers.start_cli/run_cli: the repo and this folder on PYTHONPATH, and the fault."""
    spec = {"name": name, "op": op, "path": path, "nth": nth, "when": when, "action": action, "mark": str(mark)}
    return {"PYTHONPATH": os.pathsep.join([str(FOLDER), str(REPO)]), "R1KIT_FAULT": json.dumps(spec)}


def fired(mark: Path) -> list[str]:
    """The names of the faults that fired, in order."""
    return [line.split(" ", 1)[0] for line in Path(mark).read_text().splitlines()] if Path(mark).exists() else []
