"""What every scripts/prepare_<dataset>.py shares: reading the published rows, writing the adapter's rows."""

import json
from collections.abc import Iterable
from pathlib import Path


def read_rows(source: str, split: str = "train", data_files: str | None = None) -> list[dict]:
    """Rows of a local json/jsonl/parquet file, or of a hub dataset's split (or its `data_files`)."""
    path = Path(source)
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    import datasets

    if path.suffix in (".json", ".parquet"):
        return datasets.load_dataset(path.suffix[1:], data_files=str(path), split="train").to_list()
    return datasets.load_dataset(source, data_files=data_files, split=split).to_list()


def write_rows(rows: Iterable[dict], out: str | Path):
    """The converted rows as jsonl at `out` (its folder made), and how many were written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        n = sum(f.write(json.dumps(row, ensure_ascii=False) + "\n") > 0 for row in rows)
    print(f"wrote {n} rows to {out}")


def prepare_main(convert, doc: str, out_example: str, source_help: str, source_default: str | None = None,
                 image_root_help: str | None = None, argv=None):
    """The command line of a prepare script that converts one split: --out, --source (required when there is
    no default), --split, and for a dataset with images --image-root (then `convert(rows, image_root)`)."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", required=True, help=f"the jsonl file to write, e.g. {out_example}")
    parser.add_argument("--source", required=source_default is None, default=source_default, help=source_help)
    parser.add_argument("--split", default="train")
    if image_root_help:
        parser.add_argument("--image-root", help=image_root_help)
    args = parser.parse_args(argv)
    rows = read_rows(args.source, args.split)
    write_rows(convert(rows, args.image_root) if image_root_help else convert(rows), args.out)
