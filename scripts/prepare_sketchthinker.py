"""SketchThinker-R1's data: the sketch-mode cold start, the SketchJudge pairs and the RL problems.

SketchThinker-R1 (arXiv 2601.02825) trains in three steps, each on its own file:

- SketchColdStart-20K: 10K LLaVA-CoT-100K and 10K Vision-R1-cold samples whose long reasoning GPT-5 rewrote as a
  numbered sketch; the cold start ran in LLaMA-Factory, so the rows are read in its multimodal "sharegpt" layout
  (`messages` with a user turn whose `<image>` markers place the `images`, and the assistant's reply);
- the SketchJudge set: each cold-start sample's long thinking (label 0) and its sketch (label 1), 40K texts. A row
  here holds one sample's two versions, `long_thinking` and `sketch_thinking`; `convert` writes it as a preference
  pair (the sketch chosen) behind SKETCHJUDGE_PROMPT, the fixed user turn that the recipe's `reward_model` reward
  (`judge_prompt`) scores the policy's thinking after;
- SketchRL-1K: 1K problems from MMStar, MathVista, LogicVista and SeePhys, trained with EasyR1, so in EasyR1's
  layout (`problem` with an `<image>` marker, `answer`, `images`).

A row with `messages` is a cold-start row, one with `long_thinking` a judge pair, one with `problem` an RL row. The
authors' repository could not be read here, so these layouts are the tools' (LLaMA-Factory, EasyR1), not checked
against released files; the judge's own prompt is not published (SKETCHJUDGE_PROMPT is r1kit's).

    python scripts/prepare_sketchthinker.py --out data/sketchthinker_cold_start.jsonl --source <SketchColdStart-20K json> --image-root <its images>
    python scripts/prepare_sketchthinker.py --out data/sketchthinker_judge.jsonl --source <long/sketch pairs jsonl>
    python scripts/prepare_sketchthinker.py --out data/sketchthinker_rl.jsonl --source <SketchRL-1K json> --image-root <its images>
"""

import re
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py

ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
SKETCHJUDGE_PROMPT = ("Judge the style of the following thinking process: sketch-style (only the key steps, concise "
                      "and numbered) or verbose.")


def _images(row: dict, i: int, image_root: str | None) -> list[str]:
    images = row.get("images") if row.get("images") is not None else row.get("image")
    images = [images] if isinstance(images, (str, dict)) or hasattr(images, "save") else list(images or [])
    if not images:
        raise ValueError(f"row {i}: no `images`")
    return [image_ref(im, image_root, f"row {i} image") for im in images]


def _text(row: dict, key: str, i: int) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"row {i}: `{key}` must be a non-empty text, got {value!r:.60}")
    return value.strip()


def _cold_start(row: dict, i: int, image_root: str | None) -> dict:
    messages = row["messages"]
    question = next((m.get("content") for m in messages if m.get("role") == "user"), None)
    reply = next((m.get("content") for m in reversed(messages) if m.get("role") == "assistant"), None)
    if not isinstance(question, str) or not isinstance(reply, str):
        raise TypeError(f"row {i}: `messages` needs a user turn and an assistant reply")
    answers = ANSWER.findall(reply)
    if "</think>" not in reply or not answers:
        raise ValueError(f"row {i}: the reply is not <think>sketch</think><answer>...</answer>: {reply[:80]!r}")
    return {"question": question.strip(), "solution": reply.strip(), "answer": answers[-1].strip(),
            "images": _images(row, i, image_root)}


def _judge_pair(row: dict, i: int) -> dict:
    long, sketch = _text(row, "long_thinking", i), _text(row, "sketch_thinking", i)
    if long == sketch:
        raise ValueError(f"row {i}: the long and the sketch thinking are the same text")
    return {"prompt": SKETCHJUDGE_PROMPT, "chosen": sketch, "rejected": long}


def _rl(row: dict, i: int, image_root: str | None) -> dict:
    answer = row.get("answer")
    if answer is None or not str(answer).strip():
        raise ValueError(f"row {i}: no `answer`")
    return {"question": _text(row, "problem", i), "answer": str(answer).strip(), "images": _images(row, i, image_root)}


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """SketchThinker-R1 rows -> mm_math rows (cold start: question, solution, answer, images; RL: question, answer,
    images) or preference_pairs rows (prompt, chosen = the sketch, rejected = the long thinking)."""
    for i, row in enumerate(rows):
        if "messages" in row:
            yield _cold_start(row, i, image_root)
        elif "long_thinking" in row or "sketch_thinking" in row:
            yield _judge_pair(row, i)
        elif "problem" in row:
            yield _rl(row, i, image_root)
        else:
            raise ValueError(f"row {i}: neither a cold-start row (`messages`, `images`), a judge pair "
                             f"(`long_thinking`, `sketch_thinking`) nor an RL row (`problem`, `answer`, `images`); "
                             f"columns: {sorted(row)}")


def main(argv=None):
    prepare_main(convert, __doc__, "data/sketchthinker_rl.jsonl",
                 "a local json/jsonl/parquet file of SketchThinker-R1's data, or a hub id",
                 image_root_help="the folder the rows' image names are relative to", argv=argv)


if __name__ == "__main__":
    main()
