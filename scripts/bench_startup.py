"""Wall time of the CLI: `r1kit --help` and `r1kit ls` (median of N), and a tiny `r1kit sft` run.

    .venv/bin/python scripts/bench_startup.py [--repeats 5] [--skip-sft]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

SFT = ["sft", "model=tiny", "data=addition", "datasets.train.generator.n=64", "stages.sft.max_steps=6",
       "stages.sft.per_device_train_batch_size=8", "stages.sft.logging_steps=2", "stages.sft.save_steps=3"]


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "r1kit", *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-sft", action="store_true")
    args = parser.parse_args()
    for label, cmd in (("r1kit --help", ["--help"]), ("r1kit ls", ["ls"])):
        times = [timed(cmd) for _ in range(args.repeats)]
        print(f"{label:<14} median {statistics.median(times):.3f} s  (min {min(times):.3f}, max {max(times):.3f}, "
              f"n={args.repeats})")
    if not args.skip_sft:
        with tempfile.TemporaryDirectory() as out:
            seconds = timed([*SFT, f"output_dir={out}/run"])
        print(f"r1kit sft model=tiny (6 steps, the test configuration): {seconds:.1f} s wall, start-up included")


if __name__ == "__main__":
    main()
