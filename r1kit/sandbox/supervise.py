"""Watch a sandboxed process from outside: read its capped output, stop it, leave nothing behind."""

import os
import selectors
import signal
import time


def collect(proc, deadline: float, cap: int):
    """Read stdout and stderr until both close or the deadline passes; stop past `cap` bytes.

    The process group is killed as soon as the bootstrap exits (so leftovers that hold
    the pipes open go too), the deadline passes or a cap is passed.
    """
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
                kill_group(proc)
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
    kill_group(proc)
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


def kill_group(proc) -> None:
    """SIGKILL the sandbox's whole process group (with namespaces: its whole pid namespace)."""
    if proc.returncode is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def sweep(workdir: str) -> None:
    """Without a pid namespace, kill what left the process group (setsid): every process
    whose environment still names this run's directory, until none is found."""
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


def force_remove(function, path, exc_info) -> None:
    """rmtree's error handler: a program may have made its files read-only."""
    try:
        os.chmod(os.path.dirname(path), 0o700)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
        function(path)
    except OSError:
        pass
