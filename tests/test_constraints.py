"""constraints.txt and scripts/freeze_constraints.py: the pinned stack covers what pyproject.toml asks for."""

import importlib.util

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import REPO

spec = importlib.util.spec_from_file_location("freeze_constraints", REPO / "scripts" / "freeze_constraints.py")
freeze = importlib.util.module_from_spec(spec)
spec.loader.exec_module(freeze)


def pins(text: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return {canonicalize_name(name): version for name, _, version in (line.partition("==") for line in lines)}


def test_constraints_pin_every_requirement_within_its_range():
    """Fails when pyproject.toml gains or narrows a dependency: rerun scripts/freeze_constraints.py (make upgrade-deps)."""
    pinned = pins((REPO / "constraints.txt").read_text(encoding="utf-8"))
    for req in freeze.requirements():
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req} has no pin in constraints.txt"
        assert req.specifier.contains(pinned[name], prereleases=True), (str(req), pinned[name])
    assert "r1kit" not in pinned
    assert not [n for n in pinned if freeze.CUDA_ONLY.match(n)], "CUDA-only packages would pull gigabytes on a CPU"
    assert "+" not in pinned["torch"], "the Makefile installs torch by this pin: a local label fails off this machine"


def test_closure_follows_requirements_and_extras():
    walked = freeze.installed_closure([Requirement("hydra-core"), Requirement("pytest")])
    assert {"hydra-core", "omegaconf", "antlr4-python3-runtime", "pytest", "pluggy", "iniconfig"} <= set(walked)
    assert "torch" not in walked and "r1kit" not in walked


@pytest.mark.parametrize(("requirement", "message"), [("no-such-dist-for-r1kit>=1", "is not installed"),
                                                     ("pytest<1", "is installed in")])
def test_a_stale_environment_is_refused(requirement, message):
    with pytest.raises(SystemExit) as exc:
        freeze.installed_closure([Requirement(requirement)])
    assert message in str(exc.value) and "make install" in str(exc.value)


def test_rerun_writes_the_same_file_and_check_sees_a_change(tmp_path, capsys):
    out = tmp_path / "constraints.txt"
    assert freeze.main(["--output", str(out)]) == 0
    first = out.read_text()
    assert freeze.main(["--output", str(out)]) == 0 and out.read_text() == first
    assert freeze.main(["--check", "--output", str(out)]) == 0
    out.write_text("".join(line for line in first.splitlines(keepends=True) if not line.startswith("torch==")))
    assert freeze.main(["--check", "--output", str(out)]) == 1
    assert "+torch==" in capsys.readouterr().out
