"""Polymath learning's one training sample: its verl parquet row as `math_qa` rows, repeated to fill a batch.

GAIR-NLP/polymath-learning keeps each training set as a folder `train/data/<DATASET_NAME>/train.parquet`
(its README, "Configuration"): one folder per natural sample picked from MATH's training set
(polymath_natural_prealgebra, _algebra, _precalculus, ...) and one per synthetic sample written by a strong
LLM (polymath_synthetic_prime, the paper's best). Each row is verl's: `prompt` a system message and a user
message, `reward_model.ground_truth` the answer. `convert` keeps both turns as written (the system turn in
the `system` column, which `math_qa` puts in place of its own) and repeats the rows `copies` times: TRL
samples whole groups of distinct rows, so one sample must appear once per prompt of a batch.

    python scripts/prepare_polymath.py --source <polymath-learning>/train/data/polymath_synthetic_prime/train.parquet \
        --out data/polymath.jsonl --copies 128
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py


def turn(prompt: list, role: str) -> str | None:
    return next((m.get("content") for m in prompt if isinstance(m, dict) and m.get("role") == role), None)


def convert(rows: Iterable[dict], copies: int = 1) -> Iterator[dict]:
    """verl rows (prompt [system, user], reward_model.ground_truth) -> math_qa rows (system, question, answer)."""
    if not isinstance(copies, int) or copies < 1:
        raise ValueError(f"copies={copies!r} must be a whole number >= 1")
    converted = []
    for i, row in enumerate(rows):
        prompt = row.get("prompt")
        prompt = list(prompt) if isinstance(prompt, (list, tuple)) else []  # parquet gives arrays
        question, truth = turn(prompt, "user"), (row.get("reward_model") or {}).get("ground_truth")
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"row {i}: `prompt` has no user message with a `content`, got {row.get('prompt')!r}")
        if truth is None or str(truth).strip() == "":
            raise ValueError(f"row {i}: no `reward_model.ground_truth`")
        out = {"question": question, "answer": str(truth), "source": row.get("data_source")}
        system = turn(prompt, "system")
        if system:
            out["system"] = system
        converted.append(out)
    for _ in range(copies):
        yield from converted


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/polymath.jsonl")
    parser.add_argument("--source", required=True,
                        help="a sample's train.parquet from polymath-learning/train/data/<name>/ (or json/jsonl)")
    parser.add_argument("--copies", type=int, default=128,
                        help="times each row is written (at least the prompts of one generation batch)")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source), args.copies), args.out)


if __name__ == "__main__":
    main()
