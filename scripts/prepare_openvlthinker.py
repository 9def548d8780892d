"""OpenVLThinker's data: its SFT conversations and its GRPO problems (medium, hard) as `mm_math` rows.

OpenVLThinker (yihedeng9/OpenVLThinker) releases

- the SFT set of each iteration (ydeng9/OpenVLThinker-sft-iter3, LLaMA-Factory "sharegpt": `messages` with user
  and assistant turns, and `images`: train/llama-factory/data/dataset_info.json:2-15), replies written by the
  previous iteration's RL model and kept when right (generation/generate_reasoning_thinker.py). `convert` keeps the
  reply as written (the recipe's `solution_as: verbatim`) and its last `<answer>` as the gold, so a later generate
  stage can score the model's own replies to the same questions;
- the GRPO sets (ydeng9/medium_grpo_only, ydeng9/OpenVLThinker-grpo-hard) in EasyR1's layout: `problem`, `answer`,
  `images` (train/easyr1/examples/config.yaml:4-6); an `<image>` marker places the image, as EasyR1 does.

A row with `messages` is an SFT row, one with `problem` a GRPO row.

    python scripts/prepare_openvlthinker.py --out data/openvlthinker_sft.jsonl --source ydeng9/OpenVLThinker-sft-iter3
    python scripts/prepare_openvlthinker.py --out data/openvlthinker_medium.jsonl --source ydeng9/medium_grpo_only
    python scripts/prepare_openvlthinker.py --out data/openvlthinker_hard.jsonl --source ydeng9/OpenVLThinker-grpo-hard
"""

import re
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py

ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def images_of(row: dict, i: int, image_root: str | None) -> list[str]:
    images = row.get("images") if row.get("images") is not None else row.get("image")
    images = [images] if isinstance(images, (str, dict)) or hasattr(images, "save") else list(images or [])
    if not images:
        raise ValueError(f"row {i}: no `images`")
    return [image_ref(im, image_root, f"row {i} image") for im in images]


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """OpenVLThinker rows -> mm_math rows: SFT (question, solution = the reply, answer, images) or GRPO (question,
    answer, images)."""
    for i, row in enumerate(rows):
        if "messages" in row:
            turns = [m for m in row["messages"] or [] if isinstance(m, dict)]
            question = next((m.get("content") for m in turns if m.get("role") == "user"), None)
            reply = next((m.get("content") for m in reversed(turns) if m.get("role") == "assistant"), None)
            if not isinstance(question, str) or not isinstance(reply, str):
                raise TypeError(f"row {i}: `messages` needs a user turn and an assistant reply")
            answer = ANSWER.findall(reply)
            if not answer or not answer[-1].strip():
                raise ValueError(f"row {i}: the reply has no <answer>…</answer>")
            yield {"question": question.strip(), "solution": reply.strip(), "answer": answer[-1].strip(),
                   "images": images_of(row, i, image_root)}
            continue
        problem, answer = row.get("problem"), row.get("answer")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"row {i}: neither `messages` (SFT) nor a `problem` (GRPO)")
        if answer is None or not str(answer).strip():
            raise ValueError(f"row {i}: `answer` is empty")
        yield {"question": problem.strip(), "answer": str(answer).strip(), "images": images_of(row, i, image_root)}


def main(argv=None):
    prepare_main(convert, __doc__, "data/openvlthinker_sft.jsonl",
                 source_help="a hub dataset (ydeng9/...) or a local file",
                 image_root_help="the folder relative image paths are resolved against", argv=argv)


if __name__ == "__main__":
    main()
