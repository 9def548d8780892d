"""scripts/prepare_virft_cls.py: Visual-RFT's few-shot classification rows become classification rows."""

import pytest
import yaml

from r1kit.data.visual import Classification
from r1kit.rewards.classification import class_match
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_virft_cls.py")
FIXTURE = FIXTURES / "virft_cls_fgvc_aircraft_4_shot.jsonl"
IMAGES = FIXTURES / "images" / "virft_cls_fgvc_aircraft_4_shot"


def test_rows_keep_problem_label_and_every_class_of_the_file():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert [row["label"] for row in rows] == ["737-300", "A320", "737-300", "DHC-8-100", "A320"]
    assert all(row["labels"] == ["737-300", "A320", "DHC-8-100"] for row in rows)
    assert rows[0]["question"] == raw[0]["problem"] and rows[0]["image"] == str(IMAGES / "0.jpg")


@pytest.mark.parametrize("bad, message", [
    ({"image": "0.jpg", "problem": "Which aircraft?", "solution": "<answer> </answer>"}, "names no class"),
    ({"image": "0.jpg", "problem": "", "solution": "<answer>A320</answer>"}, "no `problem`"),
    ({"image": None, "problem": "Which?", "solution": "<answer>A320</answer>"}, "not a file path"),
])
def test_bad_rows_are_named(bad, message):
    with pytest.raises(ValueError, match=message):
        list(prepare.convert([bad]))


def test_recipe_prompt_and_reward_are_visual_rft_s():
    """The problem is shown as it is; the reward is Visual-RFT's containment match without a label set."""
    recipe = yaml.safe_load((REPO / "recipes" / "visual_rft_cls.yaml").read_text(encoding="utf-8"))
    adapter = Classification(**recipe["datasets"]["aircraft"]["options"])
    (reward,) = [r for r in recipe["stages"]["grpo"]["rewards"] if r["name"] == "class_match"]
    options = {k: v for k, v in reward.items() if k not in ("name", "weight")}
    raw = read_jsonl(FIXTURE)
    example = adapter.example(next(prepare.convert(raw, image_root=str(IMAGES))))
    (user,) = example["prompt"]
    assert [p["type"] for p in user["content"]] == ["image", "text"] and user["content"][1]["text"] == raw[0]["problem"]
    completions = ["<think>a twin jet</think><answer>Boeing 737-300</answer>", "<think>x</think><answer>A320</answer>"]
    assert class_match(completions, answer=["737-300"] * 2, labels=[example["labels"]] * 2, **options) == [1.0, 0.0]
