"""The sandbox for model-written code: real subprocesses running hostile programs.

Each hostile program must end with a status that says what it did, leave nothing behind
(no process, no file outside its directory), and let this process carry on. Programs
with an infinite loop get short limits (1 CPU second, 1.5 s of wall time).
"""

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

HOSTILE_LIMITS = {"time_s": 0.5, "wall_s": 1.5}
NAMESPACES = sandbox.resolve_isolation() == "namespaces"
needs_namespaces = pytest.mark.skipif(not NAMESPACES, reason="Linux namespaces are not available here")

FORK_COUNT = """\
import os, time
n = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(2)
            os._exit(0)
        n += 1
except OSError:
    print(n)
"""
FORK_BOMB = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
DAEMON = """\
import os, sys, time
if os.fork() == 0:
    os.setsid()
    time.sleep(30)
    os._exit(0)
print(os.getcwd())
"""


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


# --- programs that behave ------------------------------------------------------------


def test_a_program_reads_stdin_and_its_files_and_writes_its_directory(isolation):
    source = textwrap.dedent("""\
        import os
        a, b = map(int, input().split())
        open("scratch.txt", "w").write(open("data.txt").read() * 2)
        print(a + b, open("scratch.txt").read(), os.getcwd() == os.environ["HOME"])
    """)
    result = sandbox.run(source, "2 3\n", files={"data.txt": "ab"}, **isolation)
    assert (result.status, result.returncode, result.stdout, result.stderr) == ("ok", 0, "5 abab True\n", "")
    assert result.isolation == isolation["isolation"]


def test_errors_and_exit_statuses(isolation):
    crash = sandbox.run("raise ValueError('boom')", **isolation)
    assert crash.status == "error" and crash.returncode == 1 and "ValueError: boom" in crash.stderr
    assert sandbox.run("import sys; sys.exit(3)", **isolation).returncode == 3
    assert sandbox.run("def f(:\n  pass", **isolation).status == "error"
    assert sandbox.run("print(input())", "", **isolation).status == "error"  # EOF on empty stdin


def test_the_working_directory_is_thrown_away(isolation):
    result = sandbox.run("import os; open('junk', 'w').write('x'); print(os.getcwd())", **isolation)
    assert result.status == "ok"
    assert not os.path.exists(result.stdout.strip())


# --- hostile programs ----------------------------------------------------------------


def test_infinite_loop_is_stopped_by_the_cpu_limit(isolation):
    result = sandbox.run("while True: pass", time_s=0.5, wall_s=30, **isolation)
    assert result.status == "timeout" and result.returncode == -9
    assert result.seconds < 30  # the CPU limit ended it, not the wall clock


def test_sleeping_program_is_stopped_by_the_wall_clock(isolation):
    result = sandbox.run("import time; time.sleep(60)", **HOSTILE_LIMITS, **isolation)
    assert result.status == "timeout"


def test_memory_hog_gets_a_memory_error(isolation):
    result = sandbox.run("x = []\nwhile True:\n    x.append(bytearray(10**7))", memory_mb=256, **isolation)
    assert result.status == "memory"


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_printing_gigabytes_is_cut_at_the_cap(isolation, stream):
    source = f"import sys\nwhile True:\n    sys.{stream}.write('x' * 65536)"
    result = sandbox.run(source, output_bytes=100_000, **HOSTILE_LIMITS, **isolation)
    assert result.status == "output_limit"
    assert len(getattr(result, stream)) == 100_000


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


def test_a_daemon_that_leaves_the_process_group_is_killed(isolation):
    result = sandbox.run(DAEMON, **isolation)
    assert result.status == "ok"
    workdir = result.stdout.strip()
    assert workdir.startswith("/") and not _leftovers(workdir)


@pytest.mark.parametrize("guard", [True, False])
def test_writing_outside_its_directory_creates_nothing(isolation, tmp_path, guard):
    if not guard and isolation["isolation"] != "namespaces":
        pytest.skip("without namespaces only the audit hook stops writes (and the user's own permissions)")
    target = tmp_path / f"pwned-{os.getpid()}.txt"
    source = textwrap.dedent(f"""\
        import os
        for attempt in (lambda: open({str(target)!r}, "w").write("x"),
                        lambda: os.open({str(target)!r}, os.O_CREAT | os.O_WRONLY),
                        lambda: os.rename("program.py", {str(target)!r}),
                        lambda: os.symlink("/tmp", "link") or open("link/" + {target.name!r}, "w")):
            try:
                attempt()
                print("wrote")
            except OSError as exc:
                print(type(exc).__name__)
    """)
    result = sandbox.run(source, guard=guard, **isolation)
    assert "wrote" not in result.stdout, result
    assert not target.exists()
    assert not os.path.exists(os.path.join("/tmp", target.name))


def test_no_secret_from_the_environment_reaches_the_program(isolation, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-r1kit-test-secret")
    monkeypatch.setenv("R1KIT_TEST_SECRET", "r1kit-test-secret")
    source = textwrap.dedent("""\
        import os
        print(sorted(os.environ))
        print("secret" in repr(os.environ))
        seen = 0
        for pid in os.listdir("/proc"):
            try:
                seen += b"r1kit-test-secret" in open(f"/proc/{pid}/environ", "rb").read()
            except OSError:
                pass
        print(seen)
    """)
    result = sandbox.run(source, **isolation)
    assert result.status == "ok", result
    names, has_secret, seen = result.stdout.splitlines()
    assert "OPENAI_API_KEY" not in names and "R1KIT_TEST_SECRET" not in names
    assert has_secret == "False" and seen == "0"


@pytest.mark.parametrize("guard", [True, False])
def test_no_network_even_to_a_local_listening_socket(isolation, guard):
    if not guard and isolation["isolation"] != "namespaces":
        pytest.skip("without namespaces only the audit hook blocks sockets")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.2)
        port = server.getsockname()[1]
        source = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\nprint('connected')"
        result = sandbox.run(source, guard=guard, **isolation)
        with pytest.raises(TimeoutError):
            server.accept()
    assert result.status == "error" and "connected" not in result.stdout
    expected = "r1kit sandbox: socket" if guard else "Network is unreachable"
    assert expected in result.stderr


def test_the_audit_hook_refuses_subprocesses_and_native_calls(isolation):
    for source in ("import subprocess; subprocess.run(['true'])", "import os; os.system('true')",
                   "import os; os.execv('/bin/true', ['true'])", "import ctypes; ctypes.CDLL(None).getpid()",
                   "import ctypes; ctypes.CDLL('libc.so.6')", "import os; os.kill(os.getpid(), 0)"):
        result = sandbox.run(source, **isolation)
        assert result.status == "error" and "r1kit sandbox:" in result.stderr, source


def test_libraries_that_import_ctypes_still_work():
    numpy = pytest.importorskip("numpy")
    if not os.path.realpath(numpy.__file__).startswith(os.path.realpath(sys.prefix)):
        pytest.skip("numpy is not installed in this interpreter's own environment (python -I cannot see it)")
    assert sandbox.run("import numpy\nprint(numpy.arange(4).sum())").stdout == "6\n"


def test_the_program_has_no_capabilities_and_no_new_privileges(isolation):
    source = "print(*[line.split()[1] for line in open('/proc/self/status') if line.startswith(('CapEff', 'CapPrm', 'NoNewPrivs'))])"
    assert sandbox.run(source, **isolation).stdout.split() == ["0000000000000000", "0000000000000000", "1"]


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
def test_namespaces_show_only_what_python_needs_of_the_real_home():
    home = os.path.realpath(os.path.expanduser("~"))
    if not os.path.isdir(home) or home == "/":
        pytest.skip("no home directory")
    needed = {p[len(home) + 1:].split("/")[0] for p in runner._kept_paths(sys.executable, "/nowhere")
              if p.startswith(home + "/")}
    result = sandbox.run(f"import os\nprint(sorted(os.listdir({home!r})))", guard=False)
    assert result.status == "ok", result
    assert set(eval(result.stdout)) <= needed  # e.g. ['.pyenv'] when Python lives in ~/.pyenv


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


def test_a_bad_interpreter_is_a_sandbox_error_not_an_exception():
    result = sandbox.run("print(1)", python="/nonexistent/python")
    assert result.status == "sandbox_error" and "/nonexistent/python" in result.stderr
    assert sandbox.self_check("/nonexistent/python") is not None
    assert sandbox.self_check() is None


def test_without_namespaces_the_sandbox_falls_back_to_process_limits_and_says_so(monkeypatch):
    monkeypatch.setattr(runner, "_ISOLATION", [])
    failed = sandbox.Result("sandbox_error", 125, "", "r1kit-sandbox: unshare: Operation not permitted", 0.0, "namespaces")
    monkeypatch.setattr(runner, "run", lambda *args, **kwargs: failed)
    with pytest.warns(RuntimeWarning, match="namespaces are not available"):
        assert sandbox.resolve_isolation() == "process"
    assert sandbox.resolve_isolation() == "process"  # decided once


def test_text_is_utf8_both_ways():
    result = sandbox.run("print(input()[::-1], '→ ✓')", "héllo 世界\n")
    assert result.stdout == "界世 olléh → ✓\n"


def test_unknown_isolation_is_refused():
    with pytest.raises(ValueError, match="isolation"):
        sandbox.run("print(1)", isolation="chroot")


def test_many_sandboxes_at_once_from_threads():
    results = [None] * 8

    def work(i):
        results[i] = sandbox.run(f"print({i} * {i})")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.stdout for r in results] == [f"{i * i}\n" for i in range(8)]
