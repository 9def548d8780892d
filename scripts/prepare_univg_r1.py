"""UniVG-R1's data: its CoT-SFT conversations (mm_math rows) and its GRPO grounding problems (grounding rows).

UniVG-R1 (AMAP-ML/UniVG-R1, README.md:56-73) releases GD-ML/UniVG-R1-data, whose images are MGrounding-630k's
(thunlp/Migician) and COCO's:

- stage1_cotsft.json, LLaMA-Factory sharegpt rows (`messages` with role/content, or `conversations` with
  from/value, and `images`): the user turn with one `<image>` marker per image, the reply
  `<think>…</think><answer>(x1,y1),(x2,y2)</answer>`. `convert` keeps the reply as written (the recipe's
  `solution_as: verbatim`) and the question with its markers, where LLaMA-Factory puts the images;
- stage2_rl.json, rows `question` (with `<image>` markers), `answer` (the box, Qwen2-VL's 0-1000 coordinates) and
  `images` (src/open-r1-multimodal/src/open_r1/grpo_univg.py:162-165). UniVG-R1 drops the markers and puts every
  image first (:155), then its question template (vlm_modules/qwen_module.py:70). A single COCO image (a path
  holding `dataset/coco/train2014/COCO`) is a plain REC row, asked without reasoning (grpo_univg.py:167-170, the
  run's `--single_img_with_cot False`): `domain` "direct" rather than "cot", so the recipe gives the format
  reward to "cot" rows only, as qwen_module.py:82-85 checks only a bare box on direct rows.

A row with `messages` or `conversations` is an SFT row, one with `question` a GRPO row.

    python scripts/prepare_univg_r1.py --source <UniVG-R1-data>/stage1_cotsft.json --out data/univg_r1_sft.jsonl \
        --image-root <MGrounding-630k>
    python scripts/prepare_univg_r1.py --source <UniVG-R1-data>/stage2_rl.json --out data/univg_r1_rl.jsonl \
        --image-root <MGrounding-630k>
"""

import re
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py

COT = (" First output the thinking process in <think> </think> tags and then output the bounding box in <answer> "
       "</answer> tags.")  # qwen_module.py:70
DIRECT = "This is a single image grounding task with simple reference. "  # grpo_univg.py:170
COCO = "dataset/coco/train2014/COCO"  # grpo_univg.py:168: how UniVG-R1 tells a single COCO image
ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def images_of(row: dict, i: int, image_root: str | None) -> list[str]:
    images = row.get("images") if row.get("images") is not None else row.get("image")
    images = [images] if isinstance(images, (str, dict)) else list(images or [])
    if not images:
        raise ValueError(f"row {i}: no `images`")
    return [image_ref(im, image_root, f"row {i} image") for im in images]


def box_of(answer, i: int) -> list[float]:
    """The gold box: [x1, y1, x2, y2], or text holding four numbers such as "(x1,y1),(x2,y2)"."""
    numbers = NUMBER.findall(answer) if isinstance(answer, str) else answer
    try:
        box = [float(v) for v in numbers]
    except (TypeError, ValueError):
        box = []
    if len(box) != 4:
        raise ValueError(f"row {i}: `answer` {answer!r} is not one box of four numbers")
    return box


def sft_row(row: dict, i: int, image_root: str | None) -> dict:
    turns = row.get("messages") or row.get("conversations") or []
    turns = [{"role": m.get("role") or m.get("from"), "content": m.get("content", m.get("value"))}
             for m in turns if isinstance(m, dict)]
    question = next((m["content"] for m in turns if m["role"] in ("user", "human")), None)
    reply = next((m["content"] for m in reversed(turns) if m["role"] in ("assistant", "gpt")), None)
    if not isinstance(question, str) or not isinstance(reply, str):
        raise TypeError(f"row {i}: the conversation needs a user turn and an assistant reply")
    answer = ANSWER.findall(reply)
    if not answer or not answer[-1].strip():
        raise ValueError(f"row {i}: the reply has no <answer>…</answer>")
    return {"question": question.strip(), "solution": reply.strip(), "answer": answer[-1].strip(),
            "images": images_of(row, i, image_root)}


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """UniVG-R1 rows -> mm_math SFT rows (question, solution, answer, images) or grounding rows (query, bbox,
    images, domain)."""
    for i, row in enumerate(rows):
        if "messages" in row or "conversations" in row:
            yield sft_row(row, i, image_root)
            continue
        question = row.get("question")
        if not isinstance(question, str) or not question.replace("<image>", "").strip():
            raise ValueError(f"row {i}: neither a conversation (SFT) nor a `question` (GRPO)")
        raw_images = row.get("images") or []
        direct = len(raw_images) == 1 and COCO in str(raw_images[0])
        text = question.replace("<image>", "").strip()
        query = DIRECT + text if direct else text + COT
        yield {"query": query, "bbox": box_of(row.get("answer"), i), "images": images_of(row, i, image_root),
               "domain": "direct" if direct else "cot"}


def main(argv=None):
    prepare_main(convert, __doc__, "data/univg_r1_rl.jsonl",
                 source_help="stage1_cotsft.json or stage2_rl.json of GD-ML/UniVG-R1-data (a local file)",
                 image_root_help="the folder the published relative image paths are under (MGrounding-630k)",
                 argv=argv)


if __name__ == "__main__":
    main()
