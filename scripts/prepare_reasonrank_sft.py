"""ReasonRank's cold-start SFT data: LLaMA-Factory alpaca rows as conversations for the `chat_sft` adapter.

liuwenhan/reasonrank_data_sft (reasonrank_sft-data.json) holds one row per listwise
ranking prompt with DeepSeek-R1's reasoning and ranking as the response, mapped in
ReasonRank's LLaMA-Factory/data/dataset_info.json as prompt=`instruction`,
response=`output`, system=`system`. LLaMA-Factory's alpaca reader appends a non-empty
`input` to the instruction on a new line; `convert` does the same.

    python scripts/prepare_reasonrank_sft.py --out data/reasonrank_sft.jsonl [--source liuwenhan/reasonrank_data_sft]
"""

import argparse
import json
from collections.abc import Iterable, Iterator
from pathlib import Path


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """Alpaca rows (system, instruction, input, output) -> chat_sft rows (messages)."""
    for i, row in enumerate(rows):
        instruction, output = row.get("instruction"), row.get("output")
        if not isinstance(instruction, str) or not isinstance(output, str) or not output.strip():
            raise ValueError(f"row {i} needs text in `instruction` and `output`")
        user = f"{instruction}\n{row['input']}" if row.get("input") else instruction
        messages = [{"role": "system", "content": row["system"]}] if row.get("system") else []
        yield {"messages": messages + [{"role": "user", "content": user}, {"role": "assistant", "content": output}]}


def read_rows(source: str, split: str) -> list[dict]:
    """Rows of a local json/jsonl/parquet file, or of a hub dataset's split."""
    path = Path(source)
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    import datasets

    if path.suffix in (".json", ".parquet"):
        return datasets.load_dataset(path.suffix[1:], data_files=str(path), split="train").to_list()
    return datasets.load_dataset(source, split=split).to_list()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/reasonrank_sft.jsonl")
    parser.add_argument("--source", default="liuwenhan/reasonrank_data_sft", help="hub id or local json/jsonl/parquet")
    parser.add_argument("--split", default="train")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        n = sum(f.write(json.dumps(row, ensure_ascii=False) + "\n") > 0 for row in convert(read_rows(args.source, args.split)))
    print(f"wrote {n} rows to {out}")


if __name__ == "__main__":
    main()
