"""R1-Reward's RL data: yifanzhang114/R1-Reward-RL judge prompts (text + image) as `mm_math` rows.

Each published row is `message`, a JSON-encoded chat of one user turn whose content is the
evaluator prompt (question, Response 1, Response 2, "<think>…</think><answer>1/2</answer>") and the
image(s); `question`, the original question; and `answer`, e.g. `["<answer>2</answer>"]`, the better
response's number (README.md "Training Data Format"). `convert` keeps the turn's text as the
question with an `<image>` marker where each image part sits (so the images keep their place),
writes the images as paths and the gold as "1" or "2". The published image paths are absolute
paths of the authors' machines ("update the path", README.md 2.2): with `image_root`, an absolute
path keeps its last two parts (source folder and file name) under `image_root`, a relative one is
joined to it.

    python scripts/prepare_r1_reward_rl.py --out data/r1_reward_rl.jsonl --image-root <images> [--source yifanzhang114/R1-Reward-RL]
"""

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py

HUB_ID = "yifanzhang114/R1-Reward-RL"
GOLD = re.compile(r"<answer>\s*([12])\s*</answer>")


def _image(part: dict, image_root: str | None, what: str) -> str:
    path = part.get("image")
    if isinstance(path, str) and image_root is not None and PurePosixPath(path).is_absolute():
        path = str(PurePosixPath(*PurePosixPath(path).parts[-2:]))
    return image_ref(path, image_root, what)


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """Rows (message: JSON chat, question, answer: ["<answer>N</answer>"]) -> question (with <image>), images, answer."""
    for i, row in enumerate(rows):
        message = row.get("message")
        try:
            chat = json.loads(message) if isinstance(message, str) else message
        except json.JSONDecodeError:
            raise ValueError(f"row {i}: `message` is not JSON: {message!r:.120}") from None
        users = [m for m in chat or [] if isinstance(m, dict) and m.get("role") == "user"]
        if len(users) != 1 or not isinstance(users[0].get("content"), list):
            raise ValueError(f"row {i}: `message` must be one user turn with a list of text and image parts")
        text, images = [], []
        for part in users[0]["content"]:
            if part.get("type") == "text":
                text.append(part.get("text") or "")
            elif part.get("type") == "image":
                images.append(_image(part, image_root, f"row {i} image"))
                text.append("<image>")
            else:
                raise ValueError(f"row {i}: unknown content part {part!r:.120}")
        if not images:
            raise ValueError(f"row {i}: the user turn has no image")
        golds = [GOLD.search(a) for a in (row.get("answer") or []) if isinstance(a, str)]
        if not golds or not golds[0]:
            raise ValueError(f"row {i}: `answer` is {row.get('answer')!r}, not [\"<answer>1</answer>\"] or "
                             "[\"<answer>2</answer>\"]")
        yield {"question": "".join(text), "images": images, "answer": golds[0].group(1)}


def main(argv=None):
    prepare_main(convert, __doc__, "data/r1_reward_rl.jsonl",
                 source_help="hub id or local json/jsonl/parquet file",
                 source_default=HUB_ID,
                 image_root_help="the folder holding the images (their source folder, then file name)", argv=argv)


if __name__ == "__main__":
    main()
