"""MT-R1-Zero's training data: its WMT sentence pairs as source/reference rows for the `translation` adapter.

MT-R1-Zero trains on data/train/json/train_enzh_6565.jsonl and train_zhen_6565.jsonl of
its repository (fzp0424/MT-R1-Zero; main_grpo.sh), one pair a line:
`{"data_source": "train", "lg": "en-zh", "en": ..., "zh": ...}`, the text of each side under
its language code. Its data/process_data.py reads the source and target by the codes of
`lg`; `convert` does the same.

    python scripts/prepare_mt_r1_zero_train.py --out data/mt_r1_zero_train.jsonl \
        --source train_zhen_6565.jsonl train_enzh_6565.jsonl
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """MT-R1-Zero rows (lg, <src code>, <tgt code>) -> translation rows (source, reference, lang_pair)."""
    for i, row in enumerate(rows):
        pair = row.get("lg")
        codes = pair.split("-") if isinstance(pair, str) else []
        if len(codes) != 2:
            raise ValueError(f"row {i} has lg={pair!r}, not a language pair such as 'en-zh'")
        source, reference = row.get(codes[0]), row.get(codes[1])
        if not isinstance(source, str) or not isinstance(reference, str) or not source.strip() or not reference.strip():
            raise ValueError(f"row {i} (lg={pair!r}) needs text under {codes[0]!r} and {codes[1]!r}")
        yield {"source": source, "reference": reference, "lang_pair": pair}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/mt_r1_zero_train.jsonl")
    parser.add_argument("--source", nargs="+", required=True,
                        help="MT-R1-Zero's train_zhen_6565.jsonl and train_enzh_6565.jsonl (local files or hub ids)")
    parser.add_argument("--split", default="train")
    args = parser.parse_args(argv)
    write_rows(convert([row for source in args.source for row in read_rows(source, args.split)]), args.out)


if __name__ == "__main__":
    main()
