"""VLM-R1's open-vocabulary detection data: D^3 (Description Detection Dataset) rows for the `detection` adapter.

VLM-R1's OVD model (VLM-R1-Qwen2.5VL-3B-OVD-0321) was trained on D^3 (blog 2025_03_20.html,
"Methodology"); the converted file was not released. Its trainer (`grpo_jsonl.py`) reads the
repository's general jsonl format (README "For your own data") with an OD answer as its
`odLength` reward parses it (grpo_jsonl.py:297-349, 385-416): a fenced JSON list of Qwen2.5-VL
boxes, or `None` when none of the described objects is in the image (D^3's absence expressions):

    {"id": ..., "image": "<image file, relative to --image-root>",
     "conversations": [{"from": "human", "value": "<image>Please carefully check the image and detect the
                        following objects: ..."},
                       {"from": "gpt", "value": "```json\\n[{\\"bbox_2d\\": [x1, y1, x2, y2], \\"label\\": \\"...\\"}]\\n```"}],
     "accu_reward_method": "odLength"}

Boxes are pixels of the stored image; the adapter rescales them into Qwen's resized input.
`question` is the human turn without `<image>`; `objects` the gold list (empty for `None`).

    python scripts/prepare_vlm_r1_ovd.py --source d3_train.jsonl --image-root <d3 images> --out data/vlm_r1_ovd.jsonl
"""

import argparse
import json
import os
import re
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

FENCE = re.compile(r"```json(.*?)```", re.DOTALL)  # map_reward's pattern (grpo_jsonl.py:312)


def _objects(answer, where: str) -> list[dict]:
    """The gold answer text -> [{"bbox_2d", "label"}, ...]; `None` (nothing to detect) -> []."""
    text = str(answer).replace("<answer>", "").replace("</answer>", "").strip()
    if text == "None":
        return []
    fenced = FENCE.findall(text)
    try:
        objects = json.loads(fenced[-1].strip() if fenced else text)
    except json.JSONDecodeError:
        raise ValueError(f"{where}: the answer {text[:80]!r} is neither `None` nor a JSON list of boxes") from None
    if isinstance(objects, dict):
        objects = [objects]
    if not isinstance(objects, list) or not all(
            isinstance(o, dict) and isinstance(o.get("bbox_2d"), list) and len(o["bbox_2d"]) == 4
            and isinstance(o.get("label"), str) for o in objects):
        raise ValueError(f"{where}: the answer is not a list of {{\"bbox_2d\": [x1, y1, x2, y2], \"label\": ...}}")
    return [{"bbox_2d": [float(v) for v in o["bbox_2d"]], "label": o["label"]} for o in objects]


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """VLM-R1 jsonl rows (image, conversations) -> detection rows (image, question, objects)."""
    for i, row in enumerate(rows):
        where = f"row {i} (id {row.get('id')!r})"
        turns = row.get("conversations")
        if not isinstance(turns, list) or len(turns) < 2:
            raise ValueError(f"{where}: `conversations` needs the human question and the gpt answer")
        image = row.get("image")
        if not isinstance(image, str) or not image:
            raise ValueError(f"{where}: no `image` (one path, relative to the image folder)")
        question = str(turns[0]["value"]).replace("<image>", "").strip()
        if not question:
            raise ValueError(f"{where}: the question is empty")
        yield {"id": row.get("id", i), "image": os.path.join(image_root, image) if image_root else image,
               "question": question, "objects": _objects(turns[1]["value"], where)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/vlm_r1_ovd.jsonl")
    parser.add_argument("--source", nargs="+", required=True, help="jsonl file(s) in VLM-R1's format (D^3 rows)")
    parser.add_argument("--image-root", default=None, help="the folder the rows' image paths are relative to")
    args = parser.parse_args(argv)
    rows = (row for source in args.source for row in read_rows(source))
    write_rows(convert(rows, args.image_root), args.out)


if __name__ == "__main__":
    main()
