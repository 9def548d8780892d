"""VL-Rethinker's RL data: ViRL39K queries as `mm_math` rows.

TIGER-Lab/ViRL39K (VL-Rethinker README.md: "Dataset") holds one query a row: `question`, `answer`, `image`
(a list of image files relative to the dataset's images folder, or none), `category`, `source`, `qid` and the
pass rates of 7B and 32B models (`PassRate_7BTrained`, `PassRate_32BTrained`), meant for choosing queries by
model size. VL-Rethinker's PromptDataset shows the images first and then the question
(openrlhf/datasets/prompts_dataset.py:145-156), so `convert` drops any `<image>` marker; `--max-pass-rate`
keeps the queries a 7B model does not always solve (the README's "model-capability annotations").

    python scripts/prepare_virl39k.py --out data/virl39k.jsonl --image-root <ViRL39K> [--source TIGER-Lab/ViRL39K]
"""

import argparse
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import read_rows, write_rows  # scripts/prepare_common.py


def convert(rows: Iterable[dict], image_root: str | None = None, max_pass_rate: float | None = None,
            pass_rate_key: str = "PassRate_7BTrained") -> Iterator[dict]:
    """ViRL39K rows (question, answer, image) -> mm_math rows (question, answer, images); rows a model of the
    pass-rate column solves more often than `max_pass_rate` are left out."""
    for i, row in enumerate(rows):
        question, answer = row.get("question"), row.get("answer")
        if not isinstance(question, str) or not question.replace("<image>", "").strip():
            raise ValueError(f"row {i}: `question` is empty")
        if answer is None or not str(answer).strip():
            raise ValueError(f"row {i}: `answer` is empty")
        if max_pass_rate is not None and float(row.get(pass_rate_key) or 0.0) > max_pass_rate:
            continue
        images = row.get("image") if row.get("image") is not None else row.get("images")
        images = [images] if isinstance(images, (str, dict)) else [im for im in images or [] if im]
        out = {"question": question.replace("<image>", "").strip(), "answer": str(answer).strip()}
        if images:
            out["images"] = [image_ref(im, image_root, f"row {i} image") for im in images]
        yield out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/virl39k.jsonl")
    parser.add_argument("--source", default="TIGER-Lab/ViRL39K", help="the hub dataset or a local parquet/jsonl")
    parser.add_argument("--split", default="train")
    parser.add_argument("--image-root", help="the folder the `image` paths are relative to")
    parser.add_argument("--max-pass-rate", type=float, help="leave out queries solved more often than this")
    parser.add_argument("--pass-rate-key", default="PassRate_7BTrained", help="PassRate_32BTrained for a 32B model")
    args = parser.parse_args(argv)
    rows = read_rows(args.source, args.split)
    write_rows(convert(rows, args.image_root, args.max_pass_rate, args.pass_rate_key), args.out)


if __name__ == "__main__":
    main()
