"""Completions per second of the core rewards, and of the quickstart's whole reward stack.

    python scripts/bench_rewards.py              # batch of 256, median of 5 repeats
    python scripts/bench_rewards.py --batch 64 --repeats 3

The text-task, code and judge rewards have their own scripts (bench_text_rewards.py,
bench_code_reward.py, bench_judge_reward.py). Completions here are realistic R1-style
answers: a few hundred characters of reasoning, then a tagged answer, half of them right.
Run it alone: other processes on the cores distort CPU timings.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MATH_GOLDS = ["\\frac{1}{2}", "72", "3\\sqrt{2}", "x^2+1", "(1, 2)", "0.25", "\\pi/4", "-7"]


def math_batch(n: int, rng: random.Random) -> tuple[list[str], dict]:
    completions, golds = [], []
    for i in range(n):
        gold = MATH_GOLDS[i % len(MATH_GOLDS)]
        said = gold if rng.random() < 0.5 else rng.choice(MATH_GOLDS)
        steps = " ".join(f"step {j}: we simplify the expression and check the result." for j in range(6))
        completions.append(f"<think>{steps}</think>\n<answer>{said}</answer>")
        golds.append(gold)
    ids = [[1] * (len(c) // 4) for c in completions]
    return completions, {"answer": golds, "completion_ids": ids, "prompts": [[{"role": "user", "content": "q"}]] * n}


def addition_batch(n: int, rng: random.Random) -> tuple[list[str], dict]:
    completions, golds = [], []
    for _ in range(n):
        a, b = rng.randint(100, 999), rng.randint(100, 999)
        said = a + b if rng.random() < 0.8 else a + b + 10
        completions.append(f"<think>{a % 10}+{b % 10}={a % 10 + b % 10},...</think><answer>{said}</answer>")
        golds.append(str(a + b))
    return completions, {"answer": golds, "completion_ids": [[1] * 28] * n,
                         "prompts": [[{"role": "user", "content": "a+b"}]] * n}


def timed(fn, completions, columns, repeats: int) -> float:
    fn(completions[:4], **{k: v[:4] for k, v in columns.items()})  # warm-up: imports, caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn(completions, **columns)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from r1kit.rewards.registry import resolve
    from r1kit.rewards.stack import RewardStack

    rng = random.Random(0)
    math_c, math_cols = math_batch(args.batch, rng)
    add_c, add_cols = addition_batch(args.batch, rng)
    cases = [
        ("think_format", {}, math_c, math_cols),
        ("think_format_soft", {}, math_c, math_cols),
        ("math_accuracy", {}, math_c, math_cols),
        ("exact_match", {}, add_c, add_cols),
        ("choice", {}, [c.replace("<answer>72", "<answer>B") for c in math_c], {**math_cols, "answer": ["B"] * args.batch}),
        ("cosine_length", {}, math_c, math_cols),
        ("kimi_length", {}, math_c, math_cols),
        ("soft_overlong", {"max_completion_length": 64, "cache_length": 16}, math_c, math_cols),
        ("repetition", {}, math_c, math_cols),
        ("hard_format_accuracy", {}, math_c, math_cols),
    ]
    print(f"batch {args.batch}, median of {args.repeats}")
    print(f"{'reward':<28} {'ms/batch':>9} {'completions/s':>14}")
    for name, options, completions, columns in cases:
        seconds = timed(resolve(name, **options), completions, columns, args.repeats)
        print(f"{name:<28} {1000 * seconds:>9.1f} {args.batch / seconds:>14,.0f}", flush=True)
    stack = RewardStack([{"name": "think_format", "weight": 0.5}, {"name": "exact_match", "weight": 1.0}])

    def quickstart_stack(completions, **columns):
        return [fn(completions, **columns) for fn in stack.functions]

    seconds = timed(quickstart_stack, add_c, add_cols, args.repeats)
    print(f"{'quickstart stack (2 rewards)':<28} {1000 * seconds:>9.1f} {args.batch / seconds:>14,.0f}")


if __name__ == "__main__":
    main()
