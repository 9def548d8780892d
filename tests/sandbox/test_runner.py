"""run, resolve_isolation and self_check: programs in, Results out, the isolation chosen once and logged."""

import logging
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from r1kit import sandbox
from r1kit.errors import UserError
from r1kit.sandbox import runner
from r1kit.sandbox.bootstrap import REFUSED

from .programs import needs_namespaces


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


def test_a_bad_interpreter_is_a_sandbox_error_not_an_exception():
    result = sandbox.run("print(1)", python="/nonexistent/python")
    assert result.status == "sandbox_error" and "/nonexistent/python" in result.stderr
    assert sandbox.self_check("/nonexistent/python") is not None
    assert sandbox.self_check() is None


WITHOUT_CAP_SYS_ADMIN = """\
import ctypes, logging, sys
libc = ctypes.CDLL(None, use_errno=True)
CAP_SYS_ADMIN, PR_CAPBSET_DROP = 21, 24
assert libc.prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) == 0  # for the children too
header, data = (ctypes.c_uint32 * 2)(0x20080522, 0), (ctypes.c_uint32 * 6)()
assert libc.capget(header, data) == 0
for i in range(3):  # effective, permitted, inheritable
    data[i] &= ~(1 << CAP_SYS_ADMIN)
assert libc.capset(header, data) == 0
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stdout)
from r1kit import sandbox
from r1kit.errors import UserError
try:
    sandbox.resolve_isolation("namespaces")
except UserError as err:
    print("required:", err)
print("auto:", sandbox.resolve_isolation())
"""


@needs_namespaces
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root, to drop CAP_SYS_ADMIN")
def test_when_the_kernel_refuses_namespaces_auto_falls_back_and_required_namespaces_fail():
    # root without CAP_SYS_ADMIN (Docker's default): unshare fails with EPERM, a real refusal
    done = subprocess.run([sys.executable, "-c", WITHOUT_CAP_SYS_ADMIN], capture_output=True, text=True, check=False,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("required: sandbox isolation='namespaces' is required, but the kernel refused "
                               "namespaces (EPERM)"), lines
    assert lines[1].startswith("WARNING sandbox isolation: process (the kernel refused namespaces (EPERM)"), lines
    assert lines[2:] == ["auto: process"]


def test_a_refusal_is_probed_once_and_remembered(monkeypatch):
    monkeypatch.setattr(runner, "_REFUSAL", [])
    probes = []
    refused = sandbox.Result("sandbox_error", 125, "", f"{REFUSED} (EPERM): unshare\n", 0.0, "namespaces")
    monkeypatch.setattr(runner, "_run", lambda *args, **kwargs: probes.append(args) or refused)
    assert sandbox.resolve_isolation() == "process"
    assert sandbox.resolve_isolation() == "process"
    with pytest.raises(UserError, match=r"isolation='namespaces' is required, but the kernel refused"):
        sandbox.resolve_isolation("namespaces")
    assert len(probes) == 1


def test_a_probe_that_runs_out_of_time_never_falls_back_to_process(monkeypatch):
    monkeypatch.setattr(runner, "_REFUSAL", [])
    no_time = {"time_s": 1, "wall_s": 0}
    monkeypatch.setattr(runner, "PROBE_LIMITS", (no_time, no_time))
    for isolation in ("auto", "namespaces"):
        with pytest.raises(UserError, match="could not tell whether this machine allows Linux namespaces.*timeout"):
            sandbox.resolve_isolation(isolation)
    assert runner._REFUSAL == []  # not remembered: the next call probes again


@needs_namespaces
def test_a_slow_first_probe_is_retried_with_more_time(monkeypatch):
    monkeypatch.setattr(runner, "_REFUSAL", [])
    monkeypatch.setattr(runner, "PROBE_LIMITS", ({"time_s": 1, "wall_s": 0}, runner.PROBE_LIMITS[-1]))
    assert sandbox.resolve_isolation() == "namespaces"


def test_a_probe_that_fails_otherwise_never_falls_back_to_process(monkeypatch):
    monkeypatch.setattr(runner, "_REFUSAL", [])
    monkeypatch.setattr(runner, "PROBE_SOURCE", "raise SystemExit('r1kit-test: no 42 here')")
    with pytest.raises(UserError, match="failed 2 times without the kernel refusing them.*r1kit-test: no 42 here"):
        sandbox.resolve_isolation()


def test_the_isolation_is_logged_the_first_time_it_is_used(monkeypatch, caplog):
    monkeypatch.setattr(runner, "_REPORTED", set())
    caplog.set_level(logging.INFO, logger="r1kit.sandbox")
    mode = sandbox.resolve_isolation()
    sandbox.run("print(1)")
    sandbox.resolve_isolation("process")
    sandbox.resolve_isolation("process")
    expected = "sandbox isolation: namespaces" if mode == "namespaces" else "sandbox isolation: process (the kernel"
    assert [r.getMessage()[:len(expected)] for r in caplog.records][:1] == [expected]
    assert [r.getMessage() for r in caplog.records][1:] == ["sandbox isolation: process (chosen with isolation='process')"]


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
