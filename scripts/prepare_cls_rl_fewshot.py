"""CLS-RL's few-shot classification data: afdsafas/<dataset>-4shot-fewshot rows as `classification` rows.

CLS-RL (minglllli/CLS-RL) publishes each few-shot split on the hub with `image`, `problem` and
`solution` (fewshot.sh:22, src/cls-rl/src/open_r1/grpo.py:174-193). The problem is a question and the
row's shuffled label list, "What type of object is in the photo?\\nPlease choose one from list [ cat,
dog].", built by few-shot-data.ipynb (`choice_list`); the solution holds the class, "<answer> dog </answer>"
or the bare name. `convert` reads the label list back out of the problem (the `labels` column, in the
order shown) and the class out of the solution; the `classification` adapter's `prompt_template` rebuilds
the problem around the labels.

    python scripts/prepare_cls_rl_fewshot.py --out data/cls_rl_fewshot.jsonl [--source afdsafas/eurosat-4shot-fewshot]
"""

import re
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import prepare_main  # scripts/prepare_common.py

CHOICES = re.compile(r"Please choose one from list \[(.*)\]\.\s*$", re.DOTALL)
ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """CLS-RL rows (image, problem, solution) -> classification rows (image, label, labels, problem)."""
    for i, row in enumerate(rows):
        problem, solution = row.get("problem"), row.get("solution")
        found = CHOICES.search(problem or "") if isinstance(problem, str) else None
        if found is None:
            raise ValueError(f"row {i}: `problem` {problem!r} does not end with 'Please choose one from list [ ... ].'")
        labels = [x.strip() for x in found.group(1).split(",") if x.strip()]
        if not isinstance(solution, str):
            raise TypeError(f"row {i}: `solution` {solution!r} is not a text")
        tagged = ANSWER.search(solution)
        label = (tagged.group(1) if tagged else solution).strip()
        if label not in labels:
            raise ValueError(f"row {i}: the class {label!r} is not in the problem's list {labels}")
        yield {"image": image_ref(row.get("image"), image_root, f"row {i} image"), "label": label, "labels": labels,
               "problem": problem}


def main(argv=None):
    prepare_main(convert, __doc__, "data/cls_rl_fewshot.jsonl",
                 source_help="hub id (afdsafas/<imagenet|caltech|dtd|eurosat|food|flowers|pets|cars|sun|ucf|fgvc>-4shot-"
                 "fewshot) or a local jsonl/json/parquet file",
                 source_default="afdsafas/eurosat-4shot-fewshot",
                 image_root_help="the folder relative image paths are resolved against", argv=argv)


if __name__ == "__main__":
    main()
