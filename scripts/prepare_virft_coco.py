"""Visual-RFT's COCO detection data (ViRFT_COCO_base65, ViRFT_COCO_8_cate_4_shot, ...) as rows for the `detection` adapter.

Visual-RFT (Liuziyu77/Visual-RFT, README "Datasets") publishes each training set as a `datasets`
DatasetDict (`save_to_disk`, read with `load_from_disk` by src/virft/src/open_r1/grpo.py:385) with
three columns (dataset/build_dataset.ipynb): `image`, `problem` (the whole user prompt, about ONE
category) and `solution`, e.g.

    problem:  Detect all objects belonging to the category 'cat' in the image, and provide the bounding boxes
              (between 0 and 1000, integer) and confidence (between 0 and 1, with two decimal places). ...
    solution: <answer>[{'Position': [254, 303, 291, 365], 'Confidence': 1}]</answer>   (or No Objects)

Boxes are Qwen2-VL's 0-1000 coordinates. Rows keep `problem` as `question` (shown as it is), and
the boxes as `objects` labelled with the category the problem names. In a jsonl file (the
fixtures, or a hand-made set) `image` is a path relative to `image_root`; from the hub or a
`save_to_disk` folder `main` writes each image to `<out>_images/<i>.<ext>` first.

    python scripts/prepare_virft_coco.py --source laolao77/ViRFT_COCO_base65 --out data/virft_coco_base65.jsonl
    python scripts/prepare_virft_coco.py --source laolao77/ViRFT_COCO_8_cate_4_shot --out data/virft_coco_8_cate_4_shot.jsonl
"""

import argparse
import ast
import io
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from prepare_common import write_rows  # scripts/prepare_common.py

CATEGORY = re.compile(r"category '([^']+)'")
ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def _objects(solution: str, category: str, where: str) -> list[dict]:
    """Visual-RFT's `<answer>[{'Position': [...], 'Confidence': 1}, ...]</answer>` -> [{"bbox_2d", "label"}]."""
    match = ANSWER.search(str(solution))
    text = (match.group(1) if match else str(solution)).strip()
    if text.lower().strip(".'\" ") == "no objects":
        return []
    try:
        objects = ast.literal_eval(text)  # Python literals with single quotes, as grpo.py's extract_bbox reads them
    except (ValueError, SyntaxError):
        raise ValueError(f"{where}: the solution {text[:80]!r} is neither 'No Objects' nor a list of "
                         "{'Position': [x1, y1, x2, y2], 'Confidence': c}") from None
    if not isinstance(objects, list) or not all(
            isinstance(o, dict) and isinstance(o.get("Position"), (list, tuple)) and len(o["Position"]) == 4
            for o in objects):
        raise ValueError(f"{where}: the solution is not a list of {{'Position': [x1, y1, x2, y2], ...}}")
    return [{"bbox_2d": [float(v) for v in o["Position"]], "label": category} for o in objects]


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """Visual-RFT rows (image path, problem, solution) -> detection rows (image, question, objects)."""
    for i, row in enumerate(rows):
        where = f"row {i}"
        problem, image = row.get("problem"), row.get("image")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"{where}: no `problem`")
        if not isinstance(image, str) or not image:
            raise ValueError(f"{where}: `image` is not a file path (main() writes hub images to files first)")
        category = CATEGORY.search(problem)
        if category is None:
            raise ValueError(f"{where}: the problem names no category 'X' to label its boxes with")
        yield {"image": os.path.join(image_root, image) if image_root else image, "question": problem.strip(),
               "objects": _objects(row.get("solution", ""), category.group(1), where)}


def _image_file(image, folder: Path, i: int) -> str:
    """A hub image (PIL, or {"bytes", "path"}) written under `folder`; its name relative to folder."""
    data = image.get("bytes") if isinstance(image, dict) else None
    if data is None and isinstance(image, dict) and image.get("path"):
        return str(Path(image["path"]).resolve())
    name = f"{i}.png"
    if data is None:  # a decoded PIL image
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        data = buffer.getvalue()
    elif data[:3] == b"\xff\xd8\xff":
        name = f"{i}.jpg"
    (folder / name).write_bytes(data)
    return name


def read_rows(source: str, images: Path) -> Iterator[dict]:
    """Rows of a jsonl file (image paths), or of a save_to_disk folder / hub dataset (images written to files)."""
    from prepare_common import read_rows as read_table

    if source.endswith(".jsonl"):
        yield from read_table(source)
        return
    import datasets

    if Path(source).is_dir():
        ds = datasets.load_from_disk(source)
        ds = ds["train"] if isinstance(ds, datasets.DatasetDict) else ds
    else:
        ds = datasets.load_dataset(source, split="train")
    ds = ds.cast_column("image", datasets.Image(decode=False))
    images.mkdir(parents=True, exist_ok=True)
    for i, row in enumerate(ds):
        yield dict(row, image=_image_file(row["image"], images, i))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/virft_coco_base65.jsonl")
    parser.add_argument("--source", default="laolao77/ViRFT_COCO_base65",
                        help="hub id, a save_to_disk folder, or a jsonl file with image paths")
    parser.add_argument("--image-root", default=None,
                        help="the folder a jsonl source's image paths are relative to (default: <out>_images)")
    args = parser.parse_args(argv)
    images = Path(args.out).with_suffix("").parent / (Path(args.out).stem + "_images")
    root = args.image_root or (None if args.source.endswith(".jsonl") else str(images.resolve()))
    write_rows(convert(read_rows(args.source, images), root), args.out)


if __name__ == "__main__":
    main()
