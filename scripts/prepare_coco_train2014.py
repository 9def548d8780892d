"""Jigsaw-R1's training images: its list of COCO train2014 files (data/train2014.json) as rows for the `jigsaw` adapter.

Jigsaw-R1 (zifuwanggg/Jigsaw-R1, grpo.py:96-104) reads `<data_dir>/coco/train2014.json`, a JSON
list of image names relative to `<data_dir>/coco` ("train2014/COCO_train2014_000000495143.jpg",
76,234 of them), and cuts every image into a puzzle while training. `convert` turns each name
into a row `{"image": <path>}`; the recipe's `jigsaw` adapter cuts and shuffles it.

    # COCO's train2014.zip unpacked in <coco>/train2014; train2014.json from Jigsaw-R1's data/ folder
    python scripts/prepare_coco_train2014.py --source <Jigsaw-R1>/data/train2014.json --image-root <coco> \\
        --out data/coco_train2014.jsonl
"""

import argparse
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from prepare_common import write_rows  # scripts/prepare_common.py


def convert(rows: Iterable[str], image_root: str | None = None) -> Iterator[dict]:
    """Image names relative to the COCO folder -> jigsaw rows {"image": path}."""
    for i, name in enumerate(rows):
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"row {i}: {name!r} is not an image name (train2014.json lists names such as "
                             "'train2014/COCO_train2014_000000495143.jpg')")
        yield {"image": str(Path(image_root) / name) if image_root else name}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/coco_train2014.jsonl")
    parser.add_argument("--source", required=True, help="Jigsaw-R1's data/train2014.json (a JSON list of names)")
    parser.add_argument("--image-root", required=True, help="the COCO folder the names are relative to")
    args = parser.parse_args(argv)
    names = json.loads(Path(args.source).read_text(encoding="utf-8"))
    write_rows(convert(names, str(Path(args.image_root).resolve())), args.out)


if __name__ == "__main__":
    main()
