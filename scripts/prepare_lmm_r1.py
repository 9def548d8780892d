"""LMM-R1's training data: its "message" jsonl files (DeepScaler text, VerMulti multimodal) as math_qa / mm_math rows.

LMM-R1 (TideDra/lmm-r1) stores each prompt as a stringified OpenAI message list beside its answer
(README.md:78-98, examples/data/test_message.jsonl): a system turn with LMM-R1's instruction, then a
user turn whose content is text and image parts, and `answer` like `$\\boxed{60}$`. `convert` keeps the
user's text (an `<image>` marker where each image part stood, so the `mm_math` adapter puts the images
back in the same order) and the answer; the system instruction is the recipe's `system_prompt`. Text
rows (VLM-Reasoner/deepscaler, FRE-Text) get no `images`; multimodal rows (VLM-Reasoner/VerMulti) get
their image files, `file://` dropped and joined with `image_root`.

    python scripts/prepare_lmm_r1.py --source <deepscaler>/deepscaler_message.jsonl --out data/lmm_r1_deepscaler.jsonl
    python scripts/prepare_lmm_r1.py --source <VerMulti>/mathv60k_message.jsonl --out data/lmm_r1_vermulti.jsonl \
        --image-root <VerMulti>
"""

import json
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py


def messages(row: dict, i: int) -> list[dict]:
    raw = row.get("message")
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        raise ValueError(f"row {i}: `message` is not a JSON list of messages") from None
    if not isinstance(parsed, list) or not all(isinstance(m, dict) for m in parsed):
        raise ValueError(f"row {i}: `message` is not a list of messages")
    return parsed


def system_prompt(row: dict) -> str | None:
    """The row's system instruction (the same in every LMM-R1 file), or None."""
    for m in messages(row, 0):
        if m.get("role") == "system":
            content = m.get("content")
            return content if isinstance(content, str) else "".join(p.get("text", "") for p in content)
    return None


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """LMM-R1 rows (message, answer) -> math_qa rows (question, answer), or mm_math rows with `images`."""
    for i, row in enumerate(rows):
        user = next((m for m in messages(row, i) if m.get("role") == "user"), None)
        if user is None:
            raise ValueError(f"row {i}: `message` has no user turn")
        content = user.get("content")
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        texts, images = [], []
        for part in parts:
            if part.get("type") == "image":
                texts.append("<image>")
                images.append(image_ref(part.get("image"), image_root, f"row {i} image"))
            elif part.get("type") == "text":
                texts.append(part.get("text") or "")
        question = "".join(texts).strip()
        answer = row.get("answer")
        if not question.replace("<image>", "").strip():
            raise ValueError(f"row {i}: the user turn has no text")
        if not isinstance(answer, str) or not answer.strip("$ "):
            raise ValueError(f"row {i}: `answer` is empty")
        yield {"question": question, "answer": answer.strip(), **({"images": images} if images else {})}


def main(argv=None):
    prepare_main(convert, __doc__, "data/lmm_r1_vermulti.jsonl",
                 source_help="an LMM-R1 *_message.jsonl file (or a hub id)",
                 image_root_help="the folder relative image paths are resolved against", argv=argv)


if __name__ == "__main__":
    main()
