"""Importing the rewards must stay cheap: `r1kit ls` lists them without loading ML libraries."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ["torch", "transformers", "trl", "datasets", "math_verify", "sympy", "rjieba"]


def test_import_loads_no_ml_library():
    code = (
        "import json, sys\n"
        "import r1kit.rewards as rewards\n"
        "names = rewards.available()\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'names': len(names)}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, timeout=120
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["heavy"] == []
    assert report["names"] >= 10
