"""TRL's vLLM server for `vllm_mode=server`: started on its own GPUs, waited for, always stopped.

The training processes reach it through TRL's VLLMClient at host:port and push their
weights to it every step, so it must answer before they start and must not outlive
them: it is stopped when the training command ends, fails, or r1kit is interrupted.
It runs in a session of its own, so stopping it stops the workers vLLM spawned too.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from r1kit.errors import UserError


def server_command(model: str, port: int, tensor_parallel: int) -> list[str]:
    """`trl vllm-serve` for the recipe's model (TRL syncs the policy's weights into it from step 0)."""
    return [sys.executable, "-m", "trl.cli.main", "vllm-serve", "--model", model, "--host", "0.0.0.0",
            "--port", str(port), "--tensor_parallel_size", str(tensor_parallel)]


class VllmServer:
    """A context manager: `with VllmServer(...):` the server answers inside, and is gone after."""

    def __init__(self, command: list[str], gpus: list[str], port: int, log: Path, host: str = "127.0.0.1",
                 timeout: float = 900.0, poll: float = 2.0):
        self.command, self.gpus, self.port, self.log, self.host = command, gpus, port, Path(log), host
        self.timeout, self.poll = timeout, poll
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/health"

    def __enter__(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                         env={**os.environ, "CUDA_VISIBLE_DEVICES": ",".join(self.gpus)})
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _wait_ready(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                raise UserError(f"the vLLM server exited with status {code} before answering at {self.url}; "
                                f"its log: {self.log}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(self.poll)
        raise UserError(f"the vLLM server did not answer at {self.url} within {self.timeout:.0f} s; "
                        f"its log: {self.log}")

    def stop(self, grace: float = 30.0):
        """SIGTERM to the server's whole process group, SIGKILL if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, None)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue
