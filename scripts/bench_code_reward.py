"""Completions per second of the code_execution reward: every test is a sandboxed Python run.

A batch of `--batch` simple correct programs (distinct, so none is deduplicated), each
scored against 3 tests, with `workers=1` and with the default (the CPU count), and
optionally other worker counts; stdin/stdout tests (one sandbox run per test) and assert
tests (one run per completion). The figure is the median over `--repeats` batches. The
isolation level in use (namespaces or process) is printed first, with the cost of one
sandbox run of `pass`. The CPU column (this process and the sandboxes, per sandbox run)
depends far less on what else the machine is doing than the wall-clock columns.

    .venv/bin/python scripts/bench_code_reward.py [--batch 64] [--repeats 3] [--workers 1 default 4]
"""

import argparse
import os
import resource
import statistics
import time

from r1kit import sandbox
from r1kit.rewards.code_execution import code_execution

IO_TESTS = [{"input": "1 2\n", "output": "3\n"}, {"input": "10 -4\n", "output": "6\n"}, {"input": "7 7\n", "output": "14\n"}]
ASSERT_TESTS = ["assert add(1, 2) == 3", "assert add(10, -4) == 6", "assert add(7, 7) == 14"]


def programs(n: int, kind: str) -> list[str]:
    """`n` distinct correct solutions in a short chain of thought."""
    out = []
    for i in range(n):
        if kind == "io":
            code = f"# solution {i}\na, b = map(int, input().split())\nprint(a + b)"
        else:
            code = f"# solution {i}\ndef add(a, b):\n    return a + b"
        out.append(f"<think>Read two numbers and add them.</think>\n```python\n{code}\n```")
    return out


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the sandboxes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(kind: str, batch: int, workers: int | None, repeats: int) -> tuple[float, float]:
    """Median wall seconds of a batch, and the CPU seconds a batch took (mean)."""
    tests = IO_TESTS if kind == "io" else ASSERT_TESTS
    seconds, cpu = [], []
    for _ in range(repeats):
        completions = programs(batch, kind)
        start, start_cpu = time.perf_counter(), cpu_seconds()
        rewards = code_execution(completions, tests=[tests] * batch, workers=workers)
        seconds.append(time.perf_counter() - start)
        cpu.append(cpu_seconds() - start_cpu)
        assert rewards == [1.0] * batch, rewards
    return statistics.median(seconds), statistics.mean(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", nargs="+", default=["1", "default"], help="worker counts; 'default' = CPU count")
    args = parser.parse_args()

    isolation = sandbox.resolve_isolation()
    single = statistics.median(sandbox.run("pass").seconds for _ in range(10))
    print(f"isolation: {isolation}; cpus: {os.cpu_count()}; one sandbox run of `pass`: {single * 1000:.0f} ms")
    code_execution(programs(2, "io"), tests=[IO_TESTS] * 2)  # warm-up (sandbox self-check)
    print(f"load average before: {os.getloadavg()[0]:.1f} (other processes share these cores)")
    print(f"{'tests':8} {'workers':>8} {'runs':>6} {'seconds':>8} {'runs/s':>7} {'completions/s':>14} {'CPU ms/run':>11}")
    for kind in ("io", "assert"):
        runs = args.batch * (len(IO_TESTS) if kind == "io" else 1)
        for workers in args.workers:
            count = None if workers == "default" else int(workers)
            elapsed, cpu = measure(kind, args.batch, count, args.repeats)
            label = f"{workers}={os.cpu_count()}" if count is None else workers
            print(f"{kind:8} {label:>8} {runs:>6} {elapsed:>8.2f} {runs / elapsed:>7.1f} {args.batch / elapsed:>14.1f} "
                  f"{cpu / runs * 1000:>11.1f}")


if __name__ == "__main__":
    main()
