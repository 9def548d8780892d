"""Fixtures of the sandbox tests: each isolation this machine has, and a home directory with a secret."""

import os
import shutil
import sys
import tempfile

import pytest

from r1kit import sandbox

from .programs import NAMESPACES


def _process_python():
    """An interpreter the process-level sandbox can run: as root it runs as nobody, who may
    not be able to read this virtual environment's interpreter (here it lives in /root)."""
    for python in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if python and sandbox.self_check(python, isolation="process") is None:
            return python
    return None


@pytest.fixture(scope="module", params=["namespaces", "process"])
def isolation(request):
    """Run a test under each isolation this machine has: {"isolation": ..., "python": ...}."""
    if request.param == "namespaces":
        if not NAMESPACES:
            pytest.skip("Linux namespaces are not available here")
        return {"isolation": "namespaces"}
    python = _process_python()
    if python is None:
        pytest.skip("no interpreter the process-level sandbox can run")
    return {"isolation": "process", "python": python}


@pytest.fixture
def readable_home(monkeypatch):
    """A home directory with a secret file that anyone could read, as HOME."""
    home = tempfile.mkdtemp(prefix="r1kit-test-home-")
    os.chmod(home, 0o755)
    with open(os.path.join(home, ".netrc"), "w") as f:
        f.write("machine api.wandb.ai password r1kit-test-secret")
    os.chmod(os.path.join(home, ".netrc"), 0o644)
    monkeypatch.setenv("HOME", home)
    yield home
    shutil.rmtree(home)
