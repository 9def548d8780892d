"""A local OpenAI-style chat-completions server for the judge tests, and a judge reward pointed at it.

The server answers what the judge prompt tells it to: `[[reply:TEXT]]` (default "yes"),
`[[sleep:S]]`, `[[fail:N]]` (HTTP 500 for the first N requests of that prompt), `[[garbage]]`
(a body that is not JSON). It counts requests and the most requests it had in flight.
The `stub` fixture (conftest.py) starts one per test.
"""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from r1kit.rewards import resolve
from r1kit.rewards.judge import clear_judge_cache, reset_judge_stats

RAW = "{completion}"  # the judge prompt is the completion itself: the test's directives reach the server as written


class Stub:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests, self.headers = [], []
        self.active = self.max_active = 0
        self.failed = {}
        self.default = "Yes. Score: 1"  # reads as 1.0 for every parser

    def prompts(self):
        return [r["messages"][-1]["content"] for r in self.requests]

    def handle(self, handler):
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        prompt = body["messages"][-1]["content"]
        with self.lock:
            self.requests.append(body)
            self.headers.append(dict(handler.headers))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            directives = dict(re.findall(r"\[\[(\w+):?([^\]]*)\]\]", prompt))
            if "sleep" in directives:
                time.sleep(float(directives["sleep"]))
            with self.lock:
                self.failed[prompt] = self.failed.get(prompt, 0) + 1
                fail = self.failed[prompt] <= int(directives.get("fail") or 0)
        finally:  # counted out before replying: once the judge reads a reply, its request is no longer in flight
            with self.lock:
                self.active -= 1
        try:
            if fail:
                return handler.send_error(500, "overloaded")
            reply = directives.get("reply", self.default)
            payload = b"<html>502 bad gateway" if "garbage" in directives else json.dumps(
                {"id": "x", "object": "chat.completion",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}}]}).encode()
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the judge gave up on this request
            pass


def serve():
    """Start a stub server in a thread; returns (state, stop)."""
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            state.handle(self)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 64  # the listen backlog (default 5)

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    clear_judge_cache()
    reset_judge_stats()

    def stop():
        server.shutdown()
        server.server_close()

    return state, stop


def http_judge(stub, name="judge", **options):
    defaults = {"url": stub.url, "model": "judge-model", "backoff": 0.01}
    if name == "judge":
        defaults["template"] = RAW
    return resolve(name, **{**defaults, **options})
