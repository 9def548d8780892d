"""Run one program in the sandbox: choose the isolation, prepare its directory, start the child, report."""

import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

from r1kit.sandbox import bootstrap
from r1kit.sandbox.bootstrap import NOBODY
from r1kit.sandbox.guard import GUARD
from r1kit.sandbox.result import OK, SANDBOX_ERROR, Result, status_of
from r1kit.sandbox.supervise import collect, force_remove, kill_group, sweep

# Covered with an empty tmpfs: homes (tokens, .netrc, ssh keys), secrets, and the places
# where other programs keep unix sockets (/run/docker.sock, a tmux server in /tmp), which
# a network namespace does not hide.
HIDDEN = ("/root", "/home", "/run", "/var/run", "/tmp", "/var/tmp", "/dev/shm")


def run(
    source: str,
    stdin: str | bytes = b"",
    *,
    files: dict | None = None,
    time_s: float = 2.0,
    wall_s: float | None = None,
    memory_mb: int = 512,
    output_bytes: int = 1 << 20,
    file_mb: int = 16,
    max_processes: int = 16,
    guard: bool = True,
    python: str | None = None,
    isolation: str = "auto",
) -> Result:
    """Run the Python program `source` with `stdin` in a sandbox and return its `Result`.

    time_s: CPU seconds (RLIMIT_CPU, rounded up to whole seconds); wall_s: wall-clock
    seconds, by default 2 * time_s + 1 (startup and a loaded machine); memory_mb: address
    space; output_bytes: cap on each of stdout and stderr; file_mb: largest file it may
    write; max_processes: processes and threads it may have at once; files: extra files
    (name -> text or bytes) in its working directory; python: the interpreter (default:
    this one); isolation: "auto", "namespaces" or "process".
    """
    python = python or sys.executable
    mode = resolve_isolation(isolation)
    wall_s = 2 * time_s + 1 if wall_s is None else wall_s
    start = time.monotonic()
    workdir = os.path.realpath(tempfile.mkdtemp(prefix="r1kit-sandbox-"))
    proc = None
    try:
        _write(os.path.join(workdir, "program.py"), source)
        for name, content in (files or {}).items():
            _write(os.path.join(workdir, os.path.basename(name)), content)
        _write(os.path.join(workdir, ".stdin"), stdin)
        _write(os.path.join(workdir, ".boot"), _bootstrap_code())
        drop = os.geteuid() == 0 and mode == "process"  # with namespaces the child drops to nobody itself
        if drop:
            for path in [workdir, *(os.path.join(workdir, n) for n in os.listdir(workdir))]:
                os.chown(path, NOBODY, NOBODY)
        config = {
            "mode": mode, "workdir": workdir, "python": python, "guard": GUARD if guard else None,
            "hidden": _hidden_paths(), "keep": _kept_paths(python, workdir), "time_s": time_s, "memory_mb": memory_mb,
            "file_mb": file_mb, "max_processes": max_processes, "in_process": python == sys.executable,
        }
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": workdir,
               "TMPDIR": workdir, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        with open(os.path.join(workdir, ".stdin"), "rb") as stdin_file:
            proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-B", "-c", _BOOT, _encode(config)],
                stdin=stdin_file, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir, env=env,
                start_new_session=True, close_fds=True,
            )
        out, err, over, timed_out = collect(proc, start + wall_s, output_bytes)
        returncode = proc.returncode
    except OSError as exc:  # could not even start (no interpreter, no temp dir): not the program's doing
        return Result(SANDBOX_ERROR, None, "", f"r1kit-sandbox: {exc}", time.monotonic() - start, mode)
    finally:
        if proc is not None:
            kill_group(proc)
            if mode == "process":
                sweep(workdir)
        shutil.rmtree(workdir, onerror=force_remove)
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    status = status_of(returncode, stderr, over, timed_out)
    return Result(status, returncode, stdout, stderr, time.monotonic() - start, mode)


_ISOLATION: list[str] = []


def resolve_isolation(isolation: str = "auto") -> str:
    """The isolation `run` uses: namespaces where this machine allows them, else process.

    Decided once per interpreter by running a tiny program in namespaces; ValueError for
    an unknown level. A fallback is reported once with `warnings.warn`.
    """
    if isolation not in ("auto", "namespaces", "process"):
        raise ValueError(f"sandbox isolation={isolation!r} must be 'auto', 'namespaces' or 'process'")
    if isolation != "auto":
        return isolation
    if not _ISOLATION:
        probe = run("print(6 * 7)", isolation="namespaces", time_s=5)
        if probe.status == OK and probe.stdout.strip() == "42":
            _ISOLATION.append("namespaces")
        else:
            warnings.warn(
                "r1kit sandbox: Linux namespaces are not available here, so model-written code runs with "
                f"process limits only (no network, mount or pid isolation): {probe.stderr.strip()[-300:]}",
                RuntimeWarning, stacklevel=2,
            )
            _ISOLATION.append("process")
    return _ISOLATION[0]


def self_check(python: str | None = None, isolation: str = "auto") -> str | None:
    """None if the sandbox can run a program that imports from the standard library, else what went wrong.

    (As root without namespaces the program runs as nobody, who may not be able to read
    this interpreter's files.)
    """
    result = run("import fractions, json\nprint(6 * 7)", python=python, isolation=isolation, time_s=5)
    if result.status == OK and result.stdout.strip() == "42":
        return None
    return f"status {result.status}, return code {result.returncode}: {result.stderr.strip()[-500:]}"


def _write(path: str, content) -> None:
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else bytes(content or b"")
    with open(path, "wb") as f:
        f.write(data)


# The child runs the bootstrap module's code, compiled once here: compiling it in every
# child would cost more than the namespaces (8 ms), and its .pyc may not exist.
_BOOT = "import marshal; exec(marshal.loads(open('.boot', 'rb').read()))"
_BOOT_CODE: list[bytes] = []


def _bootstrap_code() -> bytes:
    if not _BOOT_CODE:
        with open(bootstrap.__file__, "rb") as f:
            _BOOT_CODE.append(marshal.dumps(compile(f.read(), bootstrap.__file__, "exec")))
    return _BOOT_CODE[0]


def _encode(config: dict) -> str:
    """The child's configuration as one argument: marshal needs no import there (json costs 9 ms)."""
    return marshal.dumps(config).hex()


def _hidden_paths() -> list[str]:
    """Directories covered with an empty tmpfs (HIDDEN, and this user's home)."""
    paths = set(HIDDEN) | {os.path.expanduser("~")}
    try:
        import pwd

        paths.add(pwd.getpwuid(os.getuid()).pw_dir)
    except (ImportError, KeyError):
        pass
    real = sorted({os.path.realpath(p) for p in paths if p and os.path.isdir(p)} - {"/"})
    return [p for p in real if not any(p.startswith(q + "/") for q in real)]  # not inside another


def _kept_paths(python: str, workdir: str) -> list[str]:
    """What the program's interpreter needs to see inside a hidden directory: its own
    directories and prefixes (the standard library, site-packages), and the workdir."""
    real = os.path.realpath(python)
    paths = {os.path.dirname(python), os.path.dirname(real), os.path.dirname(os.path.dirname(real)), workdir}
    if real == os.path.realpath(sys.executable):
        paths |= {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    return sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)})
