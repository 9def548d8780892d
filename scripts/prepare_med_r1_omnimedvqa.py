"""Med-R1's training data: OmniMedVQA split files (image, problem, solution) as `mm_math` rows with a letter answer.

Med-R1 (Yuxiang-Lai117/Med-R1) trains one model per imaging modality (Splits/modality/train/*.json) or per
question type (Splits/question_type/train/*.json); each row names an OmniMedVQA image (relative to the
dataset's folder, e.g. "Images/Chest CT Scan/test/.../000139 (9).png"), a multiple-choice `problem` ("What
imaging technique ...? A)Mammogram, B)PET, C)CT, D)Fluoroscopy") and the `solution` "<answer> C </answer>"
(README.md "Data Format"). `convert` keeps the problem as the question and the letter as the answer; the
recipe's `prompt_template` adds Med-R1's instruction. Med-R1 resized every image to 384x384 beforehand
(README.md); do the same to the files under --image-root (r1kit does not resize them here).

    python scripts/prepare_med_r1_omnimedvqa.py --out data/med_r1_omnimedvqa.jsonl --image-root <OmniMedVQA> \
        --source "<Med-R1>/Splits/modality/train/CT(Computed Tomography)_train.json"
"""

import argparse
import re
from collections.abc import Iterable, Iterator

from image_refs import image_ref  # scripts/image_refs.py
from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

ANSWER = re.compile(r"<answer>\s*([A-Z])\s*</answer>")


def convert(rows: Iterable[dict], image_root: str | None = None) -> Iterator[dict]:
    """Med-R1 rows (image, problem, solution) -> mm_math rows (question, answer: the option letter, image)."""
    for i, row in enumerate(rows):
        problem, solution = row.get("problem"), row.get("solution")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"row {i}: `problem` is empty")
        found = ANSWER.fullmatch(solution.strip()) if isinstance(solution, str) else None
        if found is None:
            raise ValueError(f"row {i}: `solution` {solution!r} is not '<answer> X </answer>' with one option letter")
        letter = found.group(1)
        if f"{letter})" not in problem:
            raise ValueError(f"row {i}: the answer {letter} is not one of the problem's options ({problem!r})")
        yield {"question": problem.strip(), "answer": letter, "image": image_ref(row.get("image"), image_root,
                                                                                f"row {i} image")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/med_r1_omnimedvqa.jsonl")
    parser.add_argument("--source", required=True, help="a Med-R1 split file (Splits/<modality|question_type>/train/*.json)")
    parser.add_argument("--image-root", help="the OmniMedVQA folder the image names are relative to")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source), args.image_root), args.out)


if __name__ == "__main__":
    main()
