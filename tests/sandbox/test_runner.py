"""run, resolve_isolation and self_check: programs in, Results out, the isolation chosen once."""

import os
import sys
import textwrap
import threading

import pytest

from r1kit import sandbox
from r1kit.sandbox import runner

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
