"""The child's limits and namespaces: CPU, memory, processes, privileges, and what the filesystem shows."""

import os
import shutil
import socket
import sys
import tempfile
import textwrap
import threading
import time

import pytest

from r1kit import sandbox
from r1kit.sandbox import runner

from .programs import FORK_BOMB, FORK_COUNT, HOSTILE_LIMITS, needs_namespaces


def test_infinite_loop_is_stopped_by_the_cpu_limit(isolation):
    result = sandbox.run("while True: pass", time_s=0.5, wall_s=30, **isolation)
    assert result.status == "timeout" and result.returncode == -9
    assert result.seconds < 30  # the CPU limit ended it, not the wall clock


def test_memory_hog_gets_a_memory_error(isolation):
    result = sandbox.run("x = []\nwhile True:\n    x.append(bytearray(10**7))", memory_mb=256, **isolation)
    assert result.status == "memory"


def test_fork_bomb_stops_at_the_process_limit(isolation):
    result = sandbox.run(FORK_COUNT, max_processes=8, **isolation)
    assert result.status == "ok"
    forks = int(result.stdout)
    assert 1 <= forks <= (8 if isolation["isolation"] == "namespaces" else 16)  # process mode: the user's count moves


def test_fork_bomb_is_killed_and_leaves_nothing(isolation):
    result = sandbox.run(FORK_BOMB + "\n", **HOSTILE_LIMITS, **isolation)
    assert result.status == "timeout"
    assert sandbox.run("print('still fine')", **isolation).stdout == "still fine\n"


@needs_namespaces
def test_a_fork_bomb_does_not_starve_a_sandbox_beside_it():
    """With namespaces each sandbox counts its own processes, so a bomb next door costs nothing."""
    bomb = threading.Thread(target=sandbox.run, args=(FORK_BOMB,), kwargs=HOSTILE_LIMITS)
    bomb.start()
    try:
        result = sandbox.run(FORK_COUNT, max_processes=8)
    finally:
        bomb.join()
    assert result.status == "ok" and int(result.stdout) >= 5


def test_the_program_has_no_capabilities_and_no_new_privileges(isolation):
    source = "print(*[line.split()[1] for line in open('/proc/self/status') if line.startswith(('CapEff', 'CapPrm', 'NoNewPrivs'))])"
    assert sandbox.run(source, **isolation).stdout.split() == ["0000000000000000", "0000000000000000", "1"]


@needs_namespaces
def test_namespaces_hide_homes_and_other_processes(readable_home):
    hidden = runner._hidden_paths()  # HOME is covered wherever it is (here it is in /tmp, which is hidden too)
    assert any(readable_home == p or readable_home.startswith(p + "/") for p in hidden)
    source = textwrap.dedent(f"""\
        import os
        try:
            print(open({readable_home!r} + "/.netrc").read())
        except OSError as exc:
            print(type(exc).__name__)
        print(sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
        print(os.getppid())
    """)
    result = sandbox.run(source, guard=False)
    assert result.stdout.splitlines() == ["FileNotFoundError", "[1]", "0"], result


@needs_namespaces
def test_namespaces_hide_unix_sockets_in_tmp():
    """A network namespace does not cover unix sockets: a tmux or docker socket would be a way out."""
    directory = tempfile.mkdtemp(prefix="r1kit-test-sockets-")
    path = os.path.join(directory, "server.sock")
    os.chmod(directory, 0o755)
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        os.chmod(path, 0o777)
        server.listen()
        server.settimeout(0.2)
        source = f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({path!r})\nprint('connected')"
        result = sandbox.run(source, guard=False)
        with pytest.raises(TimeoutError):
            server.accept()
    shutil.rmtree(directory)
    assert "connected" not in result.stdout and "FileNotFoundError" in result.stderr, result


@needs_namespaces
def test_namespaces_make_the_filesystem_read_only_without_the_hook():
    target = os.path.join(sys.prefix, f"r1kit-test-{os.getpid()}-{time.monotonic_ns()}")  # visible in the sandbox
    try:
        result = sandbox.run(f"open({target!r}, 'w')", guard=False)
        assert "Read-only file system" in result.stderr and not os.path.exists(target)
    finally:
        if os.path.exists(target):
            os.remove(target)
