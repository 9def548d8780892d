"""GRPO throughput through the launcher: a random 0.5B-class Qwen2 model in bf16 under ZeRO-2 and ZeRO-3.

    python scripts/bench_launch.py --gpus 8                   # zero2 and zero3, 10 steps each
    python scripts/bench_launch.py --gpus 1 --launchers zero2 --steps 5
    python scripts/bench_launch.py --tiny --steps 3           # a smoke run of this script on 2 CPU processes

The model has Qwen2.5-0.5B's transformer blocks (hidden 896, 24 layers, 14 query and 2
key/value heads, MLP 4864: 0.36B parameters) with random weights and r1kit's byte-level
tokenizer, so nothing is downloaded; the 151k-token embedding of the real model is left
out. Each launcher runs one GRPO stage on the addition task's prompts (8 completions per
prompt, one prompt per GPU per step, completions up to --completion-length tokens,
transformers generation) with `r1kit train recipe=<written here> launcher=<name>
launcher.gpus=<n>`, and the run's metrics.jsonl gives: seconds per step (median, the
first step left out as warm-up), tokens per second (TRL's num_tokens, counted over every
process, per step time; also per GPU) and the main process's peak GPU memory. Run it
alone on the machine; record the figures with this command in docs/benchmarks.md.
"""

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QWEN2_5_0_5B = {"hidden_size": 896, "num_layers": 24, "num_heads": 14, "num_kv_heads": 2,
                "intermediate_size": 4864, "max_position_embeddings": 2048}
TINY = {"hidden_size": 64, "num_layers": 2, "num_heads": 4, "num_kv_heads": 2}

RECIPE = """
name: bench_launch
seed: 0
model:
  build: {build}
datasets:
  problems: {{adapter: addition, generator: {{name: addition, n: 4096, digits: 3, seed: 2}}}}
stages:
  grpo:
    kind: grpo
    data: problems
    max_steps: {steps}
    per_device_train_batch_size: {generations}
    num_generations: {generations}
    max_completion_length: {length}
    temperature: 1.0
    learning_rate: 1.0e-6
    beta: 0.0
    logging_steps: 1
    save_strategy: "no"
    rewards: [{{name: think_format}}, {{name: exact_match}}]
eval: {{data: null}}
"""


def bench(launcher: str, args, root: Path) -> dict:
    build = {"name": "tiny", **(TINY if args.tiny else QWEN2_5_0_5B)}
    workdir = root / launcher
    workdir.mkdir(parents=True)
    (workdir / "recipe.yaml").write_text(RECIPE.format(build=json.dumps(build), steps=args.steps,
                                                       generations=args.generations, length=args.completion_length))
    command = [sys.executable, "-m", "r1kit", "train", "recipe=recipe.yaml", f"launcher={launcher}",
               f"launcher.gpus={args.gpus}", "launcher.main_port=0"]
    if args.tiny:
        command.append("launcher.use_cpu=true")
    if args.gradient_checkpointing:
        command.append("launcher.gradient_checkpointing=true")
    print("$ r1kit " + " ".join(command[3:]), flush=True)
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{launcher} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    (metrics,) = workdir.glob("runs/bench_launch/*/metrics.jsonl")
    return {"launcher": launcher, "gpus": args.gpus, **step_figures(metrics), "wall": time.perf_counter() - started}


def step_figures(metrics: Path) -> dict:
    """Median seconds per step (the first step left out as warm-up), median tokens/s and peak GPU GiB of a run."""
    steps = [m for m in map(json.loads, metrics.read_text().splitlines()) if "step_time" in m]
    timed = steps[1:] or steps
    tokens = [b["num_tokens"] - a["num_tokens"] for a, b in itertools.pairwise(steps)] or [steps[0]["num_tokens"]]
    rates = [t / m["step_time"] for t, m in zip(tokens, timed)]
    return {"step": statistics.median(m["step_time"] for m in timed), "tokens_per_s": statistics.median(rates),
            "peak_gib": max(m.get("memory/peak_gib", 0.0) for m in steps)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gpus", type=int, default=8, help="processes (GPUs) of the one node")
    parser.add_argument("--launchers", nargs="+", default=["zero2", "zero3"], choices=["zero2", "zero3"])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--generations", type=int, default=8, help="completions per prompt = per GPU per step")
    parser.add_argument("--completion-length", type=int, default=256)
    parser.add_argument("--gradient-checkpointing", action="store_true")
    parser.add_argument("--tiny", action="store_true", help="a tiny model on CPU processes: checks the script")
    parser.add_argument("--out", help="where the runs go (default: a temporary folder)")
    args = parser.parse_args()
    if args.tiny:
        args.gpus = min(args.gpus, 2)
    root = Path(args.out or tempfile.mkdtemp(prefix="bench_launch_"))
    print(f"runs in {root}", flush=True)
    rows = [bench(launcher, args, root) for launcher in args.launchers]
    print("\n| launcher | GPUs | s/step (median) | tokens/s | tokens/s/GPU | peak GiB (rank 0) | wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['launcher']} | {r['gpus']} | {r['step']:.2f} | {r['tokens_per_s']:.0f} | "
              f"{r['tokens_per_s'] / r['gpus']:.0f} | {r['peak_gib']:.1f} | {r['wall']:.0f} |")


if __name__ == "__main__":
    main()
