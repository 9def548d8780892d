"""SophiaVL-R1-130k rows as `mm_math` rows: SophiaVL-R1's question prompt, the gold answer and a `domain` per type.

bunny127/SophiaVL-R1-130k holds JSON files (json/math.json, chart.json, ocr.json, knowledge.json, ...), one
object a row: `problem_id`, `problem`, `data_type` (image or text), `problem_type` (multiple choice,
numerical, OCR, free-form, text), `options`, `solution` ("<answer>...</answer>"), `path` (the image,
relative to the dataset folder) and `data_source` (kxfan2002/SophiaVL-R1@a818494 verl/data/demo.json,
verl/data/dataset_info.json). `convert` builds the question as SophiaVL-R1's dataset does
(verl/utils/dataset.py:169-175): the options of a multiple-choice row appended with "; ", then
QUESTION_TEMPLATE and the type's answer instruction; the gold answer is the `solution` without its
`<answer>` tags and `$` signs (custom.py:281-285). The problem type becomes the row's `domain`
(numerical, multiple_choice, ocr, free_form, text), which the recipe's outcome rewards route on. A
text-only row keeps no image (SophiaVL-R1 feeds a blank 512x512 image it then masks out).

    python scripts/prepare_sophiavl_r1.py --source <SophiaVL-R1-130k>/json/math.json --image-root <SophiaVL-R1-130k> \\
        --out data/sophiavl_r1.jsonl      # one file per category; concatenate them for the full 130k
"""

import re
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py

# verl/utils/dataset.py:38-52, as written there (including its missing full stop after "expressions").
TYPE_TEMPLATE = {
    "multiple choice": " Please provide only the single option letter (e.g., A, B, C, D, etc.) within the <answer> </answer> tags.",
    "numerical": " Please provide the numerical value (e.g., 42 or 3.14) within the <answer> </answer> tags.",
    "OCR": " Please transcribe text from the image/video clearly and provide your text answer within the <answer> </answer> tags.",
    "free-form": " Please provide your text answer within the <answer> </answer> tags.",
    "text": " Please provide the short text answer within the <answer> </answer> tags.",
}
QUESTION_TEMPLATE = (
    "{Question}\n"
    "Please think about this question as if you were a human pondering deeply. "
    "Engage in an internal dialogue using expressions such as 'let me think', 'wait', 'Hmm', 'oh, I see', "
    "'let's break it down', etc, or other natural language thought expressions "
    "It's encouraged to include self-reflection or verification in the reasoning process. "
    "Provide your detailed reasoning between the <think> </think> tags, and then give your final answer between "
    "the <answer> </answer> tags."
)
DOMAINS = {"multiple choice": "multiple_choice", "numerical": "numerical", "OCR": "ocr", "free-form": "free_form",
           "text": "text"}
ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def question(problem: str, problem_type: str, options) -> str:
    """The user turn's text as SophiaVL-R1 builds it (the image placed first, as its `<image>` prefix does)."""
    if problem_type == "multiple choice":
        problem = problem + "; ".join(map(str, options or []))
    return QUESTION_TEMPLATE.format(Question=problem) + TYPE_TEMPLATE[problem_type]


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """SophiaVL-R1-130k rows (problem, problem_type, options, solution, path, data_type) -> mm_math rows."""
    for i, row in enumerate(rows):
        problem, kind, solution = row.get("problem"), row.get("problem_type"), row.get("solution")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"row {i}: `problem` is empty")
        if kind not in TYPE_TEMPLATE:
            raise ValueError(f"row {i}: problem_type {kind!r} is not one of {', '.join(map(repr, TYPE_TEMPLATE))}")
        if not isinstance(solution, str) or not solution.strip():
            raise ValueError(f"row {i}: `solution` is empty")
        match = ANSWER.search(solution)
        answer = (match.group(1) if match else solution).replace("$$", "").replace("$", "").strip()
        if not answer:
            raise ValueError(f"row {i}: `solution` {solution!r} holds no answer")
        out = {"question": question(problem.strip(), kind, row.get("options")), "answer": answer,
               "domain": DOMAINS[kind], "problem_type": kind}
        if row.get("data_type", "image") == "image":
            out["images"] = [image_ref(row.get("path"), image_root, f"row {i} path")]
        yield out


def main(argv=None):
    prepare_main(convert, __doc__, "data/sophiavl_r1.jsonl",
                 source_help="one of the dataset's JSON files (json/<category>.json) or the hub dataset",
                 image_root_help="the folder the rows' `path` is relative to (the dataset's root)", argv=argv)


if __name__ == "__main__":
    main()
