"""The quickstart on several seeds: held-out accuracy, format rate, length and wall time per stage.

    .venv/bin/python scripts/bench_quickstart.py [--recipe quickstart_tools] [extra overrides...] [--seeds 0 1 2]

Each seed is a full `r1kit train recipe=<recipe> seed=S` in its own process and run directory
(default recipe: quickstart; quickstart_vl and quickstart_tools run the same way).
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipe", default="quickstart")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            out = Path(tmp) / f"seed{seed}"
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "r1kit", "train", f"recipe={args.recipe}", f"seed={seed}",
                            f"output_dir={out}", *args.overrides], check=True, stdout=subprocess.DEVNULL)
            total = time.perf_counter() - started
            state = json.loads((out / "state.json").read_text())
            metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
            shares = [m["rewards/time_share"] for m in metrics if "rewards/time_share" in m]
            for name, rec in state["stages"].items():
                ev = rec.get("eval", {})
                rows.append((seed, name, ev.get("accuracy"), ev.get("format_rate"), ev.get("mean_length"),
                             rec.get("seconds")))
            print(f"seed {seed}: whole run {total:.0f} s wall; reward share of GRPO step time "
                  f"{100 * sum(shares) / max(len(shares), 1):.2f}% (mean over logged steps)", flush=True)
    print(f"\n{'seed':>4} {'stage':<6} {'accuracy':>9} {'format':>7} {'length':>7} {'train s':>8}")
    for seed, name, acc, fmt, length, seconds in rows:
        print(f"{seed:>4} {name:<6} {_pct(acc):>9} {_pct(fmt):>7} {_num(length, '.1f'):>7} {_num(seconds, '.0f'):>8}")


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _num(x, spec: str) -> str:
    return "-" if x is None else format(x, spec)


if __name__ == "__main__":
    main()
