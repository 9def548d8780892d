"""Do the generate, dpo and reward_model stages help? recipes/quickstart_self_improve.yaml over several seeds.

    .venv/bin/python scripts/bench_stage_kinds.py --seeds 0 1 2        # ~10 min per seed on a 2-core CPU
    .venv/bin/python scripts/bench_stage_kinds.py --seeds 0 --quick    # a few steps per stage, to try it

Each seed runs `r1kit train recipe=quickstart_self_improve seed=<s>`: the quickstart's SFT cold start,
then four branches from the SFT model: rejection sampling (generate correct -> sft again), preference
(generate pairs -> dpo, and dpo with an SFT term), a learned reward (reward model on those pairs -> grpo scored by it), and the
verifier (grpo scored by exact_match). It prints the held-out accuracy after each stage (200 fresh
problems, greedy, read from each run's state.json), the change from the SFT model, and what each
generate stage kept, and writes them to <out>/bench.json.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECIPE = "quickstart_self_improve"
ROWS = [("sft", "SFT (cold start)"), ("sft_again", "SFT -> generate correct -> SFT again"),
        ("dpo", "SFT -> generate pairs -> DPO"), ("dpo_sft", "SFT -> generate pairs -> DPO + SFT term (RPO)"),
        ("grpo_rm", "SFT -> GRPO, reward model trained on the pairs"),
        ("grpo", "SFT -> GRPO, the verifier (exact_match)")]
QUICK = ["stages.sft.max_steps=250", "stages.samples.limit=64", "stages.pairs.limit=64", "stages.sft_again.max_steps=4",
         "stages.dpo.max_steps=4", "stages.dpo_sft.max_steps=4", "stages.rm.max_steps=4", "stages.grpo.max_steps=2", "stages.grpo_rm.max_steps=2",
         "eval.limit=20", "stages.samples.correct_threshold=0.5", "stages.pairs.correct_threshold=0.5"]


def run_seed(seed: int, out: Path, extra: list[str]) -> dict:
    run = out / f"seed{seed}"
    command = [sys.executable, "-m", "r1kit", "train", f"recipe={RECIPE}", f"seed={seed}", f"output_dir={run}", *extra]
    print("$", " ".join(command[1:]), flush=True)
    started = time.monotonic()
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    state = json.loads((run / "state.json").read_text())
    stages = state["stages"]
    kept = {name: json.loads((run / stages[name]["final"] / "summary.json").read_text())
            for name in ("samples", "pairs")}
    return {"seed": seed, "minutes": round((time.monotonic() - started) / 60, 1),
            "accuracy": {name: stages[name]["eval"]["accuracy"] for name, _ in ROWS},
            "generated": {name: {k: s[k] for k in ("prompts", "samples", "rows_kept", "correct_rate", "seconds")}
                          for name, s in kept.items()}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=REPO / "runs" / "bench_stage_kinds" / time.strftime("%Y%m%d-%H%M%S"))
    parser.add_argument("--quick", action="store_true", help="a few steps per stage: checks the wiring, not learning")
    parser.add_argument("overrides", nargs="*", help="recipe overrides, e.g. stages.dpo.beta=0.3")
    args = parser.parse_args()
    results = [run_seed(seed, args.out, (QUICK if args.quick else []) + args.overrides) for seed in args.seeds]

    print(f"\nheld-out accuracy (200 problems, greedy), seeds {args.seeds}")
    print(f"{'stage':<50} " + " ".join(f"{'seed ' + str(r['seed']):>8}" for r in results) + f" {'mean':>7} {'vs SFT':>8}")
    base = statistics.mean(r["accuracy"]["sft"] for r in results)
    for name, label in ROWS:
        values = [r["accuracy"][name] for r in results]
        mean = statistics.mean(values)
        change = "" if name == "sft" else f"{100 * (mean - base):+7.1f}"
        print(f"{label:<50} " + " ".join(f"{100 * v:7.1f}%" for v in values) + f" {100 * mean:6.1f}% {change:>8}")
    for name in ("samples", "pairs"):
        print(f"generate {name}: " + "; ".join(
            f"seed {r['seed']}: {g['rows_kept']} rows from {g['prompts']} prompts x {g['samples'] // g['prompts']} "
            f"(correct {100 * g['correct_rate']:.0f}%, {g['seconds']:.0f} s)"
            for r in results for g in [r["generated"][name]]))
    print("minutes per seed: " + ", ".join(str(r["minutes"]) for r in results))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps({"seeds": args.seeds, "results": results}, indent=2))
    print(f"-> {args.out / 'bench.json'}")


if __name__ == "__main__":
    main()
