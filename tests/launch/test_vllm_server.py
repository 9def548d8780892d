"""The vLLM server's lifecycle in server mode, with a stand-in server (vLLM needs a GPU; this machine has none).

The stand-in answers GET /health like `trl vllm-serve`, after a delay, so the tests see
r1kit wait for it, start training only once it answers, and stop it (its whole process
group) when the training command ends, fails, or when the server dies or never answers.
"""

import socket
import sys
import time

import psutil
import pytest

from r1kit.errors import UserError
from r1kit.launch import command as launch_command
from r1kit.launch.vllm_server import VllmServer

FAKE_SERVER = """
import http.server, os, sys, time
print("serving on GPUs", os.environ["CUDA_VISIBLE_DEVICES"], flush=True)
time.sleep(float(sys.argv[2]))
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fake(port: int, delay: float = 0.5) -> list[str]:
    return [sys.executable, "-c", FAKE_SERVER, str(port), str(delay)]


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_waits_until_the_server_answers_and_stops_it_after(tmp_path):
    port = _free_port()
    server = VllmServer(_fake(port), ["0"], port, tmp_path / "vllm.log", poll=0.1)
    with server:
        import urllib.request

        assert urllib.request.urlopen(server.url, timeout=5).status == 200
        pid = server.proc.pid
    assert _gone(pid)


def test_a_server_that_dies_before_answering_is_a_clear_error(tmp_path):
    server = VllmServer([sys.executable, "-c", "import sys; print('CUDA out of memory'); sys.exit(3)"], ["0"],
                        _free_port(), tmp_path / "vllm.log", poll=0.1)
    with pytest.raises(UserError, match=r"exited with status 3 before answering .* its log: .*vllm\.log"):
        server.__enter__()
    assert "CUDA out of memory" in (tmp_path / "vllm.log").read_text()


def test_a_server_that_never_answers_is_stopped(tmp_path):
    port = _free_port()
    server = VllmServer(_fake(port, delay=60), ["0"], port, tmp_path / "vllm.log", timeout=1, poll=0.1)
    with pytest.raises(UserError, match=r"did not answer at http://127\.0\.0\.1:\d+/health within 1 s"):
        server.__enter__()
    assert _gone(server.proc.pid)


def test_launch_starts_the_server_before_training_and_stops_it_when_training_fails(make_config, tmp_path,
                                                                                  monkeypatch):
    """Server mode on one node: GPU 0 serves, GPU 1 trains; the training command's failure comes back as its status."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "4,5")
    port = _free_port()
    config = make_config(["launcher=zero2", "launcher.gpus=2", f"launcher.vllm_port={port}",
                          "model=qwen2_5_0_5b_instruct", "model.build=null"])
    config["launcher"]["vllm_mode"] = "server"  # validation would ask for vLLM, which this machine lacks
    started = {}

    def fake_server_command(model, server_port, tensor_parallel):
        started.update(model=model, tensor_parallel=tensor_parallel)
        return _fake(server_port)

    def fake_training(command, recipe, overrides, run_path, launcher):
        """Exits 7 if the server answers and this process got the training GPU, else 1."""
        probe = (f"import os, urllib.request; ok = urllib.request.urlopen('http://127.0.0.1:{port}/health').status"
                 " == 200 and os.environ['CUDA_VISIBLE_DEVICES'] == '5'; raise SystemExit(7 if ok else 1)")
        return [sys.executable, "-c", probe]

    monkeypatch.setattr(launch_command, "server_command", fake_server_command)
    monkeypatch.setattr(launch_command, "child_command", fake_training)
    monkeypatch.setattr(launch_command, "check_machine", lambda launcher: None)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    assert launch_command.launch(config, "train", "quickstart", []) == 7
    assert started == {"model": "Qwen/Qwen2.5-0.5B-Instruct", "tensor_parallel": 1}
    (log,) = tmp_path.glob("runs/quickstart/*/launch/vllm.log")
    assert "serving on GPUs 4" in log.read_text()
    time.sleep(0.2)
    assert not [p for p in psutil.Process().children(recursive=True) if p.pid not in before and not _gone(p.pid)]
