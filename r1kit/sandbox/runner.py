"""Run one program in the sandbox: choose the isolation, prepare its directory, start the child, report."""

import logging
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from r1kit.errors import UserError
from r1kit.sandbox import bootstrap
from r1kit.sandbox.bootstrap import NOBODY, REFUSED
from r1kit.sandbox.guard import GUARD
from r1kit.sandbox.result import OK, SANDBOX_ERROR, Result, status_of
from r1kit.sandbox.supervise import collect, force_remove, kill_group, sweep

log = logging.getLogger("r1kit.sandbox")

ISOLATIONS = ("auto", "namespaces", "process")

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
    this one); isolation: "auto", "namespaces" or "process" (see `resolve_isolation`).
    """
    return _run(resolve_isolation(isolation), source, stdin, files=files, time_s=time_s, wall_s=wall_s,
                memory_mb=memory_mb, output_bytes=output_bytes, file_mb=file_mb, max_processes=max_processes,
                guard=guard, python=python)


def _run(mode: str, source, stdin, *, files, time_s, wall_s, memory_mb, output_bytes, file_mb, max_processes, guard,
         python) -> Result:
    """`run` with the isolation already resolved (the probe calls it directly)."""
    python = python or sys.executable
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


# The probe: a first try with room for a loaded machine, then a generous one if the first could not tell.
PROBE_SOURCE = "print(6 * 7)"
PROBE_LIMITS = ({"time_s": 5, "wall_s": 15}, {"time_s": 30, "wall_s": 120})

_REFUSAL: list = []  # once probed: [None] where namespaces work, [why] where the kernel refuses them
_REPORTED: set = set()  # the isolations already logged by this interpreter
_LOCK = threading.Lock()


def resolve_isolation(isolation: str = "auto") -> str:
    """The isolation `run` uses for `isolation`: "auto" is namespaces where the kernel allows them, else process.

    "auto" and "namespaces" probe once per interpreter by running a tiny program in
    namespaces. Only a refusal by the kernel (EPERM, EINVAL, ENOSYS, ... while building
    them) makes "auto" fall back to "process", and "namespaces" a UserError: a loaded
    machine must not quietly lower the isolation of a whole run. A probe that is slow or
    fails for any other reason is tried again with generous limits; if that cannot tell
    either, UserError (nothing is remembered, so a later call probes again). The first use
    of each isolation is logged ("sandbox isolation: namespaces"; a fallback, with why, as
    a warning). ValueError for an unknown level.
    """
    if isolation not in ISOLATIONS:
        raise ValueError(f"sandbox isolation={isolation!r} must be 'auto', 'namespaces' or 'process'")
    with _LOCK:
        if isolation == "process":
            return _report("process", "chosen with isolation='process'")
        refusal = _kernel_refusal()
        if refusal is None:
            return _report("namespaces")
        if isolation == "namespaces":
            raise UserError(
                f"sandbox isolation='namespaces' is required, but {refusal}; run where Linux allows them (root with "
                "CAP_SYS_ADMIN, or unprivileged user namespaces enabled, and no seccomp profile that blocks unshare), "
                "or set isolation to 'auto' to fall back to process limits"
            )
        return _report("process", f"{refusal}; model-written code runs with process limits only: no network, "
                                  "mount or pid isolation", logging.WARNING)


def _kernel_refusal() -> str | None:
    """None where namespaces work here, else why the kernel refused them; probed once, then remembered."""
    if not _REFUSAL:
        tries = []
        for limits in PROBE_LIMITS:
            result = _run("namespaces", PROBE_SOURCE, b"", files=None, **limits, memory_mb=512, output_bytes=4096,
                          file_mb=1, max_processes=16, guard=False, python=None)
            if result.status == OK and result.stdout.strip() == "42":
                _REFUSAL.append(None)
                break
            if result.status == SANDBOX_ERROR and result.stderr.startswith(REFUSED):
                _REFUSAL.append(result.stderr.strip().splitlines()[0].removeprefix("r1kit-sandbox: "))
                break
            tries.append(f"{result.status}, {result.stderr.strip()[-300:] or 'no output'}")
        else:
            raise UserError(
                "sandbox: could not tell whether this machine allows Linux namespaces: a probe program failed "
                f"{len(tries)} times without the kernel refusing them ({'; '.join(tries)}); the machine may be "
                "overloaded: run again, or set isolation to 'process' to use process limits only"
            )
    return _REFUSAL[0]


def _report(mode: str, why: str | None = None, level: int = logging.INFO) -> str:
    """Log the isolation the first time this interpreter uses it, so a run's output says which it had."""
    if (mode, why) not in _REPORTED:
        _REPORTED.add((mode, why))
        log.log(level, "sandbox isolation: %s", f"{mode} ({why})" if why else mode)
    return mode


def self_check(python: str | None = None, isolation: str = "auto") -> str | None:
    """None if the sandbox can run a program that imports from the standard library, else what went wrong.

    (As root without namespaces the program runs as nobody, who may not be able to read
    this interpreter's files.) UserError where `isolation` cannot be had (`resolve_isolation`).
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
