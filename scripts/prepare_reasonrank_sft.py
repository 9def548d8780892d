"""ReasonRank's cold-start SFT data: LLaMA-Factory alpaca rows as conversations for the `chat_sft` adapter.

liuwenhan/reasonrank_data_sft (reasonrank_sft-data.json) holds one row per listwise
ranking prompt with DeepSeek-R1's reasoning and ranking as the response, mapped in
ReasonRank's LLaMA-Factory/data/dataset_info.json as prompt=`instruction`,
response=`output`, system=`system`. LLaMA-Factory's alpaca reader appends a non-empty
`input` to the instruction on a new line; `convert` does the same.

    python scripts/prepare_reasonrank_sft.py --out data/reasonrank_sft.jsonl [--source liuwenhan/reasonrank_data_sft]
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """Alpaca rows (system, instruction, input, output) -> chat_sft rows (messages)."""
    for i, row in enumerate(rows):
        instruction, output = row.get("instruction"), row.get("output")
        if not isinstance(instruction, str) or not isinstance(output, str) or not output.strip():
            raise ValueError(f"row {i} needs text in `instruction` and `output`")
        user = f"{instruction}\n{row['input']}" if row.get("input") else instruction
        messages = [{"role": "system", "content": row["system"]}] if row.get("system") else []
        yield {"messages": messages + [{"role": "user", "content": user}, {"role": "assistant", "content": output}]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/reasonrank_sft.jsonl")
    parser.add_argument("--source", default="liuwenhan/reasonrank_data_sft", help="hub id or local json/jsonl/parquet")
    parser.add_argument("--split", default="train")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, args.split)), args.out)


if __name__ == "__main__":
    main()
