"""The sandbox's child: build the namespaces, filesystem and limits, then run the program.

`run` starts `python -I -S -c BOOT CONFIG`, and that interpreter executes this module's
code (compiled once by the parent and handed over in the working directory) as
`__main__`. It cannot import r1kit (no site-packages, no path), so this module is
self-contained, and everything at module level stays cheap: only os and sys are imported
at the top. The parent imports it for NOBODY, SETUP_FAILED and REFUSED.
"""

import os
import sys

NOBODY = 65534
SETUP_FAILED = 125  # the bootstrap's exit status when it cannot build the sandbox
# How the bootstrap's stderr starts when the kernel refuses to build the namespaces (as opposed to any
# other setup failure): the parent falls back to process limits on this, and on nothing else.
REFUSED = "r1kit-sandbox: the kernel refused namespaces"
# The error numbers of such a refusal: EPERM, EACCES (seccomp, no CAP_SYS_ADMIN, an LSM, a chroot), EINVAL and
# ENOSYS (a kernel built without them), ENOSPC (user.max_user_namespaces=0), EUSERS (nested too deep), EOPNOTSUPP.
REFUSALS = {1: "EPERM", 13: "EACCES", 22: "EINVAL", 28: "ENOSPC", 38: "ENOSYS", 87: "EUSERS", 95: "EOPNOTSUPP"}
WORKDIR_MB = 64

# Linux constants (linux/sched.h, linux/mount.h, linux/prctl.h), called through ctypes: os.unshare and
# os.CLONE_* arrive only in Python 3.12 and r1kit supports 3.10; os has no mount at all.
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
SYS_MOUNT_SETATTR, AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_RDONLY = 442, -100, 0x8000, 1


def _boot(config: dict) -> None:
    """Build the sandbox around this process; return (in pid 1 with namespaces) ready to run
    the program in this interpreter, or exec the program's own interpreter."""
    building_namespaces = False
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
            building_namespaces = True
            _enter_namespaces(libc, config)  # returns in pid 1 of the new pid namespace
            building_namespaces = False
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
        guard = config["guard"]
        argv = [*flags, "-c", guard, "program.py", config["workdir"]] if guard else [*flags, "program.py"]
        try:
            os.execve(python, argv, dict(os.environ))
        except OSError as exc:
            raise OSError(exc.errno, f"cannot run {python} as uid {os.getuid()}: {exc.strerror}") from None
    except Exception as exc:  # noqa: BLE001 - any failure here is the sandbox's, not the program's
        if building_namespaces and isinstance(exc, OSError) and exc.errno in REFUSALS:
            message = f"{REFUSED} ({REFUSALS[exc.errno]}): {exc}"
        else:
            message = f"r1kit-sandbox: could not set up the sandbox: {exc!r}"
        os.write(2, f"{message}\n".encode())
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
        return main, compile(config["guard"], "<r1kit-guard>", "exec")
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


if __name__ == "__main__":
    import marshal

    _config = marshal.loads(bytes.fromhex(sys.argv[1]))
    _boot(_config)
    _main, _code = _program_module(_config)
    del _config
    exec(_code, _main.__dict__)  # noqa: S102 - the program, in its sandbox
