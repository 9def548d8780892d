"""Step time of SmolLM2-135M-Instruct (GGUF, offline) through r1kit: SFT and GRPO on CPU.

    bash scripts/fetch_smollm2.sh && .venv/bin/python scripts/bench_smollm2.py [--steps 5]

Step time is TRL's train_runtime over the steps (start-up and the one-off GGUF
conversion excluded); the first step's warm-up is included.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ARITH = [(2, 3), (7, 8), (12, 30), (5, 5), (9, 1), (40, 2), (11, 11), (3, 14)]


def run(args: list[str], out: Path) -> dict:
    subprocess.run([sys.executable, "-m", "r1kit", *args, f"output_dir={out}"], check=True,
                   stdout=subprocess.DEVNULL)
    lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    return next(m for m in reversed(lines) if "train_runtime" in m)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        chats = tmp / "chats.jsonl"
        chats.write_text("\n".join(json.dumps({"messages": [
            {"role": "user", "content": f"What is {a} + {b}?"},
            {"role": "assistant", "content": f"<think>{a} plus {b} is {a + b}.</think><answer>{a + b}</answer>"}]})
            for a, b in ARITH))
        sft = run(["sft", "model=smollm2", "data=chat_jsonl", f"datasets.train.path={chats}",
                   f"stages.sft.max_steps={args.steps}", "stages.sft.per_device_train_batch_size=4",
                   "stages.sft.max_length=256", "stages.sft.save_steps=1000"], tmp / "sft")
        print(f"SmolLM2 SFT : {sft['train_runtime'] / args.steps:.2f} s/step "
              f"(batch 4 conversations, {args.steps} steps)", flush=True)
        problems = tmp / "arith.jsonl"
        problems.write_text("\n".join(json.dumps({"question": f"What is {a} + {b}?", "answer": str(a + b)})
                                      for a, b in ARITH))
        recipe = tmp / "smol_grpo.yaml"
        recipe.write_text(f"""
defaults: [{{model: smollm2}}, _self_]
name: smol_grpo
datasets: {{arith: {{adapter: math_qa, path: {problems}}}}}
stages:
  rl:
    kind: grpo
    data: arith
    max_steps: {args.steps}
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 64
    save_steps: 1000
    rewards: [{{name: think_format, weight: 0.5}}, {{name: math_accuracy}}]
eval: {{data: null}}
""")
        grpo = run(["train", f"recipe={recipe}"], tmp / "grpo")
        print(f"SmolLM2 GRPO: {grpo['train_runtime'] / args.steps:.2f} s/step "
              f"(2 prompts x 4 completions of up to 64 tokens, {args.steps} steps)")


if __name__ == "__main__":
    main()
