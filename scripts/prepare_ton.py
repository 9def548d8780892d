"""TON's data: the thought-dropout SFT conversations and the R1-V GRPO rows (GeoQA, CLEVR counting) as `mm_math` rows.

TON (kokolerk/TON) trains in two stages on the same task:

- SFT rows (TON-Math-SFT / TON-AITZ-SFT, LLaMA-Factory "sharegpt": `conversations` from human/gpt and `images`)
  whose replies are `<think>reasoning</think><answer>…</answer>`, with half of the thoughts already replaced by an
  empty one, `<think>\\n\\n</think>` ("thought dropout", src/eval/aitz_evaluate/sft_grpo_data.py:38-43). `convert`
  keeps the reply as the SFT target (the recipe's `solution_as: verbatim`) and its `<answer>` as the gold; for
  replies that still all hold their thoughts, `thought_dropout` (`--thought-dropout 0.5`) empties each thought with
  that probability, drawn from `seed` and the row's index, so the same file gives the same rows;
- GRPO rows in R1-V's layout (leonardPKU/GEOQA_R1V_Train_8K, clevr_cogen_a_train: `image`, `problem`,
  `solution` = `<answer> 3 </answer>`, read by src/r1-v/src/open_r1/grpo.py:148-160).

A row with `conversations` is an SFT row, one with `problem` a GRPO row.

    python scripts/prepare_ton.py --out data/ton_math_sft.jsonl --source <TON-Math-SFT>.json --image-root <images>
    python scripts/prepare_ton.py --out data/ton_geoqa.jsonl --source leonardPKU/GEOQA_R1V_Train_8K
"""

import argparse
import random
import re
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

EMPTY_THOUGHT = "<think>\n\n</think>"  # sft_grpo_data.py:43
THOUGHT = re.compile(r"<think>.*?</think>", re.DOTALL)
ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def drop_thought(reply: str, p: float, seed: int, i: int) -> str:
    """The reply with its thought emptied with probability `p` (drawn from seed and row), else as it is."""
    if p <= 0 or random.Random(f"{seed}:{i}").random() >= p:
        return reply
    return THOUGHT.sub(lambda _: EMPTY_THOUGHT, reply, count=1)


def images_of(row: dict, i: int, image_root: str | None) -> list[str]:
    images = row.get("images") if row.get("images") is not None else row.get("image")
    images = [images] if isinstance(images, (str, dict)) or hasattr(images, "save") else list(images or [])
    if not images:
        raise ValueError(f"row {i}: no `image` or `images`")
    return [image_ref(im, image_root, f"row {i} image") for im in images]


def convert(rows: Iterable[dict], image_root: str | None = None, thought_dropout: float = 0.0,
            seed: int = 0) -> Iterator[dict]:
    """TON rows -> mm_math rows: SFT (question, solution = the reply, answer, images) or GRPO (question, answer, images)."""
    for i, row in enumerate(rows):
        if "conversations" in row:
            turns = row["conversations"] or []
            question = next((t.get("value") for t in turns if t.get("from") in ("human", "user")), None)
            reply = next((t.get("value") for t in reversed(turns) if t.get("from") in ("gpt", "assistant")), None)
            if not isinstance(question, str) or not isinstance(reply, str):
                raise TypeError(f"row {i}: `conversations` needs a human turn and a gpt reply")
            answer = ANSWER.findall(reply)
            if "<think>" not in reply or not answer:
                raise ValueError(f"row {i}: the reply is not <think>…</think><answer>…</answer>")
            yield {"question": question.strip(), "solution": drop_thought(reply.strip(), thought_dropout, seed, i),
                   "answer": answer[-1].strip(), "images": images_of(row, i, image_root)}
            continue
        problem, solution = row.get("problem"), row.get("solution")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"row {i}: neither `conversations` (SFT) nor a `problem` (GRPO)")
        answer = ANSWER.findall(solution or "")
        answer = answer[-1].strip() if answer else str(solution or "").strip()
        if not answer:
            raise ValueError(f"row {i}: `solution` is empty")
        yield {"question": problem.strip(), "answer": answer, "images": images_of(row, i, image_root)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/ton_math_sft.jsonl")
    parser.add_argument("--source", required=True, help="a local json/jsonl/parquet file or a hub dataset")
    parser.add_argument("--split", default="train")
    parser.add_argument("--image-root", help="the folder relative image paths are resolved against")
    parser.add_argument("--thought-dropout", type=float, default=0.0,
                        help="empty each SFT thought with this probability (TON: 0.5; the released SFT sets have it)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = read_rows(args.source, args.split)
    write_rows(convert(rows, args.image_root, args.thought_dropout, args.seed), args.out)


if __name__ == "__main__":
    main()
