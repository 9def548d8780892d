"""SimpleRL-Zoo's training data: SimpleRL-Zoo-Data parquet rows (verl's schema) as `math_qa` rows.

hkust-nlp/SimpleRL-Zoo-Data holds one folder per difficulty and prompt style
(simplelr_{qwen,abel}_{gsm8k_level1,level1to4,level3to5}/{train,test}.parquet; README.md:125-132).
Each row is verl's: `prompt` a one-message list whose `content` is the whole prompt text, chat
markup included, `reward_model.ground_truth` the answer. verl feeds that text to the model as it
is (verl/utils/dataset/rl_dataset.py:144, no chat template), so `convert` keeps it verbatim as the
question and the recipe's chat template passes it through unchanged.

    python scripts/prepare_simplerl_zoo.py --out data/simplerl_zoo.jsonl
    python scripts/prepare_simplerl_zoo.py --out data/simplerl_zoo_test.jsonl --data-files simplelr_qwen_level3to5/test.parquet
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

HUB_ID = "hkust-nlp/SimpleRL-Zoo-Data"
HARD = "simplelr_qwen_level3to5/train.parquet"  # the README's example download (README.md:131)


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """verl rows (prompt, reward_model.ground_truth, data_source...) -> math_qa rows (question, answer)."""
    for i, row in enumerate(rows):
        prompt, truth = row.get("prompt"), (row.get("reward_model") or {}).get("ground_truth")
        if not prompt or not isinstance(prompt[0], dict) or not str(prompt[0].get("content") or "").strip():
            raise ValueError(f"row {i}: `prompt` must be a list of one message with a `content`, got {prompt!r}")
        if truth is None or str(truth).strip() == "":
            raise ValueError(f"row {i}: no `reward_model.ground_truth`")
        yield {"question": prompt[0]["content"], "answer": str(truth)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/simplerl_zoo.jsonl")
    parser.add_argument("--source", default=HUB_ID, help="hub id or local json/jsonl/parquet")
    parser.add_argument("--data-files", default=HARD, help="the file of the hub dataset (default: the Hard set)")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, data_files=args.data_files)), args.out)


if __name__ == "__main__":
    main()
