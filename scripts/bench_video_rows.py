"""GRPO step time of a video row against an image row, at tiny scale on the CPU.

    .venv/bin/python scripts/bench_video_rows.py [--steps 6] [--frames 4]

Same tiny Qwen2-VL, prompts, group size and completion length; only the visual input differs:
one 112x112 image (16 image tokens) against a clip of `frames` 56x56 frames (4 tokens each:
16 for the default 4). Prints the mean step seconds after the first (warm-up) step.
"""

import argparse
import statistics
import tempfile
import time

from transformers import TrainerCallback


class StepClock(TrainerCallback):
    def __init__(self):
        self.seconds, self.start = [], None

    def on_step_begin(self, args, state, control, **kwargs):
        self.start = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.seconds.append(time.perf_counter() - self.start)


def rows(kind: str, frames: int, n: int = 32) -> list[dict]:
    from r1kit.data.visual import Classification
    from r1kit.data.visual_tasks import classification, frame_search

    if kind == "video":
        raw = frame_search(n=n, frames=frames, image_size=56, seed=0)
        adapter = Classification(system_prompt=None, prompt_template="Which frame shows a shape? {labels}.")
    else:
        raw = classification(n=n, image_size=112, seed=0)
        adapter = Classification(system_prompt=None, prompt_template="Which shape? {labels}.")
    return [adapter.example(row) for row in raw]


def step_seconds(kind: str, steps: int, frames: int) -> tuple[float, float]:
    import datasets
    from trl import GRPOConfig

    from r1kit.data.images import storable
    from r1kit.data.load import as_image_column
    from r1kit.models.tiny_vl import build_tiny_vl
    from r1kit.stages.grpo import trainer_class

    model, processor = build_tiny_vl(seed=0, min_pixels=56 * 56)
    examples = [{"prompt": r["prompt"], "images": [storable(i) for i in r["images"]]} for r in rows(kind, frames)]
    data = as_image_column(datasets.Dataset.from_list(examples))
    clock = StepClock()
    with tempfile.TemporaryDirectory() as out:
        args = GRPOConfig(output_dir=out, max_steps=steps, per_device_train_batch_size=32, num_generations=8,
                          max_completion_length=32, report_to=[], save_strategy="no", use_cpu=True, seed=0,
                          logging_steps=1000, disable_tqdm=True)
        trainer = trainer_class()(model=model, reward_funcs=[lambda completions, **k: [0.0] * len(completions)],
                                   args=args, train_dataset=data, processing_class=processor, callbacks=[clock])
        trainer.train()
    later = clock.seconds[1:]
    return statistics.mean(later), statistics.pstdev(later)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--frames", type=int, default=4)
    cli = parser.parse_args()
    print("| row | visual input | step s (mean ± sd over steps 2..n) |\n|---|---|---:|")
    for kind, what in (("image", "1 image, 112x112"), ("video", f"{cli.frames} frames, 56x56 each")):
        mean, sd = step_seconds(kind, cli.steps, cli.frames)
        print(f"| {kind} | {what} | {mean:.2f} ± {sd:.2f} |", flush=True)


if __name__ == "__main__":
    main()
