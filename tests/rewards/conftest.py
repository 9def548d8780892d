"""Make this checkout and the shared helpers (reward_cases.py, judge_server.py) importable from the reward
tests, and serve the judge tests' local chat-completions server."""

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for path in (REPO, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


@pytest.fixture
def stub():
    """A local chat-completions server that answers as each prompt's directives say (judge_server.py)."""
    from judge_server import serve

    state, stop = serve()
    yield state
    stop()
