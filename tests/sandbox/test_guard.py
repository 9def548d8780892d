"""The audit hook: no writes outside the directory, no sockets, subprocesses or native calls."""

import os
import socket
import sys
import textwrap

import pytest

from r1kit import sandbox


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
