"""Run untrusted Python (model-written code) in a sandbox, and say how it ended.

`run(source, stdin)` runs a program in a separate process with limits and returns a
`Result` (status, return code, capped stdout/stderr, seconds). It never raises because
of what the program does. Two levels of isolation, chosen once per process
(`resolve_isolation()`):

- "namespaces" (Linux, root or unprivileged user namespaces): the program runs as pid 1
  of its own pid namespace (every process it starts dies with it, whatever session or
  group it moves to), in its own network namespace (no interface but a loopback that is
  down), in its own mount namespace where the whole filesystem is read-only, home
  directories, /run, /tmp and /dev/shm are hidden (secrets, and unix sockets such as
  docker's or a tmux server's), /proc shows only the sandbox, and the working directory
  is a small tmpfs that vanishes with it; in its own user namespace, so the
  process-count limit counts this sandbox only; as `nobody` when the caller is root.
- "process" (fallback): a new session, rlimits, and a process-count limit counted over
  the whole user (current count + a margin), without the namespace guarantees.

Both add rlimits (CPU seconds, address space, file size, no core dumps), a wall-clock
limit, output caps (the process group is killed as soon as a cap is passed), an
environment with nothing of the caller's (no API keys), `python -I`, and, unless
`guard=False`, an audit hook in the program's interpreter that refuses sockets,
subprocesses and exec, native calls through ctypes, signals, reading other processes'
/proc entries and writes outside its directory. The hook is a second line of defence, not a boundary: Python code in the
same interpreter can get around it in ways the kernel's limits do not allow.

This module is also the child's bootstrap: the child (`python -I -S`) runs its code,
which sets up the namespaces and limits, then runs the program in that same interpreter
(or executes the `python` asked for); so everything at module level stays cheap (only os
and sys are imported at the top).
"""

import os
import sys

OK, ERROR, TIMEOUT, MEMORY, OUTPUT_LIMIT, SANDBOX_ERROR = "ok", "error", "timeout", "memory", "output_limit", "sandbox_error"
NOBODY = 65534
SETUP_FAILED = 125  # the bootstrap's exit status when it cannot build the sandbox
# Covered with an empty tmpfs: homes (tokens, .netrc, ssh keys), secrets, and the places
# where other programs keep unix sockets (/run/docker.sock, a tmux server in /tmp), which
# a network namespace does not hide.
HIDDEN = ("/root", "/home", "/run", "/var/run", "/tmp", "/var/tmp", "/dev/shm")
WORKDIR_MB = 64


class Result:
    """How a sandboxed run ended.

    status: "ok" (exit status 0), "error" (non-zero exit or killed by a signal),
    "timeout" (CPU or wall-clock limit), "memory" (MemoryError under the address-space
    limit), "output_limit" (stdout or stderr passed its cap) or "sandbox_error" (the
    sandbox itself could not start). stdout/stderr are decoded and cut at their caps.
    """

    __slots__ = ("isolation", "returncode", "seconds", "status", "stderr", "stdout")

    def __init__(self, status, returncode, stdout, stderr, seconds, isolation):
        self.status, self.returncode, self.stdout, self.stderr = status, returncode, stdout, stderr
        self.seconds, self.isolation = seconds, isolation

    @property
    def ok(self) -> bool:
        return self.status == OK

    def __repr__(self) -> str:
        return (
            f"Result(status={self.status!r}, returncode={self.returncode}, seconds={self.seconds:.3f}, "
            f"stdout={self.stdout[:80]!r}, stderr={self.stderr[-200:]!r}, isolation={self.isolation!r})"
        )


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
    import shutil
    import subprocess
    import tempfile
    import time

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
            "mode": mode, "workdir": workdir, "python": python, "guard": guard, "hidden": _hidden_paths(),
            "keep": _kept_paths(python, workdir), "time_s": time_s, "memory_mb": memory_mb,
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
        out, err, over, timed_out = _collect(proc, start + wall_s, output_bytes)
        returncode = proc.returncode
    except OSError as exc:  # could not even start (no interpreter, no temp dir): not the program's doing
        return Result(SANDBOX_ERROR, None, "", f"r1kit-sandbox: {exc}", time.monotonic() - start, mode)
    finally:
        if proc is not None:
            _kill(proc)
            if mode == "process":
                _sweep(workdir)
        shutil.rmtree(workdir, onerror=_force_remove)
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    status = _status(returncode, stderr, over, timed_out)
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
            import warnings

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


# --- parent side helpers ---------------------------------------------------------------


def _write(path: str, content) -> None:
    data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else bytes(content or b"")
    with open(path, "wb") as f:
        f.write(data)


# The child runs this module's own code, compiled once here: compiling it in every child
# would cost more than the namespaces (8 ms), and its .pyc may not exist.
_BOOT = "import marshal; exec(marshal.loads(open('.boot', 'rb').read()))"
_BOOT_CODE: list[bytes] = []


def _bootstrap_code() -> bytes:
    if not _BOOT_CODE:
        import marshal

        with open(__file__, "rb") as f:
            _BOOT_CODE.append(marshal.dumps(compile(f.read(), __file__, "exec")))
    return _BOOT_CODE[0]


def _encode(config: dict) -> str:
    """The child's configuration as one argument: marshal needs no import there (json costs 9 ms)."""
    import marshal

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


def _collect(proc, deadline: float, cap: int):
    """Read stdout and stderr until both close or the deadline passes; stop past `cap` bytes.

    The process group is killed as soon as the bootstrap exits (so leftovers that hold
    the pipes open go too), the deadline passes or a cap is passed.
    """
    import selectors
    import time

    buffers = {proc.stdout.fileno(): bytearray(), proc.stderr.fileno(): bytearray()}
    over = timed_out = False
    exited_at = None
    with selectors.DefaultSelector() as selector:
        for stream in (proc.stdout, proc.stderr):
            selector.register(stream, selectors.EVENT_READ)
        while selector.get_map() and not over:
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if exited_at is None and _exited(proc):
                exited_at = now
                _kill(proc)
            elif exited_at is not None and now - exited_at > 1.0:
                break  # something outside the group still holds a pipe
            for key, _ in selector.select(timeout=min(0.05, deadline - now)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                buffer = buffers[key.fd]
                buffer += chunk[: cap + 1 - len(buffer)]
                if len(buffer) > cap:
                    over = True
                    break
    _kill(proc)
    proc.wait()
    out, err = bytes(buffers[proc.stdout.fileno()][:cap]), bytes(buffers[proc.stderr.fileno()][:cap])
    proc.stdout.close()
    proc.stderr.close()
    return out, err, over, timed_out


def _exited(proc) -> bool:
    """Whether the bootstrap has exited, without reaping it: while it is a zombie its
    process group id cannot be reused, so killing the group stays safe."""
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _kill(proc) -> None:
    """SIGKILL the sandbox's whole process group (with namespaces: its whole pid namespace)."""
    import signal

    if proc.returncode is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _sweep(workdir: str) -> None:
    """Without a pid namespace, kill what left the process group (setsid): every process
    whose environment still names this run's directory, until none is found."""
    import signal

    marker = f"TMPDIR={workdir}\0".encode()
    for _ in range(10):
        found = False
        for pid in os.listdir("/proc"):
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if pid.isdigit() and marker in f.read():
                        os.kill(int(pid), signal.SIGKILL)
                        found = True
            except OSError:
                pass
        if not found:
            return


def _force_remove(function, path, exc_info) -> None:
    """rmtree's error handler: a program may have made its files read-only."""
    try:
        os.chmod(os.path.dirname(path), 0o700)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
        function(path)
    except OSError:
        pass


def _status(returncode, stderr: str, over: bool, timed_out: bool) -> str:
    import signal

    if over:
        return OUTPUT_LIMIT
    if timed_out or returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        return TIMEOUT  # SIGXCPU at the CPU limit, SIGKILL at its hard limit
    if returncode == SETUP_FAILED and stderr.startswith("r1kit-sandbox:"):
        return SANDBOX_ERROR
    if returncode == 0:
        return OK
    last = stderr.strip().rsplit("\n", 1)[-1]
    return MEMORY if last.startswith("MemoryError") else ERROR


# --- child side: `python -I -S -c _BOOT CONFIG` builds the sandbox, then runs the program -----

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
SYS_MOUNT_SETATTR, AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_RDONLY = 442, -100, 0x8000, 1


def _boot(config: dict) -> None:
    """Build the sandbox around this process; return (in pid 1 with namespaces) ready to run
    the program in this interpreter, or exec the program's own interpreter."""
    try:
        # Everything the bootstrap needs is imported now: once the homes are hidden (the
        # bootstrap shares the mount namespace) or it runs as nobody, the stdlib may be out of reach.
        import ctypes  # noqa: F401
        import math  # noqa: F401
        import resource
        import site

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        libc = _libc()
        if config["mode"] == "namespaces":
            _enter_namespaces(libc, config)  # returns in pid 1 of the new pid namespace
        elif os.geteuid() == 0:
            _become_nobody()
        _set_limits(config)
        _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        if config["mode"] == "namespaces":
            _check(libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0), "pdeathsig")  # SIGKILL if the bootstrap dies
        os.chdir(config["workdir"])
        _drop_capabilities(libc)  # those a new user namespace gave
        if config["in_process"]:
            site.main()  # this interpreter started with -S: add site-packages now, as `python -I` would
            return
        python = config["python"]
        flags = [python, "-I", "-B", "-X", "utf8"]
        argv = [*flags, "-c", _GUARD, "program.py", config["workdir"]] if config["guard"] else [*flags, "program.py"]
        try:
            os.execve(python, argv, dict(os.environ))
        except OSError as exc:
            raise OSError(exc.errno, f"cannot run {python} as uid {os.getuid()}: {exc.strerror}") from None
    except Exception as exc:  # noqa: BLE001 - any failure here is the sandbox's, not the program's
        os.write(2, f"r1kit-sandbox: could not set up the sandbox: {exc!r}\n".encode())
        os._exit(SETUP_FAILED)


def _program_module(config: dict) -> tuple:
    """A fresh __main__ module and the code to run in it: the guard (which then runs the
    program), or the program itself. Saves starting a second interpreter (~16 ms)."""
    main = type(sys)("__main__")
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    for name in [m for m in sys.modules if m == "ctypes" or m.startswith("ctypes.")]:
        del sys.modules[name]  # the bootstrap's, with its function pointers: a program imports its own
    if config["guard"]:
        sys.argv = ["-c", "program.py", config["workdir"]]
        return main, compile(_GUARD, "<r1kit-guard>", "exec")
    sys.argv = ["program.py"]
    main.__file__ = "program.py"
    with open("program.py", "rb") as f:
        return main, compile(f.read(), "program.py", "exec")


def _drop_capabilities(libc) -> None:
    import ctypes

    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    _check(libc.capset(header, (ctypes.c_uint32 * 6)()), "drop capabilities")


def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        import ctypes

        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _enter_namespaces(libc, config: dict) -> None:
    """New user (unless root), mount, network and pid namespaces; fork pid 1 and return in it.

    The bootstrap stays outside the pid namespace, waits for pid 1 and exits as it did.
    """
    root = os.geteuid() == 0
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID
    _check(libc.unshare(flags if root else flags | CLONE_NEWUSER), "unshare")
    if not root:
        _map_ids(uid, gid)
    pid = os.fork()
    if pid:
        _exit_like(pid)
    _build_filesystem(libc, config, *((NOBODY, NOBODY) if root else (uid, gid)))
    if root:
        # nobody, in a user namespace of its own: the process limit then counts this sandbox
        # only (root is exempt from it), and the mounts above stay locked.
        _become_nobody()
        _check(libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "dumpable")  # to write its own id maps
        _check(libc.unshare(CLONE_NEWUSER), "unshare user")
        _map_ids(NOBODY, NOBODY)


def _map_ids(uid: int, gid: int) -> None:
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)


def _become_nobody() -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _exit_like(pid: int) -> None:
    """Wait for `pid` and end this process the same way (exit status or signal)."""
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig not in (2, 13, 25):  # SIGINT, SIGPIPE, SIGXFSZ: Python handles or ignores these itself
            _libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # no core file from the bootstrap itself
            os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else SETUP_FAILED)


def _build_filesystem(libc, config: dict, uid: int, gid: int) -> None:
    """A tmpfs working directory, hidden home directories, a fresh /proc, and the rest read-only."""
    workdir = config["workdir"].encode()
    _check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    files = {}
    for name in os.listdir(workdir):
        if not name.startswith(b"."):
            with open(os.path.join(workdir, name), "rb") as f:
                files[name] = f.read()
    options = f"size={WORKDIR_MB}m,nr_inodes=4096,mode=0700,uid={uid},gid={gid}".encode()
    _check(libc.mount(b"tmpfs", workdir, b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options), "tmpfs workdir")
    for name, data in files.items():
        with open(os.path.join(workdir, name), "wb") as f:
            f.write(data)
    for hidden in config["hidden"]:
        _hide(libc, hidden, [p for p in config["keep"] if p == hidden or p.startswith(hidden.rstrip("/") + "/")])
    if libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None) != 0:
        # A container may refuse a new procfs; then hide the host's processes entirely.
        _check(libc.mount(b"tmpfs", b"/proc", b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k"), "hide /proc")
    _read_only(libc, workdir)


def _hide(libc, hidden: str, keep: list[str]) -> None:
    """Cover `hidden` with an empty tmpfs, then bind back the directories in `keep`."""
    keep = [p for p in sorted(keep) if not any(p.startswith(k.rstrip("/") + "/") for k in keep if k != p)]
    fds = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in keep]
    _check(libc.mount(b"tmpfs", hidden.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,mode=0755"), "hide")
    for path, fd in fds:
        os.makedirs(path, exist_ok=True)
        _check(libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND | MS_REC, None), "keep")
        os.close(fd)


def _read_only(libc, workdir: bytes) -> None:
    """Everything read-only except the working directory (and /proc, to write id maps)."""
    import ctypes

    def setattr_(path: bytes, flags: int, set_: int, clear: int) -> int:
        attr = (ctypes.c_uint64 * 4)(set_, clear, 0, 0)
        return libc.syscall(ctypes.c_long(SYS_MOUNT_SETATTR), ctypes.c_int(AT_FDCWD), path, ctypes.c_uint(flags),
                            ctypes.byref(attr), ctypes.c_size_t(32))

    if setattr_(b"/", AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0) == 0:
        _check(setattr_(workdir, 0, 0, MOUNT_ATTR_RDONLY), "writable workdir")
        _check(setattr_(b"/proc", 0, 0, MOUNT_ATTR_RDONLY), "writable /proc")
        return
    with open("/proc/self/mountinfo", "rb") as f:  # kernels before 5.12: remount one by one
        points = [line.split()[4].decode("unicode_escape").encode("latin-1") for line in f]
    keep_flags = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC}
    for point in points:
        if point in (workdir, b"/proc"):
            continue
        try:
            f_flag = os.statvfs(point).f_flag
        except OSError:
            continue
        flags = sum(ms for st, ms in keep_flags.items() if f_flag & st)
        libc.mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, None)


def _set_limits(config: dict) -> None:
    import math
    import resource

    cpu = max(1, math.ceil(config["time_s"]))
    nproc = config["max_processes"]
    if config["mode"] == "process":
        nproc += _tasks_of(os.getuid())  # without a user namespace the limit counts the whole user
    limits = {
        resource.RLIMIT_CPU: (cpu, cpu),  # SIGKILL at the limit: pid 1 of a namespace ignores SIGXCPU
        resource.RLIMIT_AS: (config["memory_mb"] << 20,) * 2,
        resource.RLIMIT_FSIZE: (config["file_mb"] << 20,) * 2,
        resource.RLIMIT_NPROC: (nproc, nproc),
    }
    for which, value in limits.items():
        resource.setrlimit(which, value)


def _tasks_of(uid: int) -> int:
    """Threads (what RLIMIT_NPROC counts) the user `uid` has now."""
    total = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/status") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line)
                if int(fields["Uid"].split()[0]) == uid:
                    total += int(fields["Threads"])
            except (OSError, KeyError, ValueError):
                pass
    return total


# Runs in the program's own interpreter before the program: the audit hook (see the
# module docstring), then the program as __main__.
_GUARD = r"""
def _r1kit_guard():
    import os, sys
    program, root = sys.argv[1], sys.argv[2]
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    denied = ("socket.", "subprocess.", "os.exec", "os.posix_spawn", "os.spawn", "os.system", "os.kill",
              "os.killpg", "pty.", "signal.pthread_kill", "ctypes.dlsym", "ctypes.call_function",
              "ctypes.cdata", "ctypes.string_at", "ctypes.wstring_at")
    modules = {"_posixsubprocess", "cffi", "_cffi_backend"}
    path_events = {"os.remove", "os.rmdir", "os.rename", "os.mkdir", "os.chmod", "os.chown", "os.link",
                   "os.symlink", "os.truncate", "os.utime", "os.setxattr", "os.removexattr", "os.mkfifo",
                   "os.mknod", "shutil.rmtree", "shutil.copyfile", "shutil.copytree", "shutil.move"}
    devices = {"/dev/null", "/dev/stdout", "/dev/stderr"}
    path_types = (str, bytes, os.PathLike)

    def inside(path):
        if isinstance(path, int):
            return True
        try:
            path = os.fsdecode(path)
            if os.path.abspath(path) in devices:
                return True
            real = os.path.realpath(path)
        except Exception:
            return False
        return real == root or real.startswith(root + "/")

    def other_process(path):  # /proc/<pid>/... of another process (its environment, its memory)
        try:
            parts = os.path.realpath(os.fsdecode(path)).split("/")
        except Exception:
            return True
        return len(parts) > 2 and parts[1] == "proc" and parts[2].isdigit() and parts[2] != str(os.getpid())

    def hook(event, args):
        if event.startswith(denied) or (event == "import" and args[0] in modules):
            raise PermissionError(f"r1kit sandbox: {event} is not allowed")
        if event == "ctypes.dlopen" and args[0] is not None:  # ctypes itself (numpy imports it) opens None
            raise PermissionError("r1kit sandbox: loading native libraries is not allowed")
        if event == "open" and isinstance(args[2], int) and args[2] & writes and not inside(args[0]):
            raise PermissionError(f"r1kit sandbox: no writing outside the working directory ({args[0]!r})")
        if event == "open" and not isinstance(args[0], int) and other_process(args[0]):
            raise PermissionError(f"r1kit sandbox: no reading other processes ({args[0]!r})")
        if event in path_events and not all(inside(a) for a in args if isinstance(a, path_types)):
            raise PermissionError(f"r1kit sandbox: {event} outside the working directory")

    sys.addaudithook(hook)
    sys.argv = [program]
    with open(program, "rb") as f:
        code = compile(f.read(), program, "exec")
    main = sys.modules["__main__"].__dict__
    del main["_r1kit_guard"]
    main["__file__"] = program
    return code


exec(_r1kit_guard())
"""


if __name__ == "__main__":
    import marshal

    _config = marshal.loads(bytes.fromhex(sys.argv[1]))
    _boot(_config)
    _main, _code = _program_module(_config)
    del _config
    exec(_code, _main.__dict__)  # noqa: S102 - the program, in its sandbox
