"""SATORI-R1's VQA-Verify (12K): questions with answer-aligned captions and boxes as `grounded_vqa` rows.

VQA-Verify (hub: justairr/VQA-Verify, SATORI-R1 readme.md "Dataset: VQA-Verify") is read by ms-swift with
SATORI's plugin.py, whose rewards take the row's columns by name: `image_caption` (the answer-aligned
caption, plugin.py:38), `bboxs` (the gold regions, [x1, y1, x2, y2] in pixels of the stored image) with
`width` and `height` (plugin.py:74), and `possible_answers` (the accepted answers, plugin.py:146). The
question is ms-swift's user turn (`messages`, or `query`) with the image in `images`. This layout is inferred
from those reward arguments; the hub card's exact column list was not readable here.
`convert` writes `question` (without `<image>`), `answers`, `caption`, `boxes` and `image`.

    python scripts/prepare_vqa_verify.py --out data/vqa_verify.jsonl --source justairr/VQA-Verify --image-root <dir>
"""

import numbers
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py


def _question(row: dict, where: str) -> str:
    text = row.get("query") or row.get("question")
    if text is None and isinstance(row.get("messages"), list):
        text = next((m.get("content") for m in row["messages"] if m.get("role") == "user"), None)
    if not isinstance(text, str) or not text.replace("<image>", "").strip():
        raise ValueError(f"{where}: no question (a user turn in `messages`, or `query`)")
    return text.replace("<image>", "").strip()


def _boxes(row: dict, where: str) -> list[list[float]]:
    boxes, w, h = row.get("bboxs"), row.get("width"), row.get("height")
    if not isinstance(boxes, list) or not boxes:
        raise ValueError(f"{where}: `bboxs` must be a non-empty list of [x1, y1, x2, y2]")
    out = []
    for b in boxes:
        if (not isinstance(b, list) or len(b) != 4
                or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in b)
                or not (b[0] < b[2] and b[1] < b[3])):
            raise ValueError(f"{where}: `bboxs` has {b!r}, not a box [x1, y1, x2, y2] with x1 < x2, y1 < y2")
        if isinstance(w, int) and isinstance(h, int) and (b[2] > w + 1 or b[3] > h + 1):
            raise ValueError(f"{where}: the box {b} lies outside the {w}x{h} image (`width`, `height`)")
        out.append([float(v) for v in b])
    return out


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """VQA-Verify rows (ms-swift messages/images + image_caption, bboxs, possible_answers) -> grounded_vqa rows."""
    for i, row in enumerate(rows):
        where = f"row {i}"
        answers = row.get("possible_answers")
        answers = [answers] if isinstance(answers, str) else answers
        if not isinstance(answers, list) or not answers or not all(isinstance(a, str) and a.strip() for a in answers):
            raise ValueError(f"{where}: `possible_answers` must be a non-empty list of answer texts")
        caption = row.get("image_caption")
        if not isinstance(caption, str) or not caption.strip():
            raise ValueError(f"{where}: `image_caption` is empty")
        images = row.get("images") if row.get("images") is not None else row.get("image")
        images = images if isinstance(images, list) else [images]
        if len(images) != 1:
            raise ValueError(f"{where}: VQA-Verify rows have one image, this one has {len(images)}")
        yield {"question": _question(row, where), "answers": answers, "caption": caption.strip(),
               "boxes": _boxes(row, where), "image": image_ref(images[0], image_root, f"{where} image")}


def main(argv=None):
    prepare_main(convert, __doc__, "data/vqa_verify.jsonl", "justairr/VQA-Verify, or a local json/jsonl/parquet file",
                 source_default="justairr/VQA-Verify", image_root_help="the folder the rows' image names are relative to",
                 argv=argv)


if __name__ == "__main__":
    main()
