"""Vision-R1's RL data: Vision-R1-rl (geometry3k's schema) as `mm_math` rows.

Osilly/Vision-R1-rl "uses the geometry3k formation" (Osilly/Vision-R1 README.md:186): `images` (a
list of images), `problem` (with an `<image>` marker) and `answer`. `convert` keeps the problem as
the question and writes each image as a path (joined with `image_root`) or, for pixels held in the
file, a PNG data URI.

    python scripts/prepare_vision_r1_rl.py --out data/vision_r1_rl.jsonl [--source Osilly/Vision-R1-rl]
"""

from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """geometry3k-style rows (images, problem, answer) -> mm_math rows (question, answer, images)."""
    for i, row in enumerate(rows):
        problem, answer, images = row.get("problem"), row.get("answer"), row.get("images")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"row {i}: `problem` is empty")
        if answer is None or not str(answer).strip():
            raise ValueError(f"row {i}: `answer` is empty")
        images = [images] if isinstance(images, (str, dict)) else list(images or [])
        if not images:
            raise ValueError(f"row {i}: no `images`")
        yield {"question": problem.strip(), "answer": str(answer).strip(),
               "images": [image_ref(im, image_root, f"row {i} image") for im in images]}


def main(argv=None):
    prepare_main(convert, __doc__, "data/vision_r1_rl.jsonl",
                 source_help="hub id or local jsonl/json/parquet file",
                 source_default="Osilly/Vision-R1-rl",
                 image_root_help="the folder relative image names are resolved against", argv=argv)


if __name__ == "__main__":
    main()
