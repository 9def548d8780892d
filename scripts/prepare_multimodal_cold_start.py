"""RL-with-Cold-Start's SFT data: Multimodal-Cold-Start replies as `mm_math` rows whose target is the reply as written.

WaltonFuture/Multimodal-Cold-Start (RL-with-Cold-Start README.md:29, SFT/convert_data.py:14-21) holds `problem`,
`answer` (the whole reply distilled from Qwen2.5-VL-32B by rejection sampling: the structured reasoning and its
final answer) and `images` (one image, stored in the parquet). convert_data.py turns each row into ms-swift's
query/response pair; `convert` writes the reply as the `solution` (the recipe's `solution_as: verbatim` trains on
it unchanged, so its gold is read from its last `\\boxed{}`), the problem as the question and the image as a path
joined with `image_root`, or a PNG data URI for pixels held in the file.

    python scripts/prepare_multimodal_cold_start.py --out data/multimodal_cold_start.jsonl
"""

from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """Multimodal-Cold-Start rows (problem, answer = the reply, images) -> mm_math rows (question, solution, images)."""
    for i, row in enumerate(rows):
        problem, reply, images = row.get("problem"), row.get("answer"), row.get("images")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"row {i}: `problem` is empty")
        if not isinstance(reply, str) or not reply.strip():
            raise ValueError(f"row {i}: `answer` (the reply to train on) is empty")
        images = [images] if isinstance(images, (str, dict)) else list(images or [])
        if not images:
            raise ValueError(f"row {i}: no `images`")
        yield {"question": problem.strip(), "solution": reply.strip(),
               "images": [image_ref(im, image_root, f"row {i} image") for im in images]}


def main(argv=None):
    prepare_main(convert, __doc__, "data/multimodal_cold_start.jsonl",
                 source_help="the hub dataset or a local file",
                 source_default="WaltonFuture/Multimodal-Cold-Start",
                 image_root_help="the folder relative image paths are resolved against", argv=argv)


if __name__ == "__main__":
    main()
