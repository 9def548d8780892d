"""GRPO throughput on a GPU node, one command: published model shapes, each rollout backend, checkpointing on and off.

    python scripts/bench_gpu.py                                  # r1kit importable: ~7 minutes on one H100/H200
    python scripts/bench_gpu.py --wheelhouse wheelhouse          # offline node: installs r1kit from it first
    python scripts/bench_gpu.py --models Qwen2.5-0.5B --backends generate static_cache --budget-s 900
    python scripts/bench_gpu.py --tiny                           # the same code on the CPU, tiny shapes (CI)

Each row is one `r1kit train` of one GRPO stage with a random-weight model built in code at a
published shape (Qwen2.5-0.5B/1.5B/3B blocks with the real 151,936-token embedding; for vision,
Qwen2-VL's architecture at Qwen2.5-VL-3B's sizes: the same parameters, full attention in every
vision block where Qwen2.5-VL windows 28 of 32): prompts of --prompt-length tokens, G=8
completions of exactly --completion-length tokens (EOS is suppressed, so none stops early), bf16,
one prompt per GPU per step. The figures are the run's own metrics.jsonl (r1kit/stages/step_timing.py),
averaged over the steps after the first (warm-up): nothing is timed again here. The table goes to
--out as JSON after every row, so a run cut short keeps what it measured. The 1.5B row with the
default backend runs first; a later row runs only if its estimated time fits in --budget-s.
"""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Rollout backends: a name and the GRPO stage keys that select it (TRL's own GRPOConfig options).
BACKENDS = ["generate", "static_cache", "continuous_batching"]  # a grpo stage's rollout.backend (no vLLM here)
TEXT_ONLY_BACKENDS = {"continuous_batching"}  # TRL refuses it for a processor with images

QWEN_VOCAB = 151_936
MODELS = {  # name -> (builder options, parameters in billions, for the time estimate)
    "Qwen2.5-0.5B": ({"name": "tiny", "hidden_size": 896, "num_layers": 24, "num_heads": 14, "num_kv_heads": 2,
                      "intermediate_size": 4864}, 0.49),
    "Qwen2.5-1.5B": ({"name": "tiny", "hidden_size": 1536, "num_layers": 28, "num_heads": 12, "num_kv_heads": 2,
                      "intermediate_size": 8960}, 1.54),
    "Qwen2.5-3B": ({"name": "tiny", "hidden_size": 2048, "num_layers": 36, "num_heads": 16, "num_kv_heads": 2,
                    "intermediate_size": 11008}, 3.09),
    "Qwen2.5-VL-3B": ({"name": "tiny_vl", "hidden_size": 2048, "num_layers": 36, "num_heads": 16, "num_kv_heads": 2,
                       "intermediate_size": 11008, "vision_depth": 32, "vision_dim": 1280, "vision_heads": 16,
                       "vision_mlp_ratio": 4, "mrope_section": [16, 24, 24]}, 3.75),
}
TINY = {"tiny": {"hidden_size": 64, "num_layers": 2, "num_heads": 4, "num_kv_heads": 2},
        "tiny_vl": {"hidden_size": 64, "num_layers": 2, "num_heads": 4, "num_kv_heads": 2, "vision_depth": 2,
                    "vision_dim": 64}}
# What a short budget measures first: the 1.5B row with the default backend, what checkpointing and the other
# backends change on it, then the other shapes; every other row asked for follows, smaller models first.
PRIORITY = [("Qwen2.5-1.5B", "generate", False), ("Qwen2.5-1.5B", "generate", True),
            ("Qwen2.5-1.5B", "static_cache", False), ("Qwen2.5-1.5B", "continuous_batching", False),
            ("Qwen2.5-0.5B", "generate", False), ("Qwen2.5-3B", "generate", False), ("Qwen2.5-VL-3B", "generate", False)]

RECIPE = """
name: bench_gpu
seed: 0
model:
  build: {build}
  dtype: {dtype}
  min_pixels: {pixels}
  max_pixels: {pixels}
datasets:
  prompts: {data}
stages:
  grpo:
    kind: grpo
    data: prompts
    max_steps: {steps}
    per_device_train_batch_size: {generations}
    num_generations: {generations}
    max_completion_length: {length}
    generation_kwargs: {{suppress_tokens: {suppressed}}}
    temperature: 1.0
    learning_rate: 1.0e-6
    beta: 0.0
    logging_steps: 1
    save_strategy: "no"
    activation_checkpointing: {checkpointing}
    rewards: [{{name: think_format}}]
{backend}
eval: {{data: null}}
"""


def install_from(wheelhouse: str | None):
    """pip install r1kit from the wheelhouse, offline, unless it already imports."""
    if importlib.util.find_spec("r1kit") is not None:
        return
    if not wheelhouse:
        raise SystemExit("r1kit does not import here: give --wheelhouse DIR (built with `make wheelhouse`), "
                         "or pip install r1kit first.")
    folder = Path(wheelhouse).resolve()
    command = [sys.executable, "-m", "pip", "install", "--no-index", "--find-links", str(folder), "r1kit"]
    if (folder / "constraints.txt").is_file():
        command[-1:-1] = ["-c", str(folder / "constraints.txt")]
    print("$ " + " ".join(command), flush=True)
    if subprocess.run(command, check=False).returncode != 0:
        raise SystemExit(f"installing r1kit from {folder} failed (above).")


def prompt_rows(args, visual: bool) -> tuple[str, int]:
    """The dataset section, and how many text characters fill a prompt to --prompt-length tokens.

    Text: a JSONL of questions sized so that the chat-templated prompt is exactly that many tokens of the
    byte-level tokenizer (one per character). Vision: generated scenes of --image-size px, the question
    padded by the same count less the image's tokens (so the figure is approximate there; the table shows
    the measured prompt length).
    """
    from r1kit.models.tiny import build_char_tokenizer

    tokenizer = build_char_tokenizer()
    empty = tokenizer.apply_chat_template([{"role": "user", "content": ""}], add_generation_prompt=True,
                                          tokenize=True, return_dict=True)["input_ids"]
    fill = args.prompt_length - len(empty)
    if not visual:
        return json.dumps({"adapter": "math_qa", "path": "prompts.jsonl", "options": {"system_prompt": None}}), fill
    image_tokens = (args.image_size // 28) ** 2 + 2  # merged patches, and the vision start/end tokens
    template = "x" * max(fill - image_tokens - 40, 0) + " Which shape is it? {labels}"
    return json.dumps({"adapter": "classification", "options": {"system_prompt": None, "prompt_template": template},
                       "generator": {"name": "classification", "n": 64, "image_size": args.image_size}}), fill


def write_recipe(workdir: Path, model: str, backend: str, checkpointing: bool, args) -> None:
    build, _ = MODELS[model]
    build = {**build, "vocab_size": QWEN_VOCAB, "max_position_embeddings": 4096}
    if args.tiny:
        build = {"name": build["name"], **TINY[build["name"]], "vocab_size": 1024,
                 "max_position_embeddings": 4096}
    visual = build["name"] == "tiny_vl"
    data, fill = prompt_rows(args, visual)
    if not visual:
        (workdir / "prompts.jsonl").write_text("".join(
            json.dumps({"question": "".join(chr(ord("a") + (i * 7 + j) % 26) for j in range(fill)), "answer": "1"})
            + "\n" for i in range(64)))
    from r1kit.models.tiny_vl import build_tiny_vl_processor

    tokenizer = build_tiny_vl_processor().tokenizer  # the text tokenizer's ids, and the vision tokens after them
    suppressed = [tokenizer.eos_token_id, tokenizer.pad_token_id]  # never sampled: every completion runs full length
    if visual:  # TRL suppresses the image token itself unless generation_kwargs say otherwise, as these do
        suppressed += tokenizer.convert_tokens_to_ids(["<|image_pad|>", "<|video_pad|>"])
    stage_keys = f"    rollout: {{backend: {backend}}}"
    (workdir / "recipe.yaml").write_text(RECIPE.format(
        build=json.dumps(build), dtype="float32" if args.tiny else "bfloat16", pixels=args.image_size ** 2,
        data=data, steps=args.steps, generations=args.generations, length=args.completion_length,
        suppressed=json.dumps(suppressed), checkpointing=json.dumps(checkpointing), backend=stage_keys))


def figures(metrics: Path, args) -> dict:
    """The step_timing figures of a run, averaged over its steps after the first."""
    logged = [m for m in map(json.loads, metrics.read_text().splitlines()) if "time/step" in m]
    if not logged:
        raise ValueError(f"{metrics} has no timed step")
    steps = logged[1:] or logged

    def mean(key):
        values = [m[key] for m in steps if key in m]
        return statistics.fmean(values) if values else None

    step = mean("time/step")
    per_completion = statistics.fmean(m["throughput/tokens_per_s"] * m["time/step"] for m in steps) / args.generations
    return {"steps_timed": len(steps), "tokens_per_s_per_gpu": mean("throughput/tokens_per_s"), "step_s": step,
            "generation_share": mean("time/generation") / step,
            "logprob_share": (mean("time/old_logprobs") + mean("time/ref_logprobs")) / step,
            "train_share": (mean("time/forward_backward") + mean("time/optimizer")) / step,
            "mfu": mean("throughput/mfu"), "peak_gib": max((m["memory/peak_gib"] for m in logged if "memory/peak_gib" in m), default=None),
            "completion_tokens": mean("completions/mean_length"),
            "prompt_tokens": per_completion - (mean("completions/mean_length") or 0.0)}


def run_row(root: Path, model: str, backend: str, checkpointing: bool, args, timeout: float) -> dict:
    workdir = root / f"{model}-{backend}-{'ac' if checkpointing else 'noac'}"
    workdir.mkdir(parents=True)
    write_recipe(workdir, model, backend, checkpointing, args)
    row = {"model": model, "backend": backend, "activation_checkpointing": checkpointing}
    started = time.perf_counter()
    env = {**os.environ, "R1KIT_DEBUG": "1"}
    try:
        proc = subprocess.run([sys.executable, "-m", "r1kit", "train", "recipe=recipe.yaml"], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=timeout, check=False)
        failed = proc.returncode != 0 and f"exit {proc.returncode}: {(proc.stderr or proc.stdout)[-600:]}"
    except subprocess.TimeoutExpired:
        failed = f"stopped after {timeout:.0f} s (the budget)"
    row["wall_s"] = time.perf_counter() - started
    found = list(workdir.glob("runs/bench_gpu/*/metrics.jsonl"))
    try:
        row |= figures(found[0], args) if found else {}
    except ValueError:
        pass
    if failed:
        row["error"] = failed
    return row


def plan(models, backends, checkpointing) -> list[tuple[str, str, bool]]:
    """The rows asked for (model, backend, activation checkpointing), in PRIORITY's order, then the rest."""
    rows = [(m, b, ac) for m in models for b in backends for ac in checkpointing
            if not (MODELS[m][0]["name"] == "tiny_vl" and b in TEXT_ONLY_BACKENDS)]
    return sorted(rows, key=lambda r: (PRIORITY.index(r) if r in PRIORITY else len(PRIORITY), r[2],
                                       MODELS[r[0]][1], BACKENDS.index(r[1])))


def estimate(row: tuple[str, str, bool], done: list[dict]) -> float | None:
    """Seconds a row should take: a measured row of the same model, else the first one scaled by parameters."""
    measured = [r for r in done if "step_s" in r]
    if not measured:
        return None
    same = [r for r in measured if r["model"] == row[0]]
    base = (same or measured)[0]
    return base["wall_s"] * MODELS[row[0]][1] / MODELS[base["model"]][1]


def table(rows: list[dict]) -> str:
    def cell(row, key, form):
        return form.format(row[key]) if row.get(key) is not None else "-"

    lines = [("| model | backend | act. ckpt | prompt + completion tokens | tokens/s/GPU | step s | generation | "
              "logprobs | train | MFU | peak GiB |"), "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "step_s" not in r:
            lines.append(f"| {r['model']} | {r['backend']} | {'on' if r['activation_checkpointing'] else 'off'} | "
                         f"{r.get('error') or r.get('skipped')} |||||||| ")
            continue
        lines.append(f"| {r['model']} | {r['backend']} | {'on' if r['activation_checkpointing'] else 'off'} | "
                     f"{r['prompt_tokens']:.0f} + {r['completion_tokens']:.0f} | {r['tokens_per_s_per_gpu']:,.0f} | "
                     f"{r['step_s']:.2f} | {cell(r, 'generation_share', '{:.0%}')} | "
                     f"{cell(r, 'logprob_share', '{:.0%}')} | {cell(r, 'train_share', '{:.0%}')} | "
                     f"{cell(r, 'mfu', '{:.1%}')} | {cell(r, 'peak_gib', '{:.1f}')} |")
    return "\n".join(lines)


def main(argv=None):
    started = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheelhouse", help="install r1kit from this folder first if it does not import")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--backends", nargs="+", default=BACKENDS, choices=BACKENDS)
    parser.add_argument("--checkpointing", nargs="+", default=["off", "on"], choices=["off", "on"],
                        help="activation checkpointing")
    parser.add_argument("--steps", type=int, default=3, help="per row; the first is warm-up and not averaged")
    parser.add_argument("--generations", type=int, default=8, help="G: completions per prompt = per GPU per step")
    parser.add_argument("--prompt-length", type=int, default=512)
    parser.add_argument("--completion-length", type=int, default=1024)
    parser.add_argument("--image-size", type=int, default=448, help="vision rows: (size/28)^2 image tokens")
    parser.add_argument("--budget-s", type=float, default=420, help="skip a row whose estimated time does not fit")
    parser.add_argument("--out", default="bench_gpu.json", help="the table as JSON, rewritten after every row")
    parser.add_argument("--tiny", action="store_true", help="tiny shapes and short lengths on the CPU: checks the script")
    args = parser.parse_args(argv)
    if args.tiny:
        args.prompt_length, args.completion_length = min(args.prompt_length, 64), min(args.completion_length, 16)
        args.image_size = min(args.image_size, 56)
    install_from(args.wheelhouse)
    root = Path(tempfile.mkdtemp(prefix="bench_gpu_"))
    out = Path(args.out)
    print(f"runs in {root}; table in {out}", flush=True)
    rows = []
    for model, backend, checkpointing in plan(args.models, args.backends, [c == "on" for c in args.checkpointing]):
        left = args.budget_s - (time.perf_counter() - started)
        guess = estimate((model, backend, checkpointing), rows)
        if rows and (guess is None or guess > left):
            rows.append({"model": model, "backend": backend, "activation_checkpointing": checkpointing,
                         "skipped": f"skipped: ~{guess or 0:.0f} s estimated, {max(left, 0):.0f} s left"})
        else:
            rows.append(run_row(root, model, backend, checkpointing, args, timeout=max(left, 60)))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
        out.write_text(json.dumps({"command": " ".join(sys.argv), "tiny": args.tiny, "rows": rows}, indent=1))
    print("\n" + table(rows))
    if args.tiny:
        print("tiny shapes on the CPU: a smoke run of this script, not a benchmark")
    print(f"\n{sum('step_s' in r for r in rows)} rows measured in {time.perf_counter() - started:.0f} s; {out}")


if __name__ == "__main__":
    main()
