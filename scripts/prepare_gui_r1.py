"""GUI-R1's data: GUI-R1-3K (ritzzai/GUI-R1, train.parquet / test.parquet) as rows for the `gui_action` adapter.

A GUI-R1 row holds a screenshot (`image`, the parquet's embedded bytes), the task
(`instruction`), the steps taken so far (`history`), `task_type` ("high": a goal, any of nine
actions; "low": a step, click only) and the gold step: `gt_action`, `gt_bbox` (two numbers, a
point, or four, a box, as fractions of the width and height) and `gt_input_text`.

`convert` writes GUI-R1's own user prompt (verl/utils/dataset.py of ritzz-ai/GUI-R1, one text per
task type, with the history and an `<image>` marker where the screenshot goes) into `question`,
which the recipe's adapter shows as it is, and keeps of the gold what GUI-R1's accuracy reward
reads (verl/utils/reward_score/r1gui.py): the target only for a click, the text only for
type/select/scroll ("no input text" and the other actions' texts are never compared).
Embedded images are written as files under `--images` (default: a folder beside `--out`).

    python scripts/prepare_gui_r1.py --out data/gui_r1.jsonl [--source ritzzai/GUI-R1 --data-files train.parquet]
    python scripts/prepare_gui_r1.py --out data/gui_r1_test.jsonl --data-files test.parquet
"""

import argparse
from collections.abc import Iterable, Iterator
from pathlib import Path

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

ACTIONS = ["complete", "close/delete", "press_home", "click", "press_back", "type", "select", "scroll", "enter"]
TEXT_ACTIONS = ("type", "select", "scroll")  # r1gui_accuracy_reward compares input_text only for these
NO_TEXT = "no input text"

# verl/utils/dataset.py:132-151 of ritzz-ai/GUI-R1@d43eea2, word for word
HIGH = (
    "You are GUI-R1, a reasoning GUI Agent Assistant. In this UI screenshot <image>, I want you to continue executing "
    "the command '{instruction}', with the action history being '{history}'.\n"
    "Please provide the action to perform (enumerate from ['complete', 'close/delete', 'press_home', 'click', "
    "'press_back', 'type', 'select', 'scroll', 'enter']), the point where the cursor is moved to (integer) if a click "
    "is performed, and any input text required to complete the action.\n"
    "Output the thinking process in <think> </think> tags, and the final answer in <answer> </answer> tags as "
    "follows:\n"
    "<think> ... </think> <answer>[{{'action': enum['complete', 'close/delete', 'press_home', 'click', 'press_back', "
    "'type', 'select', 'scroll', 'enter'], 'point': [x, y], 'input_text': 'no input text [default]'}}]</answer>\n"
    "Note:\n specific input text (no default) is necessary for actions enum['type', 'select', 'scroll'] \n Example:\n"
    "[{{'action': enum['complete', 'close/delete', 'press_home', 'press_back', 'enter'], 'point': [-100, -100], "
    "'input_text': 'no input text'}}]\n"
    "[{{'action': enum['click'], 'point': [123, 300], 'input_text': 'no input text'}}]\n"
    "[{{'action': enum['type', 'select'], 'point': [-100, -100], 'input_text': 'shanghai shopping mall'}}]\n"
    "[{{'action': enum['scroll'], 'point': [-100, -100], 'input_text': enum['up', 'left', 'right', 'down']}}]"
)
LOW = (
    "You are GUI-R1, a reasoning GUI Agent Assistant. In this UI screenshot <image>, I want you to continue executing "
    "the command '{instruction}', with the action history being '{history}'.\n"
    "Please provide the action to perform (enumerate from ['click']), the point where the cursor is moved to "
    "(integer) if a click is performed, and any input text required to complete the action.\n"
    "Output the thinking process in <think> </think> tags, and the final answer in <answer> </answer> tags as "
    "follows:\n"
    "<think> ... </think> <answer>[{{'action': enum[ 'click'], 'point': [x, y], 'input_text': 'no input text'}}]"
    "</answer>\n"
    "Example:\n"
    "[{{'action': enum['click'], 'point': [123, 300], 'input_text': 'no input text'}}]\n"
)


def question(row: dict) -> str:
    """GUI-R1's user prompt for the row: the "high" text for task_type high, the click-only "low" text otherwise."""
    template = HIGH if row.get("task_type") == "high" else LOW
    return template.format(instruction=row["instruction"], history=row.get("history"))


def _image(value, i: int, image_root: str | None, image_dir: str | None) -> str:
    """The screenshot as a file path: embedded bytes written under `image_dir`, a relative name under `image_root`."""
    if isinstance(value, dict) and value.get("bytes"):
        if image_dir is None:
            raise ValueError(f"row {i}: the image is embedded bytes; give image_dir (--images) to write it to")
        data = value["bytes"]
        suffix = ".png" if data[:8] == b"\x89PNG\r\n\x1a\n" else ".jpg" if data[:3] == b"\xff\xd8\xff" else ".img"
        path = Path(image_dir) / f"{i:06d}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return str(path)
    name = value.get("path") if isinstance(value, dict) else value
    if not isinstance(name, str) or not name:
        raise ValueError(f"row {i}: column 'image' holds neither image bytes nor a file name: {value!r:.80}")
    return str(Path(image_root) / name) if image_root else name


def convert(rows: Iterable[dict], image_root: str | None = None, image_dir: str | None = None) -> Iterator[dict]:
    """GUI-R1-3K rows -> gui_action rows (image, instruction, question, action, bbox, text, task_type)."""
    for i, row in enumerate(rows):
        missing = [k for k in ("image", "instruction", "gt_action", "gt_bbox") if row.get(k) is None]
        if missing:
            raise ValueError(f"row {i}: no {', '.join(missing)} (GUI-R1-3K columns: image, instruction, history, "
                             "task_type, gt_action, gt_bbox, gt_input_text)")
        action = str(row["gt_action"]).strip().lower()
        box = list(row["gt_bbox"]) if action == "click" else None
        if box is not None and len(box) not in (2, 4):
            raise ValueError(f"row {i}: gt_bbox {row['gt_bbox']!r} is neither a point [x, y] nor a box "
                             "[x1, y1, x2, y2]")
        text = row.get("gt_input_text")
        text = text if action in TEXT_ACTIONS and text and text.strip().lower() != NO_TEXT else None
        yield {"image": _image(row["image"], i, image_root, image_dir), "instruction": row["instruction"],
               "question": question(row), "action": action, "bbox": box, "text": text,
               "task_type": row.get("task_type")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/gui_r1.jsonl")
    parser.add_argument("--source", default="ritzzai/GUI-R1", help="hub id, or a local parquet/json/jsonl file")
    parser.add_argument("--data-files", default="train.parquet", help="the hub dataset's file (test.parquet...)")
    parser.add_argument("--images", default=None, help="folder for the screenshots (default: <out without .jsonl>_images)")
    parser.add_argument("--image-root", default=None, help="folder that relative image names are relative to")
    args = parser.parse_args(argv)
    images = args.images or str(Path(args.out).with_suffix("")) + "_images"
    data_files = None if Path(args.source).exists() else args.data_files
    write_rows(convert(read_rows(args.source, data_files=data_files), args.image_root, images), args.out)


if __name__ == "__main__":
    main()
