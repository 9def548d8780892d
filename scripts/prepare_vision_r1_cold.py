"""Vision-R1's cold-start data: Vision-R1-cold conversations as `mm_math` rows with the reasoning as SFT target.

Vision-R1-cold (Osilly/Vision-R1-cold) ships two LLaMA-Factory "sharegpt" files,
vision_r1_llava_cot_full.json (`conversations` from human/gpt, one `image`) and
vision_r1_mulberry_sft_full.json (`conversations` from user/assistant, `images`), with the
images of LLaVA-CoT-100k and Mulberry-SFT beside them (Osilly/Vision-R1 README.md:112-166).
`convert` keeps the question (its `<image>` markers place the images) and splits the reply at
`</think>`: the reasoning becomes the `solution`, the text after it the `answer`, so the
`mm_math` adapter's target is `<think>reasoning</think><answer>final text</answer>`, the layout the
RL stages' hard formatting result reward scores. A reply already holding `<answer>` tags is kept
as written.

    python scripts/prepare_vision_r1_cold.py --out data/vision_r1_cold.jsonl --image-root <vision_r1_cold> \
        --source <vision_r1_cold>/vision_r1_llava_cot_full.json <vision_r1_cold>/vision_r1_mulberry_sft_full.json
"""

import argparse
import re
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

USER, ASSISTANT = ("human", "user"), ("gpt", "assistant")
ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def split_reply(reply: str) -> tuple[str, str]:
    """(solution, answer) of a distilled reply: the reasoning and the text after </think>, or the tagged answer."""
    tagged = ANSWER.findall(reply)
    if "<think>" in reply and tagged:
        return reply.strip(), tagged[-1].strip()
    if "</think>" not in reply:
        raise ValueError("the reply has no </think> closing its reasoning")
    reasoning, final = reply.rsplit("</think>", 1)
    reasoning = reasoning.split("<think>", 1)[-1].strip()
    if not reasoning or not final.strip():
        raise ValueError("the reply's reasoning or the answer after </think> is empty")
    return reasoning, final.strip()


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """LLaMA-Factory sharegpt rows (conversations, image | images) -> mm_math rows (question, solution, answer, images)."""
    for i, row in enumerate(rows):
        turns = row.get("conversations") or []
        question = next((t.get("value") for t in turns if t.get("from") in USER), None)
        reply = next((t.get("value") for t in reversed(turns) if t.get("from") in ASSISTANT), None)
        if not isinstance(question, str) or not isinstance(reply, str):
            raise TypeError(f"row {i}: `conversations` needs a human/user turn and a gpt/assistant reply")
        images = row.get("images") if row.get("images") is not None else row.get("image")
        images = [images] if isinstance(images, (str, dict)) else list(images or [])
        if not images:
            raise ValueError(f"row {i}: no `image` or `images`")
        try:
            solution, answer = split_reply(reply)
        except ValueError as err:
            raise ValueError(f"row {i}: {err}") from None
        yield {"question": question.strip(), "solution": solution, "answer": answer,
               "images": [image_ref(im, image_root, f"row {i} image") for im in images]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/vision_r1_cold.jsonl")
    parser.add_argument("--source", nargs="+", required=True,
                        help="the Vision-R1-cold json files (vision_r1_llava_cot_full.json, vision_r1_mulberry_sft_full.json)")
    parser.add_argument("--image-root", help="the folder the files' image names are relative to (vision_r1_cold/)")
    args = parser.parse_args(argv)
    rows = (row for source in args.source for row in read_rows(source))
    write_rows(convert(rows, args.image_root), args.out)


if __name__ == "__main__":
    main()
