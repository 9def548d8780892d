"""Vision-R1 [alignment]'s localization data (JefferyZhan/Vision-R1-Data) as rows for the `detection` adapter.

Vision-R1 (arXiv 2503.18013; not the multimodal-math Vision-R1 of prepare_vision_r1_cold.py / _rl.py)
trains on curated object-localization instructions. Its trainer (jefferyZhan/Griffon@9866875e,
Vision-R1/vision_r1/visionr1_qwen.py, "visionr1_qwen") reads these columns of the hub dataset:

    image           the picture (a `datasets` Image; in a jsonl file, a path relative to --image-root)
    problem         the instruction, in one of three phrasings (visionr1_qwen:426-434)
    solution        JSON text: [[category, [x1, y1, x2, y2]], ...], boxes in pixels of the width x height image
    width, height   the image's size, the space of `solution`
    num_instances   the number of gold objects
    target_id_maps  JSON text: {category: class id} (the rewards' label matching; r1kit compares names)

For Qwen models the trainer rewrites each problem into Qwen2.5-VL's own grounding phrasing ("... and
output the coordinates in JSON format.", visionr1_qwen:423-434, 453-455); `question` is that rewrite.
Rows with fewer than 1 or more than 30 objects are left out, as the trainer filters them
(visionr1_qwen:450-460; its `--hard` run keeps 10 or more: --min-instances 10). Gold boxes are written
in thousandths of width and height (the recipe's `box_scale: 1000`), so the adapter places them on the
image as stored, even a resized copy, and then in Qwen's resized input, where the model answers.

    python scripts/prepare_vision_r1_data.py --out data/vision_r1_data.jsonl
"""

import argparse
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from prepare_common import write_rows  # scripts/prepare_common.py
from prepare_virft_coco import read_rows  # hub Image columns written to files, as for Visual-RFT's sets

# visionr1_qwen:426-432: each published phrasing -> Qwen2.5-VL's, as (old, new) replacements made in order
QWEN_PHRASINGS = (
    [("Examine the image for any objects from the category set. Report the coordinates of each detected object.",
      "Locate every item from the category list in the image and output the coordinates in JSON format.")],
    [("Can you point out", "Locate every"),
     ("in the image and provide the coordinates of its location?",
      "in the image and output the coordinates in JSON format.")],
    [("Locate the exact position of", "Locate every"),
     ("in the picture, if you can.", "in the image and output the coordinates in JSON format.")],
)
MIN_INSTANCES, MAX_INSTANCES = 1, 30  # visionr1_qwen:450


def qwen_question(problem: str, where: str) -> str:
    """The problem in the phrasing Vision-R1 gives Qwen models (the first replacement of a group decides)."""
    for group in QWEN_PHRASINGS:
        if group[0][0] in problem:
            for old, new in group:
                problem = problem.replace(old, new)
            return problem.strip()
    raise ValueError(f"{where}: the problem {problem[:80]!r} has none of Vision-R1's three phrasings "
                     "(\"Examine the image ...\", \"Can you point out ...\", \"Locate the exact position of ...\")")


def _size(row: dict, where: str) -> tuple[float, float]:
    width, height = row.get("width"), row.get("height")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in (width, height)):
        raise ValueError(f"{where}: `width` and `height` must be the image's positive size, got {width!r} x {height!r}")
    return float(width), float(height)


def _objects(solution, width: float, height: float, where: str) -> list[dict]:
    """`solution` ([[category, [x1, y1, x2, y2]], ...] in pixels) -> [{"bbox_2d": thousandths, "label"}]."""
    try:
        pairs = json.loads(solution) if isinstance(solution, str) else solution
    except json.JSONDecodeError:
        raise ValueError(f"{where}: `solution` {str(solution)[:80]!r} is not JSON") from None
    objects = []
    for pair in pairs if isinstance(pairs, list) else [None]:
        ok = isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[0], str) and pair[0].strip()
        box = pair[1] if ok else None
        if not (isinstance(box, (list, tuple)) and len(box) == 4
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in box)):
            raise ValueError(f"{where}: `solution` must be a JSON list of [category, [x1, y1, x2, y2]] pairs, "
                             f"got {str(solution)[:80]!r}")
        x1, y1, x2, y2 = box
        scaled = [x1 * 1000 / width, y1 * 1000 / height, x2 * 1000 / width, y2 * 1000 / height]
        objects.append({"bbox_2d": [round(v, 3) for v in scaled], "label": pair[0].strip()})
    return objects


def convert(rows: Iterable[dict], image_root: str | None = None, min_instances: int = MIN_INSTANCES,
            max_instances: int = MAX_INSTANCES) -> Iterator[dict]:
    """Vision-R1-Data rows -> detection rows (image, question, objects), those with too few or many objects left out."""
    for i, row in enumerate(rows):
        where = f"row {i}"
        count = row.get("num_instances")
        if isinstance(count, bool) or not isinstance(count, int):
            raise TypeError(f"{where}: `num_instances` must be the number of gold objects, got {count!r}")
        if not min_instances <= count <= max_instances:
            continue
        image, problem = row.get("image"), row.get("problem")
        if not isinstance(image, str) or not image:
            raise ValueError(f"{where}: `image` is not a file path (main() writes hub images to files first)")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"{where}: no `problem`")
        width, height = _size(row, where)
        yield {"image": os.path.join(image_root, image) if image_root else image,
               "question": qwen_question(problem, where),
               "objects": _objects(row.get("solution"), width, height, where)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/vision_r1_data.jsonl")
    parser.add_argument("--source", default="JefferyZhan/Vision-R1-Data",
                        help="hub id, a save_to_disk folder, or a jsonl file with image paths")
    parser.add_argument("--image-root", default=None,
                        help="the folder a jsonl source's image paths are relative to (default: <out>_images)")
    parser.add_argument("--min-instances", type=int, default=MIN_INSTANCES, help="10 for Vision-R1's --hard run")
    parser.add_argument("--max-instances", type=int, default=MAX_INSTANCES)
    args = parser.parse_args(argv)
    images = Path(args.out).with_suffix("").parent / (Path(args.out).stem + "_images")
    root = args.image_root or (None if args.source.endswith(".jsonl") else str(images.resolve()))
    write_rows(convert(read_rows(args.source, images), root, args.min_instances, args.max_instances), args.out)


if __name__ == "__main__":
    main()
