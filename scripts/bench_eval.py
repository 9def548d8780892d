"""Completions per second of `r1kit eval`'s generation and scoring, batched and one at a time.

    python scripts/bench_eval.py                       # tiny model (quickstart size) and SmolLM2-135M
    python scripts/bench_eval.py --models tiny --prompts 200
    python scripts/bench_eval.py --tiny-weights runs/quickstart/<run>/stages/1-grpo/final

Runs the code path `r1kit eval` runs (generate_transformers + scoring.evaluate) on
3-digit addition prompts, greedy, and prints completions/s and generated tokens/s for
batch sizes 1 and 64 (and any given with --batch-sizes). A random tiny model never
stops early, so every completion is max_new_tokens long; pass trained weights with
--tiny-weights for realistic lengths. Run it alone: other processes on the cores
distort CPU timings several-fold.
"""

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def load(name: str, tiny_weights: str | None):
    from omegaconf import OmegaConf

    from r1kit.models.config import ModelSchema
    from r1kit.models.load import load_model

    if name == "tiny":
        spec = {"build": {"name": "tiny", "hidden_size": 96, "num_layers": 3, "num_heads": 4, "num_kv_heads": 2}}
        return load_model(OmegaConf.merge(OmegaConf.structured(ModelSchema), spec), path_override=tiny_weights)
    directory = os.environ.get("R1KIT_SMOLLM2_DIR", str(REPO / ".cache" / "smollm2"))
    spec = {"path": directory, "gguf_file": "SmolLM2-135M-Instruct.Q4_1.gguf", "chat_template": "chatml"}
    return load_model(OmegaConf.merge(OmegaConf.structured(ModelSchema), spec))


def examples(n: int):
    from r1kit.data.load import build_examples

    spec = {"adapter": "addition", "generator": {"name": "addition", "n": n, "digits": 3, "seed": 7}, "path": None,
            "columns": {}, "options": {}, "limit": None, "subset": None, "split": "train"}
    return build_examples(spec, "bench")


def measure(model, tokenizer, rows, adapter, batch_size: int, max_new_tokens: int) -> dict:
    from r1kit.evaluation.scoring import evaluate
    from r1kit.models.generation import generate_transformers

    def generate(prompts):
        return generate_transformers(model, tokenizer, prompts, max_new_tokens=max_new_tokens,
                                     batch_size=batch_size, show_progress=False)

    started = time.perf_counter()
    figures, records = evaluate(generate, rows, adapter)
    seconds = time.perf_counter() - started
    tokens = sum(r["tokens"] for r in records)
    return {"completions": len(records), "seconds": seconds, "per_s": len(records) / seconds,
            "tokens_per_s": tokens / seconds, "mean_length": figures["mean_length"], "accuracy": figures["accuracy"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["tiny", "smollm2"], choices=["tiny", "smollm2"])
    parser.add_argument("--prompts", type=int, default=128, help="prompts for the batched runs")
    parser.add_argument("--single-prompts", type=int, default=16, help="prompts for batch size 1 (it is slow)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 64])
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--tiny-weights", help="a saved tiny model (e.g. a quickstart stage's final/)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    args = parser.parse_args()

    import torch

    from r1kit.run.quiet import quiet_libraries

    quiet_libraries()
    if args.threads:
        torch.set_num_threads(args.threads)
    all_rows, adapter = examples(max(args.prompts, args.single_prompts))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, max_new_tokens {args.max_new_tokens}, "
          "greedy")
    print(f"{'model':<8} {'batch':>5} {'completions':>11} {'seconds':>8} {'compl/s':>8} {'tokens/s':>9} "
          f"{'mean len':>8} {'accuracy':>8}")
    for name in args.models:
        model, tokenizer = load(name, args.tiny_weights if name == "tiny" else None)
        rates = {}
        for batch in args.batch_sizes:
            count = args.single_prompts if batch == 1 else args.prompts
            rows = all_rows.select(range(count))
            measure(model, tokenizer, rows.select(range(min(4, count))), adapter, batch, 8)  # warm-up
            r = measure(model, tokenizer, rows, adapter, batch, args.max_new_tokens)
            rates[batch] = r["per_s"]
            print(f"{name:<8} {batch:>5} {r['completions']:>11} {r['seconds']:>8.2f} {r['per_s']:>8.2f} "
                  f"{r['tokens_per_s']:>9.1f} {r['mean_length']:>8.1f} {100 * (r['accuracy'] or 0):>7.1f}%",
                  flush=True)
        if 1 in rates:
            for batch, rate in rates.items():
                if batch != 1:
                    print(f"{name:<8} batched ({batch}) / one at a time: {rate / rates[1]:.1f}x")
        del model


if __name__ == "__main__":
    main()
