"""Fixtures shared by the config, CLI, data and model tests: the real CLI in a subprocess, recipe files in tmp_path.

Nothing here is autouse, so the reward and integration tests are unaffected.
"""

import copy
import functools
import textwrap

import pytest

from tests.helpers import run_cli


@pytest.fixture(scope="session")
def r1kit_cli():
    """Run the real CLI: `r1kit_cli("train", "--cfg", "job", env={...}, cwd=...)` -> CompletedProcess.

    tests.helpers.run_cli that leaves the exit status to the test, with a shorter timeout.
    """
    return functools.partial(run_cli, check=False, timeout=300)


@pytest.fixture
def write_recipe(tmp_path):
    """Write a recipe (dedented YAML) into tmp_path and return its absolute path as a string."""

    def write(text: str, name: str = "my_recipe.yaml") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return str(path)

    return write


@pytest.fixture(scope="session")
def quickstart_config():
    """The quickstart recipe, composed and validated once per session; returns a fresh deep copy per call."""
    from r1kit.config.compose import compose_recipe
    from r1kit.config.validate import validate

    config = validate(compose_recipe("train", [], recipe="quickstart"))
    return lambda: copy.deepcopy(config)


def compose_and_validate(overrides=(), recipe="quickstart", command="train"):
    """compose() + validate() in-process, as the CLI does before anything heavy loads."""
    from r1kit.config.compose import compose_recipe
    from r1kit.config.validate import validate

    return validate(compose_recipe(command, list(overrides), recipe=recipe))


@pytest.fixture(scope="session")
def make_config():
    """compose_and_validate as a fixture, so test modules need not import conftest."""
    return compose_and_validate
