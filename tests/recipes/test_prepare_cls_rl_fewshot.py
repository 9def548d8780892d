"""scripts/prepare_cls_rl_fewshot.py: CLS-RL's few-shot rows become classification rows with the problem's label list."""

import pytest
import yaml

from r1kit.data.visual import Classification
from r1kit.rewards.classification import class_match
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_cls_rl_fewshot.py")
FIXTURE = FIXTURES / "cls_rl_fewshot.jsonl"
IMAGES = FIXTURES / "images" / "cls_rl_fewshot"
THINK = "\n Please output the thinking process in <think> </think> and final answer in <answer> </answer> tags."
DIRECT = "\n Please directly output the answer."


def test_class_from_solution_and_labels_from_the_problem():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert [r["label"] for r in rows] == [r["solution"].removeprefix("<answer> ").removesuffix(" </answer>") for r in raw]
    assert all(len(r["labels"]) == 10 and r["label"] in r["labels"] for r in rows)
    assert rows[0]["labels"][:2] == ["River", "Residential Buildings"]  # the order the problem shows
    assert rows[0]["image"] == str(IMAGES / raw[0]["image"]["path"])


@pytest.mark.parametrize(("recipe", "suffix"), [("cls_rl", THINK), ("cls_rl_no_thinking", DIRECT)])
def test_recipe_prompt_is_cls_rl_s(recipe, suffix):
    """The recipe's template rebuilds CLS-RL's prompt: the hub problem, then QUESTION_TEMPLATE's instruction."""
    options = yaml.safe_load((REPO / "recipes" / f"{recipe}.yaml").read_text(encoding="utf-8"))["datasets"]["fewshot"]
    adapter = Classification(**options["options"])
    for row in prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)):
        example = adapter.example(row)
        assert example["prompt"] == [{"role": "user", "content": [
            {"type": "image"}, {"type": "text", "text": row["problem"] + suffix}]}]
        assert class_match([f"<think>x</think><answer>{row['label']}</answer>", row["label"], "Forest or River"],
                           answer=[example["answer"]] * 3, labels=[example["labels"]] * 3)[:2] == [1.0, 1.0]


def test_a_class_outside_the_list_is_refused():
    row = read_jsonl(FIXTURE)[0]
    with pytest.raises(ValueError, match=r"row 0: the class 'Glacier' is not in the problem's list"):
        list(prepare.convert([{**row, "solution": "<answer> Glacier </answer>"}]))
    with pytest.raises(ValueError, match=r"row 0: `problem` .* does not end with"):
        list(prepare.convert([{**row, "problem": "What is it?"}]))
