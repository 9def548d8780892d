"""The audit hook that runs in the program's own interpreter, before the program.

A second line of defence, not a boundary: it refuses sockets, subprocesses and exec,
native calls through ctypes, signals, reading other processes' /proc entries and writes
outside the working directory, but Python code in the same interpreter can get around
it in ways the kernel's limits do not allow. `GUARD` is source text: the bootstrap
passes it to `python -c` (or compiles it in its own interpreter), with the program's
file and the working directory as arguments, and it then runs the program as __main__.
"""

GUARD = r"""
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
