"""Visual-RFT's reasoning-grounding data: LISA instructions with their boxes, as rows for the `grounding` adapter.

Visual-RFT trains on `lisa_train_sft.json` (src/virft/src/open_r1/grpo_lisa.py:169), which
lisa_evaluation/gen_sft.py writes from LISA's lisa_train.json: one row per instruction,

    {"id": "lisa_0", "conversations": [
        {"from": "user", "value": "<img>/data/lisa/train/xxx.jpg</img>\\n Output the bounding box in the image
                                   corresponding to the instruction: <instruction>"},
        {"from": "assistant", "value": "(x1,y1),(x2,y2)"}]}

with the box in 0-1000 of the image's width and height (Qwen2-VL). Rows keep the user text
(without the <img> tag) as `query` and the box as `bbox`.

    python lisa_evaluation/gen_sft.py   # in Visual-RFT, with LISA's lisa_train.json
    python scripts/prepare_virft_lisa.py --source lisa_train_sft.json --out data/virft_lisa.jsonl
"""

import argparse
import os
import re
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

IMAGE = re.compile(r"<img>(.*?)</img>", re.DOTALL)
CORNERS = re.compile(r"\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*,\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)")  # grpo_lisa.py's pattern


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """gen_sft.py rows (conversations with <img>path</img>) -> grounding rows (image, query, bbox in 0-1000)."""
    for i, row in enumerate(rows):
        where = f"row {i} (id {row.get('id')!r})"
        turns = row.get("conversations")
        if not isinstance(turns, list) or len(turns) < 2:
            raise ValueError(f"{where}: `conversations` needs the user instruction and the assistant box")
        user, box = str(turns[0]["value"]), str(turns[1]["value"])
        image = IMAGE.search(user)
        if image is None:
            raise ValueError(f"{where}: the user turn has no <img>path</img>")
        corners = CORNERS.search(box)
        if corners is None:
            raise ValueError(f"{where}: the answer {box!r} is not (x1,y1),(x2,y2)")
        query = IMAGE.sub("", user).strip()
        path = image.group(1).strip()
        yield {"id": row.get("id", i), "image": os.path.join(image_root, path) if image_root else path,
               "query": query, "bbox": [float(v) for v in corners.groups()]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/virft_lisa.jsonl")
    parser.add_argument("--source", required=True, help="lisa_train_sft.json from Visual-RFT's gen_sft.py")
    parser.add_argument("--image-root", default=None, help="a folder the <img> paths are relative to, if they are")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source), args.image_root), args.out)


if __name__ == "__main__":
    main()
