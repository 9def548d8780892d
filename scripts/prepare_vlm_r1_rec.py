"""VLM-R1's REC training data: RefCOCO/+/g referring expressions on COCO train2014 as rows for the `grounding` adapter.

VLM-R1 (om-ai-lab/VLM-R1, README "Referring Expression Comprehension") trains on
refcoco_train.jsonl, refcocop_train.jsonl and refcocog_train.jsonl from the hub's
omlab/VLM-R1 `rec_jsons_processed.zip`, with the COCO train2014 images of `train2014.zip`.
Each jsonl row is the repository's general format (README "For your own data"):

    {"id": ..., "image": "train2014/COCO_train2014_000000581857.jpg",
     "conversations": [{"from": "human", "value": "<image>Please provide the bounding box coordinate of the
                        region this sentence describes: the lady with the blue shirt."},
                       {"from": "gpt", "value": "[103.93, 299.99, 238.15, 477.41]"}]}

The box is [x1, y1, x2, y2] in pixels of the stored image (VLM-R1's `iou_reward` rescales the
model's box from Qwen's resized input back to those pixels; r1kit's adapter rescales the gold
box into the resized input instead, which leaves IoU the same). The zip's .json files (a list
of {"image", "problem", "solution", "normal_caption", ...}) are read too. `query` is the whole
question without `<image>`, as VLM-R1 puts it in its prompt template.

    python scripts/prepare_vlm_r1_rec.py --image-root <coco> --out data/vlm_r1_rec.jsonl \
        --source rec_jsons_processed/refcoco_train.jsonl rec_jsons_processed/refcocop_train.jsonl \
                 rec_jsons_processed/refcocog_train.jsonl
"""

import argparse
import json
import os
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py


def _box(value, where: str) -> list[float]:
    """A published gold box: a list of four numbers, or its JSON text (optionally inside <answer> tags)."""
    if isinstance(value, str):
        text = value.replace("<answer>", "").replace("</answer>", "").strip()
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"{where}: the answer {text!r} is not a JSON list [x1, y1, x2, y2]") from None
    if isinstance(value, dict):  # {"bbox_2d": [...]} written by hand
        value = value.get("bbox_2d") or value.get("bbox")
    if (not isinstance(value, list) or len(value) != 4
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        raise ValueError(f"{where}: the answer {value!r} is not a box [x1, y1, x2, y2]")
    return [float(v) for v in value]


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """VLM-R1 REC rows (jsonl `conversations`, or json `problem`/`solution`) -> grounding rows (image, query, bbox)."""
    for i, row in enumerate(rows):
        where = f"row {i} (id {row.get('id')!r})"
        if row.get("conversations"):
            turns = row["conversations"]
            if len(turns) < 2:
                raise ValueError(f"{where}: `conversations` needs the human question and the gpt answer")
            question, answer = turns[0]["value"], turns[1]["value"]
        elif "problem" in row and "solution" in row:
            question, answer = row["problem"], row["solution"]
        else:
            raise ValueError(f"{where}: neither `conversations` nor `problem` and `solution`")
        image = row.get("image")
        if not isinstance(image, str) or not image:
            raise ValueError(f"{where}: no `image` (a path relative to the COCO folder)")
        query = str(question).replace("<image>", "").strip()
        if not query:
            raise ValueError(f"{where}: the question is empty")
        yield {"id": row.get("id", i), "image": os.path.join(image_root, image) if image_root else image,
               "query": query, "bbox": _box(answer, where)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/vlm_r1_rec.jsonl")
    parser.add_argument("--source", nargs="+", required=True,
                        help="VLM-R1's refcoco*_train.jsonl (or .json) files from rec_jsons_processed.zip")
    parser.add_argument("--image-root", default=None,
                        help="the folder the rows' image paths are relative to (the one holding train2014/)")
    args = parser.parse_args(argv)
    rows = (row for source in args.source for row in read_rows(source))
    write_rows(convert(rows, args.image_root), args.out)


if __name__ == "__main__":
    main()
