"""Rank-R1's training data: MS MARCO passage queries as setwise rows for the `rerank` adapter.

Rank-R1 (`ielab/llm-rankers` Rank-R1/create_dataset.py) takes Tevatron/msmarco-passage's
train split and, for each query, its first positive passage and 19 of its negatives,
shuffled. `convert` keeps that choice (the negatives drawn by a generator seeded with
`seed` and the query id, so the file is the same every time) and leaves the order of the
20 passages to the adapter's seeded `shuffle`.

    python scripts/prepare_msmarco_passage.py --out data/msmarco_passage.jsonl [--source Tevatron/msmarco-passage]
"""

import argparse
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

from prepare_common import write_rows  # scripts/prepare_common.py

NEGATIVES = 19  # create_dataset.py: neg_docs[:19], so 20 documents per prompt


def _passage(doc: dict) -> dict:
    return {"docid": doc.get("docid"), "title": doc.get("title") or "", "text": doc["text"]}


def convert(rows: Iterable[dict], negatives: int = NEGATIVES, seed: int = 0) -> Iterator[dict]:
    """Tevatron rows (query_id, query, positive_passages, negative_passages) -> rerank rows (query, passages, relevance)."""
    for i, row in enumerate(rows):
        if not row.get("positive_passages"):
            raise ValueError(f"row {i} (query_id {row.get('query_id')!r}) has no positive passage")
        pool = list(row.get("negative_passages") or [])
        random.Random(f"{seed}\x00{row.get('query_id', i)}").shuffle(pool)
        docs = [_passage(row["positive_passages"][0])] + [_passage(d) for d in pool[:negatives]]
        yield {"query_id": row.get("query_id"), "query": row["query"], "passages": docs,
               "relevance": [1] + [0] * (len(docs) - 1)}


def read_rows(source: str, split: str) -> Iterable[dict]:
    """Rows of a local jsonl(.gz)/json/parquet file, or of a hub dataset's `<split>.jsonl.gz`, read lazily.

    Tevatron/msmarco-passage ships a loading script, which `datasets` no longer runs, beside
    its files: its train.jsonl.gz (1.7 GB) is read directly and streamed.
    """
    path = Path(source)
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as f:
            yield from (json.loads(line) for line in f if line.strip())
        return
    import datasets

    if path.exists():
        builder = "parquet" if path.suffix == ".parquet" else "json"
        yield from datasets.load_dataset(builder, data_files=str(path), split="train", streaming=True)
        return
    url = f"hf://datasets/{source}/{split}.jsonl.gz"
    yield from datasets.load_dataset("json", data_files=url, split="train", streaming=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/msmarco_passage.jsonl")
    parser.add_argument("--source", default="Tevatron/msmarco-passage",
                        help="hub id (its <split>.jsonl.gz is read) or local jsonl/jsonl.gz/json/parquet file")
    parser.add_argument("--split", default="train")
    parser.add_argument("--negatives", type=int, default=NEGATIVES)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, args.split), args.negatives, args.seed), args.out)


if __name__ == "__main__":
    main()
