"""Big-Math's RL problems: SynthLabsAI/Big-Math-RL-Verified rows as `math_qa` rows.

Each row is a problem with a closed-form verified answer (`problem`, `answer`), its `source`
subset, its `domain` and `llama8b_solve_rate` (Llama-3.1-8B's pass rate, which the dataset
publishes for difficulty filtering). `convert` keeps the source and the solve rate, so a recipe
can filter further with a generate stage (`keep: pass_rate`), as Light-R1 did with its own
model's pass rates.

    python scripts/prepare_big_math.py --out data/big_math.jsonl
    python scripts/prepare_big_math.py --out data/big_math.jsonl --max-solve-rate 0.8   # drop the easiest
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

HUB_ID = "SynthLabsAI/Big-Math-RL-Verified"


def convert(rows: Iterable[dict], max_solve_rate: float | None = None) -> Iterator[dict]:
    """Big-Math rows (problem, answer, source, domain, llama8b_solve_rate) -> math_qa rows (question, answer)."""
    for i, row in enumerate(rows):
        problem, answer = str(row.get("problem") or "").strip(), str(row.get("answer") or "").strip()
        if not problem or not answer:
            raise ValueError(f"row {i}: Big-Math rows need `problem` and `answer`, got {sorted(row)}")
        rate = row.get("llama8b_solve_rate")
        if max_solve_rate is not None and rate is not None and rate > max_solve_rate:
            continue
        yield {"question": problem, "answer": answer, "source": row.get("source"), "solve_rate": rate}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/big_math.jsonl")
    parser.add_argument("--source", default=HUB_ID, help="hub id or local json/jsonl/parquet")
    parser.add_argument("--max-solve-rate", type=float, default=None,
                        help="drop problems Llama-3.1-8B solves more often than this (none dropped by default)")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source), args.max_solve_rate), args.out)


if __name__ == "__main__":
    main()
