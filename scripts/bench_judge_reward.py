"""Throughput of the model-scored rewards: completions judged (or scored) per second.

    .venv/bin/python scripts/bench_judge_reward.py [--n 64] [--latency 0.2] [--threads 1] [--repeats 3]

- HTTP judge: `judge` against a local stub of an OpenAI-compatible server that answers
  every request after `--latency` seconds (a stand-in for a remote vLLM judge), at
  concurrency 1, 8 and 32, then the same batch again from the verdict cache. With a
  fixed latency L and concurrency c the ceiling is c / L completions/s.
- Local judge: `judge` with the tiny Qwen2 (hidden 64, 2 layers) as the judge model,
  greedy generation of 16 tokens, batch sizes 1 and 8.
- VeriFree: `verifree` bound to the tiny model, completions of ~200 characters, batch
  sizes 1 and 8 (one forward pass per batch, no generation).

Each figure is the best of `--repeats` runs of `--n` distinct completions. torch uses
`--threads` threads (the machine these were written on has 2 cores shared with others).
"""

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def start_stub(latency: float):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(latency)
            payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": "yes"}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # the listen backlog: the default 5 drops connections at high concurrency

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1"


def rate(fn, completions, repeats: int) -> float:
    """Completions per second of `fn(completions)`, best of `repeats`."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fn(completions)
        best = min(best, time.perf_counter() - started)
    return len(completions) / best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    import torch

    from r1kit.models.tiny import build_tiny
    from r1kit.rewards import resolve
    from r1kit.rewards.judge import clear_judge_cache
    from r1kit.rewards.verifree import verifree

    torch.set_num_threads(args.threads)
    n = args.n
    question = [{"role": "user", "content": "What is 123+456?"}]

    def completions(tag):
        return [f"<think>{tag} attempt {i}: add the columns, 3+6=9, 2+5=7, 1+4=5</think><answer>{579 + i}</answer>"
                for i in range(n)]

    rows = []
    server, url = start_stub(args.latency)
    for concurrency in (1, 8, 32):
        reward = resolve("judge_equivalence", url=url, model="stub", concurrency=concurrency, timeout=30,
                         cache=False)
        figure = rate(lambda b, reward=reward: reward(b, prompts=[question] * n, answer=["579"] * n),
                      completions("http"), args.repeats)
        rows.append((f"HTTP judge, {args.latency * 1000:.0f} ms/request, concurrency {concurrency}", figure,
                     f"ceiling {min(concurrency, n) / args.latency:.0f}/s"))
    cached = resolve("judge_equivalence", url=url, model="stub", concurrency=32)
    batch = completions("http")
    cached(batch, prompts=[question] * n, answer=["579"] * n)  # fills the cache
    rows.append(("HTTP judge, every verdict cached", rate(
        lambda b: cached(b, prompts=[question] * n, answer=["579"] * n), batch, args.repeats), ""))
    server.shutdown()

    clear_judge_cache()
    model, tok = build_tiny(seed=0)
    for batch_size in (1, 8):
        reward = resolve("judge_equivalence", model=(model, tok), max_tokens=16, batch_size=batch_size, cache=False)
        rows.append((f"local tiny judge (16 new tokens), batch {batch_size}", rate(
            lambda b, reward=reward: reward(b, prompts=[question] * n, answer=["579"] * n), completions("local"),
            args.repeats), ""))

    verifree.bind_policy(model, tok)
    long = [c.replace("add the columns", "add the columns " + "carefully " * 12) for c in completions("vf")]
    print(f"VeriFree completions: ~{sum(map(len, long)) // n} characters each")
    for batch_size in (1, 8):
        reward = resolve("verifree", batch_size=batch_size)
        rows.append((f"VeriFree on the tiny model, batch {batch_size}", rate(
            lambda b, reward=reward: reward(b, prompts=[question] * n, answer=["579"] * n), long, args.repeats), ""))
    verifree.bind_policy(None, None)

    print(f"\n{n} completions per call, best of {args.repeats}, torch threads {args.threads}\n")
    print(f"{'what':<58} {'completions/s':>14}  note")
    for what, figure, note in rows:
        print(f"{what:<58} {figure:>14.1f}  {note}")


if __name__ == "__main__":
    main()
