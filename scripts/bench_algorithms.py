"""Every algorithm variant on the quickstart task: same SFT start, same GRPO budget, several seeds.

    python scripts/bench_algorithms.py                          # all variants, seeds 0 1 2 (~35 min on 2 cores)
    python scripts/bench_algorithms.py --seeds 0 --variants grpo dapo

Per seed, the quickstart's SFT stage runs once; each variant then runs the quickstart's
GRPO stage (200 steps, 8 prompts x 8 completions) from that same SFT model with
`stages.grpo.algorithm=<variant>`. The stage's own keys (beta 0, temperature 0.7,
lr 1e-4, max_completion_length 64) win over the variant's, so the budget is equal and
only what defines each variant changes. Prints held-out accuracy (200 problems, greedy)
and GRPO wall time. Run it alone: other processes on the cores distort the times.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VARIANTS = ["grpo", "dr_grpo", "dapo", "gspo", "bnpo", "stable_reinforce"]


def r1kit(*args: str):
    proc = subprocess.run([sys.executable, "-m", "r1kit", "train", "recipe=quickstart", *args], cwd=REPO,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"r1kit train {' '.join(args)} failed:\n{proc.stderr[-3000:]}")


def state(run: Path) -> dict:
    return json.loads((run / "state.json").read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--variants", nargs="+", default=VARIANTS, choices=VARIANTS)
    parser.add_argument("--out", help="where the runs go (default: a temporary folder)")
    args = parser.parse_args()
    root = Path(args.out or tempfile.mkdtemp(prefix="bench_algorithms_"))
    results: dict[str, list[tuple[float, float]]] = {v: [] for v in args.variants}
    print(f"runs in {root}", flush=True)
    for seed in args.seeds:
        sft = root / f"sft-{seed}"
        r1kit(f"seed={seed}", f"output_dir={sft}", "~stages.grpo")
        sft_acc = state(sft)["stages"]["sft"]["eval"]["accuracy"]
        print(f"seed {seed}: sft held-out {100 * sft_acc:.1f}%", flush=True)
        for variant in args.variants:
            run = root / f"{variant}-{seed}"
            r1kit(f"seed={seed}", f"output_dir={run}", "~stages.sft",
                  f"stages.grpo.init_from={sft / 'stages' / '0-sft' / 'final'}", f"stages.grpo.algorithm={variant}")
            record = state(run)["stages"]["grpo"]
            results[variant].append((record["eval"]["accuracy"], record["seconds"]))
            print(f"  {variant:<17} held-out {100 * record['eval']['accuracy']:5.1f}%  grpo {record['seconds']:6.1f} s",
                  flush=True)
    print(f"\n| variant | held-out accuracy per seed ({', '.join(map(str, args.seeds))}) | mean | GRPO wall time (mean) |")
    print("|---|---|---:|---:|")
    for variant, rows in results.items():
        accs = ", ".join(f"{100 * a:.1f}%" for a, _ in rows)
        print(f"| {variant} | {accs} | {100 * statistics.mean(a for a, _ in rows):.1f}% | "
              f"{statistics.mean(s for _, s in rows):.0f} s |")


if __name__ == "__main__":
    main()
