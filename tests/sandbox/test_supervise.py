"""The parent watching the child: the wall clock, output caps, and nothing left behind (processes, files)."""

import os
import time

import pytest

from r1kit import sandbox

from .programs import DAEMON, HOSTILE_LIMITS


def test_the_working_directory_is_thrown_away(isolation):
    result = sandbox.run("import os; open('junk', 'w').write('x'); print(os.getcwd())", **isolation)
    assert result.status == "ok"
    assert not os.path.exists(result.stdout.strip())


def test_sleeping_program_is_stopped_by_the_wall_clock(isolation):
    result = sandbox.run("import time; time.sleep(60)", **HOSTILE_LIMITS, **isolation)
    assert result.status == "timeout"


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_printing_gigabytes_is_cut_at_the_cap(isolation, stream):
    source = f"import sys\nwhile True:\n    sys.{stream}.write('x' * 65536)"
    result = sandbox.run(source, output_bytes=100_000, **HOSTILE_LIMITS, **isolation)
    assert result.status == "output_limit"
    assert len(getattr(result, stream)) == 100_000


def test_a_daemon_that_leaves_the_process_group_is_killed(isolation):
    result = sandbox.run(DAEMON, **isolation)
    assert result.status == "ok"
    workdir = result.stdout.strip()
    assert workdir.startswith("/") and not _leftovers(workdir)


def _leftovers(marker: str) -> list[int]:
    """Processes whose command line or environment mentions `marker` (a sandbox directory),
    a process killed a moment ago being given a second to go."""
    for _ in range(20):
        found = _mentioning(marker)
        if not found:
            return found
        time.sleep(0.1)
    return found


def _mentioning(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline, open(f"/proc/{pid}/environ", "rb") as environ:
                if marker.encode() in cmdline.read() + environ.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found
