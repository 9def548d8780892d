"""Infi-MMR's three phases of data as `math_qa` (text) and `mm_math` (image) rows, a caption in front where given.

Infi-MMR (Reallm-Labs/Infi-MMR) released its model, not its data: its phases train on (1) text reasoning
problems, (2) multimodal problems with a caption of the image added to the question ("caption-augmented"), and (3)
multimodal problems without one ("caption-free"). `convert` reads rows in the common geometry3k / EasyR1 layout —
`problem` (or `question`), `answer`, optional `images` / `image` and an optional `caption` — and writes the
question (the caption before it, when the row has one), the answer and the images. A row without images is a text
row (phase 1). Give phase 3 rows without captions (`--no-caption` drops them from a captioned file).

    python scripts/prepare_infi_mmr.py --source <text>.jsonl --out data/infi_mmr_text.jsonl
    python scripts/prepare_infi_mmr.py --source <captioned>.jsonl --image-root <images> --out data/infi_mmr_caption.jsonl
    python scripts/prepare_infi_mmr.py --source <captioned>.jsonl --image-root <images> --no-caption --out data/infi_mmr_visual.jsonl
"""

import argparse
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

CAPTIONED = "Image description: {caption}\n\n{question}"  # not published; r1kit's layout of a caption-augmented question


def convert(rows: Iterable[dict], image_root: str | None = None, captions: bool = True) -> Iterator[dict]:
    """(problem | question, answer, images | image, caption) rows -> math_qa / mm_math rows (question, answer, images)."""
    for i, row in enumerate(rows):
        question = row.get("problem") if row.get("problem") is not None else row.get("question")
        answer = row.get("answer")
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"row {i}: `problem` is empty")
        if answer is None or not str(answer).strip():
            raise ValueError(f"row {i}: `answer` is empty")
        images = row.get("images") if row.get("images") is not None else row.get("image")
        images = [images] if isinstance(images, (str, dict)) else list(images or [])
        caption = row.get("caption")
        if caption is not None and not images:
            raise ValueError(f"row {i}: a `caption` but no image")
        question = question.strip()
        if captions and isinstance(caption, str) and caption.strip():
            question = CAPTIONED.format(caption=caption.strip(), question=question)
        out = {"question": question, "answer": str(answer).strip()}
        if images:
            out["images"] = [image_ref(im, image_root, f"row {i} image") for im in images]
        yield out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/infi_mmr_caption.jsonl")
    parser.add_argument("--source", required=True, help="a json/jsonl/parquet file or a hub dataset of the layout above")
    parser.add_argument("--split", default="train")
    parser.add_argument("--image-root", help="the folder relative image paths are resolved against")
    parser.add_argument("--no-caption", action="store_true", help="leave the captions out (phase 3, caption-free)")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, args.split), args.image_root, captions=not args.no_caption), args.out)


if __name__ == "__main__":
    main()
