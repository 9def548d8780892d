"""Helpers the data tests share: dataset specs as check_dataset returns them, jsonl files, pictures, targets."""

import json
import re

import numpy as np
from PIL import Image


def spec(adapter: str, **kw) -> dict:
    """A dataset spec with every DatasetSchema default filled in, as check_dataset returns it."""
    return {"adapter": adapter, "path": None, "generator": None, "subset": None, "split": "train",
            "columns": {}, "options": {}, "limit": None, **kw}


def write_jsonl(path, rows) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def picture(width: int, height: int, seed: int = 0) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB")


def user_text(example) -> str:
    return "".join(part["text"] for part in example["prompt"][-1]["content"] if part["type"] == "text")


def target(example) -> str:
    return example["messages"][-1]["content"][0]["text"]


def answer_of(text: str):
    return json.loads(re.search(r"<answer>(.*)</answer>", text).group(1))
