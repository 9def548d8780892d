"""GRPO on a full-size vision-language architecture with random weights: step time, tokens/s, peak memory.

    python scripts/bench_vl_grpo.py                      # Qwen2-VL-2B's architecture, bf16, one GPU
    python scripts/bench_vl_grpo.py --image-size 672 --steps 10
    python scripts/bench_vl_grpo.py --launcher zero3 --gpus 8
    python scripts/bench_vl_grpo.py --tiny --steps 3      # a smoke run of this script on the CPU

The model is `tiny_vl` at Qwen2-VL-2B-Instruct's sizes (vision: 32 blocks of width 1280, 16
heads; language: 28 layers, hidden 1536, 12 query / 2 key-value heads, MLP 8960; M-RoPE
sections [16, 24, 24]) with random weights and r1kit's byte-level tokenizer plus Qwen's
vision tokens, so nothing is downloaded; the real model's 151k-token embedding is left out
(about 0.23B parameters of its 2.2B). The data are synthetic grounding scenes (one or more
shapes, a referring expression, the box; `--image-size` px square, so (size/28)^2 image
tokens per prompt), the rewards VLM-R1's (think_format + iou). Each step samples
`--generations` completions for one prompt per GPU, up to `--completion-length` tokens,
with transformers generation. metrics.jsonl gives the seconds per step (median, the first
step left out as warm-up), tokens per second (TRL's num_tokens, prompts with their image
tokens included) and the main process's peak GPU memory. Run it alone on the machine and
record the figures with the command in docs/benchmarks.md.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_launch import step_figures  # scripts/ is on sys.path when a script runs

QWEN2_VL_2B = {"hidden_size": 1536, "num_layers": 28, "num_heads": 12, "num_kv_heads": 2, "intermediate_size": 8960,
               "vision_depth": 32, "vision_dim": 1280, "vision_heads": 16, "vision_mlp_ratio": 4,
               "mrope_section": [16, 24, 24]}
TINY = {"hidden_size": 64, "num_layers": 2, "num_heads": 4, "num_kv_heads": 2, "vision_depth": 2, "vision_dim": 64}

RECIPE = """
name: bench_vl_grpo
seed: 0
model:
  build: {build}
  dtype: {dtype}
  min_pixels: 3136
  max_pixels: {pixels}
datasets:
  scenes:
    adapter: grounding
    generator: {{name: grounding, n: 512, image_size: {size}, distractors: 2, min_size: {small}, max_size: {large}, seed: 1}}
    options: {{max_pixels: {pixels}}}
stages:
  grpo:
    kind: grpo
    data: scenes
    max_steps: {steps}
    per_device_train_batch_size: {generations}
    num_generations: {generations}
    max_completion_length: {length}
    temperature: 1.0
    learning_rate: 1.0e-6
    beta: 0.0
    logging_steps: 1
    save_strategy: "no"
    gradient_checkpointing: {checkpointing}
    rewards: [{{name: think_format}}, {{name: iou}}]
eval: {{data: null}}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--generations", type=int, default=8, help="completions per prompt = per GPU per step")
    parser.add_argument("--completion-length", type=int, default=256)
    parser.add_argument("--image-size", type=int, default=448, help="square scenes; (size/28)^2 image tokens")
    parser.add_argument("--launcher", default="local", choices=["local", "zero2", "zero3"])
    parser.add_argument("--gpus", type=int, default=1)
    parser.add_argument("--no-gradient-checkpointing", action="store_true")
    parser.add_argument("--tiny", action="store_true", help="a tiny model in fp32 on the CPU: checks the script")
    parser.add_argument("--out", help="where the run goes (default: a temporary folder)")
    args = parser.parse_args()
    if args.tiny:
        args.image_size = min(args.image_size, 112)
    root = Path(args.out or tempfile.mkdtemp(prefix="bench_vl_grpo_"))
    build = {"name": "tiny_vl", **(TINY if args.tiny else QWEN2_VL_2B)}
    (root / "recipe.yaml").write_text(RECIPE.format(
        build=json.dumps(build), dtype="float32" if args.tiny else "bfloat16", pixels=args.image_size ** 2,
        size=args.image_size, small=args.image_size // 8, large=args.image_size // 4, steps=args.steps, generations=args.generations, length=args.completion_length,
        checkpointing=json.dumps(not args.no_gradient_checkpointing)))
    command = [sys.executable, "-m", "r1kit", "train", "recipe=recipe.yaml"]
    if args.launcher != "local":
        command += [f"launcher={args.launcher}", f"launcher.gpus={args.gpus}", "launcher.main_port=0"]
    print(f"runs in {root}\n$ r1kit " + " ".join(command[3:]), flush=True)
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    (metrics,) = root.glob("runs/bench_vl_grpo/*/metrics.jsonl")
    figures = step_figures(metrics)
    print("\n| model | image px | image tokens | completions/step | s/step (median) | tokens/s | peak GiB | wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {'tiny_vl' if args.tiny else 'Qwen2-VL-2B arch, random'} | {args.image_size} | "
          f"{(args.image_size // 28) ** 2} | {args.generations * args.gpus} | {figures['step']:.2f} | "
          f"{figures['tokens_per_s']:.0f} | {figures['peak_gib']:.1f} | {time.perf_counter() - started:.0f} |")

if __name__ == "__main__":
    main()
