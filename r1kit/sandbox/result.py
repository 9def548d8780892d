"""How a sandboxed run ended: the `Result` that `run` returns and the status it carries."""

import signal

from r1kit.sandbox.bootstrap import SETUP_FAILED

OK, ERROR, TIMEOUT, MEMORY, OUTPUT_LIMIT, SANDBOX_ERROR = "ok", "error", "timeout", "memory", "output_limit", "sandbox_error"


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


def status_of(returncode, stderr: str, over: bool, timed_out: bool) -> str:
    """The status of a finished run from its return code, its stderr and what the parent saw."""
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
