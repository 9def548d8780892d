"""Patho-R1's SFT and RL data: pathology image questions as `mm_math` rows (option letter or short answer).

Patho-R1 (Wenchuan-Zhang/Patho-R1, arXiv 2505.11404) has not released its data ("Release detailed dataset
construction pipeline" is open in README.md's TODOs), so this script reads the layouts of the frameworks the
authors name (README.md "Acknowledgements"), one row per question with one or more images:

- SFT (500k chain-of-thought samples, LLaMA-Factory "sharegpt" layout):
  `{"messages": [{"role": "user", "content": "<image>What feature ...? /n A. ... /n D. ..."},
                 {"role": "assistant", "content": "<think>...</think><answer>D. Plasma cells ...</answer>"}],
    "images": ["pathmmu/img_00017.jpg"]}` (`conversations` with `from`/`value` is read the same);
- RL (~10k diagnostic multiple-choice questions, verl/EasyR1 layout):
  `{"problem": "<image>Which ...? /n A. ... /n D. ...", "answer": "D", "images": ["..."]}`.

Options are separated by " /n " as in README.md's example question (its PathMMU sample). A multiple-choice
answer becomes its letter ("D. Plasma cells" -> "D", which the `choice` reward reads); any other answer (open
VQA) is kept as its text. SFT rows keep the assistant's reply as `solution` (the recipe's `solution_as: verbatim`
trains on it as written).

    python scripts/prepare_patho_r1.py --out data/patho_r1_sft.jsonl --source <sft>.json --image-root <images>
    python scripts/prepare_patho_r1.py --out data/patho_r1_mcq.jsonl --source <rl>.parquet --image-root <images>
"""

import re
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py

ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
OPTION = re.compile(r"(?:^|/n|\n)\s*([A-J])[.):]\s")
LETTER = re.compile(r"\s*\(?([A-J])\)?(?:[.):]\s.*|[.)]?)\s*", re.DOTALL)


def gold(answer: str, question: str, where: str) -> str:
    """The option letter when the question lists options (it must be one of them), else the answer text."""
    letters = OPTION.findall(question)
    if not letters:
        return answer.strip()
    found = LETTER.fullmatch(answer)
    if found is None or found.group(1) not in letters:
        raise ValueError(f"{where}: the answer {answer!r} names none of the question's options {letters}")
    return found.group(1)


def _turns(row: dict, where: str) -> tuple[str, str]:
    turns = row.get("messages") or row.get("conversations")
    if not isinstance(turns, list) or len(turns) < 2:
        raise ValueError(f"{where}: `messages` needs the user's question and the assistant's reply")
    text = [t.get("content", t.get("value")) for t in turns[:2]]
    if not all(isinstance(t, str) and t.strip() for t in text):
        raise ValueError(f"{where}: the question or the reply is empty")
    return text[0], text[1]


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """Patho-R1 rows (SFT `messages` or RL `problem`/`answer`, with `images`) -> mm_math rows."""
    for i, row in enumerate(rows):
        where = f"row {i}"
        if "problem" in row:
            question, answer, solution = row["problem"], row.get("answer"), None
            if not isinstance(answer, str) or not answer.strip():
                raise ValueError(f"{where}: an RL row needs a non-empty `answer`")
        else:
            question, solution = _turns(row, where)
            tagged = ANSWER.findall(solution)
            if "<think>" not in solution or not tagged:
                raise ValueError(f"{where}: the reply is not '<think>...</think><answer>...</answer>'")
            answer = tagged[-1]
        images = row.get("images") if row.get("images") is not None else row.get("image")
        images = images if isinstance(images, list) else [images]
        out = {"question": question.strip(), "answer": gold(answer, question, where),
               "images": [image_ref(im, image_root, f"{where} image") for im in images]}
        if solution is not None:
            out["solution"] = solution.strip()
        yield out


def main(argv=None):
    prepare_main(convert, __doc__, "data/patho_r1_mcq.jsonl",
                 "a Patho-R1-layout json/jsonl/parquet file (SFT `messages` or RL `problem`/`answer` rows)",
                 image_root_help="the folder the rows' image names are relative to", argv=argv)


if __name__ == "__main__":
    main()
