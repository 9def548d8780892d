"""SATURN's SAT training sets: its prompt jsonl rows (n_sat, k, clause, solution, prompt) as `math_qa` rows.

SATURN (gtxygyzb/Saturn-code) ships one folder per curriculum step, data/train/Train_prompt_<n>_<k>_<l>_<N>/
train.jsonl, each row a random n-SAT formula over k variables with l clauses, a planted `solution` and the
full `prompt` (its instructions, one worked example, then the formula; src/Build_SAT_Datasets/
train_prompt.py). SATURN trains on `prompt` with `clause` as the label (scripts/train/*.sh: --input_key
prompt --label_key clause), and its reward checks the boxed assignment against that formula. So
`convert` writes the prompt as the question and the formula as the `answer` that `sat_assignment` reads.
Building new levels: SATURN's build_sat_dataset.sh, then this script on the folder's train.jsonl.

    python scripts/prepare_saturn.py --source <Saturn-code>/data/train/Train_prompt_3_5_5_270/train.jsonl --out data/saturn_3_5_5.jsonl
    python scripts/prepare_saturn.py --source <Saturn-code>/data/train/Train_prompt_3_5_6_270/train.jsonl --out data/saturn_3_5_6.jsonl
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

from r1kit.rewards.sat import satisfies


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """SATURN prompt rows -> math_qa rows: question (the prompt as written), answer (the CNF formula)."""
    for i, row in enumerate(rows):
        prompt, clause = row.get("prompt"), row.get("clause")
        if not isinstance(prompt, str) or not prompt.strip() or not isinstance(clause, str) or not clause.strip():
            raise ValueError(f"row {i}: SATURN rows need `prompt` and `clause`, got {sorted(row)}")
        solution = row.get("solution")
        if isinstance(solution, str) and not satisfies(clause, solution):
            raise ValueError(f"row {i}: the stored solution {solution!r} does not satisfy its clause {clause!r}")
        yield {"question": prompt, "answer": clause}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="a SATURN train.jsonl (or json/parquet with its columns)")
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/saturn_3_5_5.jsonl")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source)), args.out)


if __name__ == "__main__":
    main()
