"""VeriFree's training data: its `webdata` rows (problem, answer, category) as `math_qa` rows with VeriFree's prompt.

VeriFree (sail-sg/VeriFree) trains on a `datasets.save_to_disk` folder, `./datasets/webdata`, whose
rows are `problem`, a short reference `answer` and a `category` (run.sh:24-27; its
dataset_info.json). It publishes no hub id, so `--source` takes that folder (or any json, jsonl or
parquet file, or a hub id, with those columns). `convert` appends VeriFree's instruction to the
question as verifree.py:46-52 builds the prompt; the recipe's ChatML template then gives the exact
`<|im_start|>user\\n...<|im_end|>\\n<|im_start|>assistant\\n` string it feeds the model.

    python scripts/prepare_verifree.py --source ./datasets/webdata --out data/verifree_webdata.jsonl
"""

import argparse
from collections.abc import Iterable, Iterator
from pathlib import Path

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

INSTRUCTION = "Please reason step by step, and put your final answer within <answer> \\boxed{} </answer>."


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """webdata rows (problem, answer, category) -> math_qa rows (question with VeriFree's instruction, answer)."""
    for i, row in enumerate(rows):
        problem, answer = str(row.get("problem") or "").strip(), str(row.get("answer") or "").strip()
        if not problem or not answer:
            raise ValueError(f"row {i}: VeriFree rows need `problem` and `answer`, got {sorted(row)}")
        yield {"question": f"{problem}\n{INSTRUCTION}", "answer": answer, "category": row.get("category")}


def load(source: str) -> list[dict]:
    """A `save_to_disk` folder (VeriFree's own form), else what prepare_common reads."""
    if Path(source, "dataset_info.json").is_file() or Path(source, "dataset_dict.json").is_file():
        import datasets

        data = datasets.load_from_disk(source)
        return (data["train"] if isinstance(data, datasets.DatasetDict) else data).to_list()
    return read_rows(source)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="VeriFree's datasets/webdata folder, a file, or a hub id")
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/verifree_webdata.jsonl")
    args = parser.parse_args(argv)
    write_rows(convert(load(args.source)), args.out)


if __name__ == "__main__":
    main()
