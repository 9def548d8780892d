"""Observe-R1's training data: a NeuraLadder-style "message" jsonl file, in its easy-to-hard order, as mm_math rows.

Observe-R1 (zrguo/Observe-R1@f09c1e4) trains on NeuraLadder, 20K multimodal questions sorted by difficulty, and
reads them in file order (scripts/train_r1.sh:75 passes `--shuffle`, which openrlhf/cli/train_ppo_ray.py:404
stores as shuffle=False). The dataset is not released yet (README.md:35); its documented format (README.md:75-97)
is LMM-R1's: a stringified message list whose user turn holds image parts (`"image": "file:///..."`) and text,
beside an `answer` such as `$3$`. `convert` reads that format as prepare_lmm_r1.py does (an `<image>` marker where
each image part stood, `file://` dropped, relative names joined with `image_root`), keeps the rows in the order
given (the curriculum) and passes a `difficulty` column through when the file has one.

    python scripts/prepare_neuraladder.py --source <NeuraLadder>/neuraladder.jsonl --out data/neuraladder.jsonl \
        --image-root <NeuraLadder>
"""

from collections.abc import Iterable, Iterator

from prepare_common import prepare_main  # scripts/prepare_common.py
from prepare_lmm_r1 import convert as message_rows  # scripts/prepare_lmm_r1.py: the same message format


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """Observe-R1 rows (message, answer[, difficulty]) -> mm_math rows (question, answer, images[, difficulty])."""
    rows = list(rows)
    for i, (row, converted) in enumerate(zip(rows, message_rows(rows, image_root))):
        if "images" not in converted:
            raise ValueError(f"row {i}: the user turn has no image part (NeuraLadder is multimodal)")
        if row.get("difficulty") is not None:
            converted["difficulty"] = row["difficulty"]
        yield converted


def main(argv=None):
    prepare_main(convert, __doc__, "data/neuraladder.jsonl",
                 source_help="a NeuraLadder-format jsonl file (message, answer), in training order",
                 image_root_help="the folder relative image paths are resolved against", argv=argv)


if __name__ == "__main__":
    main()
