"""scripts/prepare_virft_lisa.py: Visual-RFT's lisa_train_sft.json rows become grounding rows."""

import pytest
import yaml

from r1kit.data.boxes import Grounding
from r1kit.rewards.grounding import giou
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_virft_lisa.py")
FIXTURE = FIXTURES / "virft_lisa.jsonl"
IMAGES = FIXTURES / "images" / "virft_lisa"


def test_rows_keep_instruction_image_and_box():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert len(rows) == len(raw)
    assert rows[0]["image"] == str(IMAGES / "train" / "1000_0.jpg")
    assert rows[0]["query"] == ("Output the bounding box in the image corresponding to the instruction: What could "
                                "be used to sit on while reading in this room?")
    assert rows[0]["bbox"] == [125.0, 250.0, 562.0, 833.0]


@pytest.mark.parametrize("value, answer, message", [
    ("Output the box: a chair", "(1,2),(3,4)", "no <img>path</img>"),
    ("<img>a.jpg</img> the chair", "[1, 2, 3, 4]", r"is not \(x1,y1\),\(x2,y2\)"),
])
def test_bad_rows_are_named(value, answer, message):
    row = {"id": "lisa_9", "conversations": [{"from": "user", "value": value}, {"from": "assistant", "value": answer}]}
    with pytest.raises(ValueError, match=message):
        list(prepare.convert([row]))


def test_recipe_prompt_and_reward_are_visual_rft_s():
    """grpo_lisa.py's question template around the row's text; the gold box scores GIoU + 1 = 2."""
    recipe = yaml.safe_load((REPO / "recipes" / "visual_rft_lisa.yaml").read_text(encoding="utf-8"))
    adapter = Grounding(**recipe["datasets"]["lisa"]["options"])
    row = next(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
    example = adapter.example(row)
    (user,) = example["prompt"]
    assert user["content"][1]["text"] == (
        f"{row['query']} Output the thinking process in <think> </think> and your grouding box. Following "
        '"<think> thinking process </think>\n<answer>(x1,y1),(x2,y2)</answer>)" format.')
    assert example["answer"] == pytest.approx(row["bbox"], abs=0.01)
    done = "<think>the armchair</think><answer>(125,250),(562,833)</answer>"
    assert giou([done], answer=[example["answer"]]) == [pytest.approx(2.0, abs=1e-3)]
