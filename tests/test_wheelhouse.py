"""scripts/build_wheelhouse.py: its folder installs r1kit with no index beside a torch that is already there, and trains.

The "node" is a fresh venv whose only foreign packages are torch and what torch needs, reached through a
.pth file into a folder of links to this environment's copies: what a cluster image with torch
preinstalled gives, in a second instead of a 200 MB install. pip runs with no configuration (this
machine's find-links and extra indexes are not read) and --no-index, so only the wheelhouse can serve it.
"""

import importlib.util
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import parse_wheel_filename

from tests.helpers import REPO

spec = importlib.util.spec_from_file_location("freeze_constraints", REPO / "scripts" / "freeze_constraints.py")
freeze = importlib.util.module_from_spec(spec)
spec.loader.exec_module(freeze)


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in command], capture_output=True, text=True, check=False, **kwargs)
    assert proc.returncode == 0, f"{command} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


def preinstalled_torch(folder: Path) -> set[str]:
    """Links to torch and its requirements' top-level files and dist-info folders; their names."""
    folder.mkdir()
    names = freeze.installed_closure([Requirement("torch")])
    for name in names:
        tops = {Path(f).parts[0] for f in metadata.distribution(name).files if not str(f).startswith("..")}
        root = Path(metadata.distribution(name).locate_file(""))
        for top in tops - {"__pycache__"}:
            (folder / top).symlink_to(root / top)
    return set(names)


def test_the_wheelhouse_installs_offline_beside_torch_and_trains_two_quickstart_steps(tmp_path):
    wheelhouse = tmp_path / "wheelhouse"
    run(sys.executable, REPO / "scripts" / "build_wheelhouse.py", "--output", wheelhouse, cwd=tmp_path)
    names = {parse_wheel_filename(p.name)[0] for p in wheelhouse.glob("*.whl")}
    assert {"r1kit", "trl", "transformers", "deepspeed", "hydra-core", "reasoning-gym"} <= names
    assert not [n for n in names if n == "torch" or freeze.CUDA_ONLY.match(n)], names

    node = tmp_path / "node"
    run(sys.executable, "-m", "venv", node)
    python = node / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip())
    torch_names = preinstalled_torch(tmp_path / "preinstalled")
    (site / "preinstalled_torch.pth").write_text(str(tmp_path / "preinstalled") + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "R1KIT_"))}
    env |= {"PIP_CONFIG_FILE": os.devnull, "OMP_NUM_THREADS": "1"}
    if (site / "setuptools").exists():  # a Python < 3.12 venv brings an old one, which would hide torch's
        run(python, "-m", "pip", "uninstall", "-q", "-y", "setuptools", env=env)
    run(python, "-m", "pip", "install", "--no-index", "--find-links", wheelhouse,
        "-c", wheelhouse / "constraints.txt", "r1kit", env=env, cwd=tmp_path)

    where = json.loads(run(python, "-c", "import json, r1kit, torch, trl, deepspeed; print(json.dumps("
                                         "[m.__file__ for m in (r1kit, torch, trl, deepspeed)]))",
                           env=env, cwd=tmp_path).stdout.splitlines()[-1])
    assert [Path(w).is_relative_to(site) for w in where] == [True, False, True, True], where
    assert "torch" in torch_names and "transformers" not in torch_names

    run(node / "bin" / "r1kit", "train", "recipe=quickstart", "stages.sft.max_steps=2", "stages.grpo.max_steps=2",
        "stages.sft.logging_steps=1", "stages.grpo.logging_steps=1", "eval.limit=8", "eval.every_steps=0",
        env=env, cwd=tmp_path)
    (metrics,) = tmp_path.glob("runs/quickstart/*/metrics.jsonl")
    steps = [(m["stage"], m["step"]) for m in map(json.loads, metrics.read_text().splitlines()) if "loss" in m]
    assert steps == [("sft", 1), ("sft", 2), ("grpo", 1), ("grpo", 2)], steps
