"""UI-R1's training data: its JSON of mobile steps (LZXzju/UI-R1-3B-Train train.json) as `gui_action` rows.

A UI-R1 row is `{"img_filename", "instruction", "bbox": [x1, y1, x2, y2]}` for a click (the
element's box in the screenshot's pixels) or `{"img_filename", "instruction", "action"}` for
the other actions (open_app, scroll, navigate_back, input_text), whose only gold is their
name (src/ui_r1/src/open_r1/grpo_json_action_coord.py:243-262 of lll6gg/UI-R1). `convert`
keeps exactly that: the image path, the instruction, the action and, for a click, its box.

    python scripts/prepare_ui_r1.py --source <UI-R1-3B-Train>/train.json --image-root <UI-R1-3B-Train>/train_imgs \\
        --out data/ui_r1.jsonl
"""

import argparse
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from prepare_common import write_rows  # scripts/prepare_common.py


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """UI-R1 rows (img_filename, instruction, bbox | action) -> gui_action rows (image, instruction, action, bbox)."""
    for i, row in enumerate(rows):
        if not row.get("img_filename") or not row.get("instruction"):
            raise ValueError(f"row {i}: a UI-R1 row needs img_filename and instruction, got keys {sorted(row)}")
        if row.get("bbox") is not None:
            action, box = "click", list(row["bbox"])  # grpo_json_action_coord.py:259-260: a row with a box is a click
            if len(box) != 4:
                raise ValueError(f"row {i} ({row['img_filename']}): bbox {row['bbox']!r} is not [x1, y1, x2, y2]")
        elif row.get("action"):
            action, box = str(row["action"]).strip().lower(), None
        else:
            raise ValueError(f"row {i} ({row['img_filename']}): neither a bbox (a click) nor an action")
        image = str(Path(image_root) / row["img_filename"]) if image_root else row["img_filename"]
        yield {"image": image, "instruction": row["instruction"], "action": action, "bbox": box}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/ui_r1.jsonl")
    parser.add_argument("--source", required=True, help="UI-R1's train.json (a JSON list), or a jsonl of its rows")
    parser.add_argument("--image-root", required=True, help="the folder of the screenshots (train_imgs)")
    args = parser.parse_args(argv)
    text = Path(args.source).read_text(encoding="utf-8")
    rows = json.loads(text) if text.lstrip().startswith("[") else [json.loads(x) for x in text.splitlines() if x.strip()]
    write_rows(convert(rows, str(Path(args.image_root).resolve())), args.out)


if __name__ == "__main__":
    main()
