"""Every shipped recipe at tiny scale for longer: first-vs-last mean reward of each GRPO stage.

    python scripts/bench_recipes.py                       # every recipe, 20 steps per stage
    python scripts/bench_recipes.py --steps 40 --recipes simplerl_zoo time_r1

Each recipe is shrunk as the recipe matrix shrinks it (tests/recipes/tiny.py: fixture rows, the tiny
model, GRPO groups of 2, 16 new tokens) with `--steps` steps per stage instead of 2, and trained through
the CLI. From metrics.jsonl, per GRPO stage: the mean total reward (TRL's `reward`, the weighted sum of
the stack) over the first and the last `--window` logged steps, and the stage's wall time. The tiny
model is random and the recipes keep their published learning rates, which are meant for billions of
parameters: this shows that every stage's rewards are computed and move, not what the paper reached.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.recipes.tiny import composed, recipe_names, write_tiny_recipe


def run(name: str, work: Path, steps: int) -> float | None:
    """Train the tiny version; its wall time, or None (the error printed) when the run fails."""
    recipe = write_tiny_recipe(name, work, steps=steps)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "r1kit", "train", f"recipe={recipe}"], cwd=work,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"  {name} FAILED:\n{proc.stderr[-3000:]}", flush=True)
        return None
    return time.perf_counter() - start


def rows(name: str, work: Path, window: int) -> list[tuple]:
    metrics = [json.loads(line) for line in (work / "run" / "metrics.jsonl").read_text().splitlines()]
    state = json.loads((work / "run" / "state.json").read_text())
    out = []
    for stage, spec in composed(name)["stages"].items():
        if spec.get("kind") != "grpo":
            continue
        rewards = [m["reward"] for m in metrics if m.get("stage") == stage and "reward" in m and "loss" in m]
        k = max(1, min(window, len(rewards) // 2))
        out.append((name, stage, len(rewards), statistics.fmean(rewards[:k]), statistics.fmean(rewards[-k:]),
                    state["stages"][stage].get("seconds", float("nan"))))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipes", nargs="+", default=recipe_names(), choices=recipe_names())
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--window", type=int, default=5, help="steps averaged at each end")
    parser.add_argument("--out", help="where the runs go (default: a temporary folder)")
    args = parser.parse_args()
    root = Path(args.out or tempfile.mkdtemp(prefix="bench_recipes_"))
    print(f"runs in {root}", flush=True)
    table, failed = [], []
    for name in args.recipes:
        seconds = run(name, root / name, args.steps)
        if seconds is None:
            failed.append(name)
            continue
        found = rows(name, root / name, args.window)
        table += found
        print(f"  {name}: {seconds:.0f} s, {len(found)} GRPO stage(s)", flush=True)
    print(f"\n| recipe | GRPO stage | steps | mean reward, first {args.window} | mean reward, last {args.window} | "
          "stage wall time |")
    print("|---|---|---:|---:|---:|---:|")
    for name, stage, n, first, last, seconds in table:
        print(f"| {name} | {stage} | {n} | {first:.3f} | {last:.3f} | {seconds:.0f} s |")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
