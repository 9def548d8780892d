"""Visual-RFT's few-shot classification data (ViRFT_CLS_fgvc_aircraft_4_shot, flower, car, pets) for the `classification` adapter.

Visual-RFT publishes each set as a `datasets` DatasetDict (`save_to_disk`; README "Datasets":
100 FGVC-Aircraft variants x 4 images, 102 flowers, 196 cars, 37 pets) with `image`, `problem`
(the whole user prompt) and `solution` (`<answer>737-300</answer>`), read by
src/virft/src/open_r1/grpo_classification.py. Rows keep `problem` as `question` (shown as it
is), the class as `label`, and every class of the file as `labels`: the adapter checks the gold
against it, while the recipe's reward, like Visual-RFT's, ignores it. Images are written to files
as scripts/prepare_virft_coco.py does.

    python scripts/prepare_virft_cls.py --source laolao77/ViRFT_CLS_fgvc_aircraft_4_shot \
        --out data/virft_cls_fgvc_aircraft_4_shot.jsonl
"""

import argparse
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from prepare_common import write_rows  # scripts/prepare_common.py
from prepare_virft_coco import read_rows  # the same published layout: hub / save_to_disk / jsonl

ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def _label(solution, where: str) -> str:
    match = ANSWER.search(str(solution))
    label = (match.group(1) if match else str(solution)).strip()
    if not label:
        raise ValueError(f"{where}: the solution {solution!r} names no class")
    return label


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """Visual-RFT rows (image path, problem, solution) -> classification rows (image, question, label, labels)."""
    rows = list(rows)
    labels = sorted({_label(row.get("solution", ""), f"row {i}") for i, row in enumerate(rows)})
    for i, row in enumerate(rows):
        problem, image = row.get("problem"), row.get("image")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"row {i}: no `problem`")
        if not isinstance(image, str) or not image:
            raise ValueError(f"row {i}: `image` is not a file path (main() writes hub images to files first)")
        yield {"image": os.path.join(image_root, image) if image_root else image, "question": problem.strip(),
               "label": _label(row["solution"], f"row {i}"), "labels": labels}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/virft_cls_fgvc_aircraft_4_shot.jsonl")
    parser.add_argument("--source", default="laolao77/ViRFT_CLS_fgvc_aircraft_4_shot",
                        help="hub id, a save_to_disk folder, or a jsonl file with image paths")
    parser.add_argument("--image-root", default=None,
                        help="the folder a jsonl source's image paths are relative to (default: <out>_images)")
    args = parser.parse_args(argv)
    images = Path(args.out).parent / (Path(args.out).stem + "_images")
    root = args.image_root or (None if args.source.endswith(".jsonl") else str(images.resolve()))
    write_rows(convert(read_rows(args.source, images), root), args.out)


if __name__ == "__main__":
    main()
