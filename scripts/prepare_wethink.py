"""WeThink's 120K multimodal QA pairs as `mm_math` rows, each routed to the rule or the judge reward by `domain`.

WeThink_Multimodal_Reasoning_120K (yangjie-cv/WeThink README.md:48-62) holds one JSON object a row:
`problem`, `answer`, `category` (question type), `abilities`, `refined_cot` (the reasoning path),
`image_path` (relative to the images of Xkev/LLaVA-CoT-100k) and `reward`, the row's reward method:
WeThink's hybrid reward checks verifiable answers by rule and open-ended ones with a model. `convert`
keeps the question and the answer, the reasoning path as `solution` (an SFT target, if a recipe
trains on it) and writes the reward method as the row's `domain` (`rule` or `judge`), which the
recipe's reward entries route on (`domains:`). A reward method that names neither a rule nor a model
is refused, naming the value, rather than silently scored by neither.

    python scripts/prepare_wethink.py --out data/wethink.jsonl --image-root <LLaVA-CoT-100k images> \
        --source yangjie-cv/WeThink_Multimodal_Reasoning_120K
"""

import re
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py

JUDGED = re.compile(r"model|judge|llm|gpt|open", re.IGNORECASE)
RULED = re.compile(r"rule|math|choice|mcq|exact|verif|number|numeric", re.IGNORECASE)


def route(method, i: int) -> str:
    """`judge` for a model-assessed row, `rule` for a rule-verified one; ValueError for anything else."""
    text = str(method or "")
    if JUDGED.search(text):
        return "judge"
    if RULED.search(text):
        return "rule"
    raise ValueError(f"row {i}: reward method {method!r} names neither a rule nor a model; map it in "
                     "scripts/prepare_wethink.py (route)")


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """WeThink rows (problem, answer, refined_cot, image_path, reward) -> mm_math rows with a `domain`."""
    for i, row in enumerate(rows):
        problem, answer = row.get("problem"), row.get("answer")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"row {i}: `problem` is empty")
        if answer is None or not str(answer).strip():
            raise ValueError(f"row {i}: `answer` is empty")
        out = {"question": problem.strip(), "answer": str(answer).strip(),
               "images": [image_ref(row.get("image_path"), image_root, f"row {i} image_path")],
               "domain": route(row.get("reward"), i)}
        if isinstance(row.get("refined_cot"), str) and row["refined_cot"].strip():
            out["solution"] = row["refined_cot"].strip()
        yield out


def main(argv=None):
    prepare_main(convert, __doc__, "data/wethink.jsonl",
                 source_help="the hub dataset or a local copy of its jsonl",
                 source_default="yangjie-cv/WeThink_Multimodal_Reasoning_120K",
                 image_root_help="the folder image_path is relative to (LLaVA-CoT-100k's image.zip)", argv=argv)


if __name__ == "__main__":
    main()
