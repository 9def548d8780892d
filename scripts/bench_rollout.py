"""GRPO rollout backends side by side: generation tokens/s and step time per `rollout.backend` / `rollout.dtype`.

    .venv/bin/python scripts/bench_rollout.py                          # tiny + SmolLM2-135M (make smollm2 first)
    .venv/bin/python scripts/bench_rollout.py --models smollm2 --rounds 3 --threads 2
    .venv/bin/python scripts/bench_rollout.py --models tiny --steps 3 --rounds 1 --new-tokens 16   # a smoke run

Every variant runs the same r1kit GRPO stage through the CLI (same prompts: 2 addition prompts x 8
completions a step; EOS suppressed by `min_new_tokens`, so every completion has exactly `--new-tokens`
tokens), and reads the step timing r1kit logs in metrics.jsonl: generation tokens/s is completion tokens /
`time/generation`; step seconds and end-to-end tokens/s (prompt + completion) come from the same steps.
The first step is warm-up and left out; a variant's figure is the median of its steps, then the median
over rounds (variants alternate within each round, so a slow spell of the machine hits all of them).

`generate` with `dtype: training` is TRL's own default path (r1kit adds no work to it: bench_grpo_overhead.py
measures r1kit vs bare TRL at 0.997); the last variant, `auto/auto`, is what a stage gets by default.
`--bare` times the same generation outside any trainer (fp32, bf16, and bf16 with frozen weights).
`--mismatch` also samples 16 completions from a bf16 copy of SmolLM2 and prints how far the float32
policy's log-probs of those tokens are from the copy's (the gap a bf16 rollout leaves uncorrected).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VARIANTS = [("generate", "training"), ("static_cache", "training"), ("continuous_batching", "training"),
            ("generate", "bfloat16"), ("static_cache", "bfloat16"), ("auto", "auto")]
MODELS = {"tiny": "tiny", "smollm2": "smollm2"}

RECIPE = """
defaults: [{{model: {model}}}, {{logger: none}}, _self_]
name: bench_rollout
seed: 0
datasets:
  problems: {{adapter: addition, generator: {{name: addition, n: 256, seed: 3}}}}
stages:
  rl:
    kind: grpo
    data: problems
    max_steps: {steps}
    logging_steps: 1
    save_strategy: "no"
    per_device_train_batch_size: 16
    num_generations: 8
    max_completion_length: {new_tokens}
    generation_kwargs: {{min_new_tokens: {new_tokens}}}
    learning_rate: 1.0e-6
    rewards: [{{name: exact_match}}]
    rollout: {{backend: {backend}, dtype: {dtype}}}
eval: {{data: null}}
"""


def run_variant(model: str, backend: str, dtype: str, args, work: Path) -> dict:
    """One GRPO stage through the CLI; the medians of its steps after the first."""
    out = work / f"{model}-{backend}-{dtype}"
    work.mkdir(parents=True, exist_ok=True)
    recipe = work / f"{out.name}.yaml"
    recipe.write_text(RECIPE.format(model=MODELS[model], steps=args.steps, new_tokens=args.new_tokens,
                                    backend=backend, dtype=dtype))
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    proc = subprocess.run([sys.executable, "-m", "r1kit", "train", f"recipe={recipe}", f"output_dir={out}"],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1][:200]}
    steps = [m for m in map(json.loads, (out / "metrics.jsonl").read_text().splitlines())
             if m.get("stage") == "rl" and "loss" in m][1:]
    completion = [16 * m["completions/mean_length"] for m in steps]
    return {"gen_tokens_per_s": statistics.median(c / m["time/generation"] for c, m in zip(completion, steps)),
            "step_s": statistics.median(m["time/step"] for m in steps),
            "generation_share": statistics.median(m["time/generation"] / m["time/step"] for m in steps),
            "tokens_per_s": statistics.median(m["throughput/tokens_per_s"] for m in steps),
            "mean_length": statistics.mean(m["completions/mean_length"] for m in steps)}


def _smollm2_fp32(threads: int):
    """SmolLM2-135M in float32 as r1kit's `model=smollm2` loads it, and its tokenizer, on `threads` torch threads."""
    import torch
    from omegaconf import OmegaConf

    from r1kit.models.config import ModelSchema
    from r1kit.models.load import load_model

    torch.set_num_threads(threads)
    given = OmegaConf.load(REPO / "r1kit" / "conf" / "model" / "smollm2.yaml")
    config = OmegaConf.to_container(OmegaConf.merge(OmegaConf.structured(ModelSchema), given, {"dtype": "float32"}),
                                    resolve=True)
    return load_model(config, path_override=None, apply_lora=False)


def mismatch(threads: int) -> dict:
    """Mean |log p_fp32 - log p_bf16| and the KL estimate on 16 x 96 tokens sampled from a bf16 copy of SmolLM2."""
    import copy

    import torch

    torch.manual_seed(0)
    model, tok = _smollm2_fp32(threads)
    copy16 = copy.deepcopy(model).to(torch.bfloat16).eval()
    tok.padding_side = "left"
    prompts = [tok.apply_chat_template([{"role": "user", "content": f"What is {i * 37} + {i * 91}?"}], tokenize=False,
                                       add_generation_prompt=True) for i in range(16)]
    enc = tok(prompts, return_tensors="pt", padding=True)
    with torch.no_grad():
        seqs = copy16.generate(**enc, max_new_tokens=96, min_new_tokens=96, do_sample=True, temperature=1.0)
        mask = torch.cat([enc["attention_mask"], torch.ones_like(seqs[:, enc["input_ids"].shape[1]:])], dim=1)
        start = enc["input_ids"].shape[1]
        targets = seqs[:, start:]

        def logps(m):
            logits = m(input_ids=seqs, attention_mask=mask).logits[:, start - 1:-1].float()
            return logits.log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)

        fp32, bf16 = logps(model), logps(copy16)
    diff = fp32 - bf16
    return {"mean_abs_logp_diff": diff.abs().mean().item(), "kl_k3": (diff.exp() - 1 - diff).mean().item(),
            "sequence_ratio_median": diff.sum(-1).exp().median().item()}


def bare(threads: int, new_tokens: int) -> dict:
    """Generation tokens/s of SmolLM2 outside any trainer: fp32, bf16, and bf16 with frozen weights.

    The third is there because torch's CPU bf16 linears run slower on weights that do not require grad,
    which is why `sampling_copy` leaves the copy's `requires_grad` alone.
    """
    import time

    import torch
    from transformers import GenerationConfig

    model, tok = _smollm2_fp32(threads)
    tok.padding_side = "left"
    enc = tok([f"What is {123 + i} + {456 * i}? Think step by step." for i in range(2)] * 8, return_tensors="pt",
              padding=True)
    config = GenerationConfig(max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=True, top_k=0,
                              pad_token_id=tok.pad_token_id, disable_compile=True)
    model.eval()

    def speed(m):
        with torch.no_grad():
            m.generate(**enc, max_new_tokens=4, do_sample=True, pad_token_id=tok.pad_token_id)
            best = float("inf")
            for _ in range(2):
                start = time.perf_counter()
                m.generate(**enc, generation_config=config)
                best = min(best, time.perf_counter() - start)
        return 16 * new_tokens / best

    out = {"float32": speed(model)}
    model.to(torch.bfloat16)
    out["bfloat16"] = speed(model)
    out["bfloat16, requires_grad False"] = speed(model.requires_grad_(False))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--steps", type=int, default=4, help="GRPO steps per run (the first is warm-up)")
    parser.add_argument("--new-tokens", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variants", nargs="+", default=[f"{b}/{d}" for b, d in VARIANTS],
                        help="backend/dtype pairs, e.g. generate/training static_cache/bfloat16")
    parser.add_argument("--mismatch", action="store_true", help="also measure the bf16 sampling gap on SmolLM2")
    parser.add_argument("--bare", action="store_true",
                        help="also time SmolLM2's generation outside a trainer (fp32, bf16, bf16 frozen)")
    parser.add_argument("--json", type=Path, help="write the table here as well")
    args = parser.parse_args(argv)
    variants = [tuple(v.split("/")) for v in args.variants]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for model in args.models:
                for backend, dtype in variants:
                    row = run_variant(model, backend, dtype, args, Path(tmp) / f"r{round_}")
                    results.setdefault((model, backend, dtype), []).append(row)
                    print(f"round {round_ + 1} {model:8s} {backend:20s} {dtype:9s} {row}", flush=True)
    table = []
    print("\n| model | backend | dtype | generation tokens/s | vs generate/training | step s | generation share "
          "| tokens/s end to end |\n|---|---|---|---:|---:|---:|---:|---:|")
    for model in args.models:
        base = None
        for backend, dtype in variants:
            rows = results[(model, backend, dtype)]
            ok = [r for r in rows if "error" not in r]
            if not ok:
                print(f"| {model} | {backend} | {dtype} | failed: {rows[0]['error']} | | | | |")
                table.append({"model": model, "backend": backend, "dtype": dtype, "error": rows[0]["error"]})
                continue
            fig = {k: statistics.median(r[k] for r in ok) for k in ok[0]}
            base = base or (fig["gen_tokens_per_s"] if (backend, dtype) == ("generate", "training") else None)
            ratio = f"{fig['gen_tokens_per_s'] / base:.2f}x" if base else ""
            print(f"| {model} | {backend} | {dtype} | {fig['gen_tokens_per_s']:.0f} | {ratio} | {fig['step_s']:.2f} "
                  f"| {100 * fig['generation_share']:.0f}% | {fig['tokens_per_s']:.0f} |")
            table.append({"model": model, "backend": backend, "dtype": dtype, **fig})
    out = {"threads": args.threads, "steps": args.steps, "new_tokens": args.new_tokens, "rounds": args.rounds,
           "rows": table}
    if args.mismatch:
        out["bf16_mismatch_smollm2"] = mismatch(args.threads)
        print("bf16 sampling copy vs float32 policy, SmolLM2-135M, 16 x 96 sampled tokens:",
              out["bf16_mismatch_smollm2"])
    if args.bare:
        out["bare_smollm2_tokens_per_s"] = bare(args.threads, args.new_tokens)
        print("SmolLM2-135M generation outside a trainer, tokens/s:", out["bare_smollm2_tokens_per_s"])
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
