"""scripts/prepare_med_r1_omnimedvqa.py: Med-R1's OmniMedVQA split rows become mm_math rows with the option letter."""

import pytest
import yaml

from r1kit.data.visual import MMMath
from r1kit.rewards.match import exact_match
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_med_r1_omnimedvqa.py")
FIXTURE = FIXTURES / "med_r1_omnimedvqa.jsonl"
IMAGES = FIXTURES / "images" / "med_r1_omnimedvqa"
TEMPLATE = ("{Question} Your task: 1. Think through the question step by step, enclose your reasoning process in "
            "<think>...</think> tags. 2. Then provide the correct single-letter choice (A, B, C, D,...) inside "
            "<answer>...</answer> tags. 3. No extra information or text outside of these tags.")


def test_letter_from_solution_and_image_joined():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert [r["answer"] for r in rows] == ["C", "B", "C", "A", "B"]
    assert [r["question"] for r in rows] == [r["problem"] for r in raw]
    assert rows[0]["image"] == str(IMAGES / raw[0]["image"])  # spaces and parentheses in the name kept


def test_recipe_prompt_is_med_r1_s():
    """recipes/med_r1.yaml's adapter writes grpo_vqa.py's prompt: the image, then QUESTION_TEMPLATE."""
    recipe = yaml.safe_load((REPO / "recipes" / "med_r1.yaml").read_text(encoding="utf-8"))
    adapter = MMMath(**recipe["datasets"]["omnimedvqa"]["options"])
    for raw, row in zip(read_jsonl(FIXTURE), prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES))):
        example = adapter.example(row)
        assert example["prompt"] == [{"role": "user", "content": [
            {"type": "image"}, {"type": "text", "text": TEMPLATE.format(Question=raw["problem"])}]}]
        right, wrong = f"<think>x</think><answer> {row['answer']} </answer>", "<think>x</think><answer>Z</answer>"
        assert exact_match([right, wrong], answer=[example["answer"]] * 2) == [1.0, 0.0]


def test_bad_rows_are_refused():
    row = read_jsonl(FIXTURE)[0]
    with pytest.raises(ValueError, match=r"row 0: `solution` 'C' is not '<answer> X </answer>'"):
        list(prepare.convert([{**row, "solution": "C"}]))
    with pytest.raises(ValueError, match=r"row 0: the answer E is not one of the problem's options"):
        list(prepare.convert([{**row, "solution": "<answer> E </answer>"}]))
