"""scripts/prepare_vlm_r1_rec.py: VLM-R1's RefCOCO/+/g rows become grounding rows."""

import json

import pytest
import yaml

from r1kit.data.boxes import Grounding, smart_resize
from r1kit.rewards.format import think_format
from r1kit.rewards.grounding import iou
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_vlm_r1_rec.py")
FIXTURE = FIXTURES / "vlm_r1_rec.jsonl"
IMAGES = FIXTURES / "images" / "vlm_r1_rec"


def test_rows_keep_question_box_and_image():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert len(rows) == len(raw)
    for src, row in zip(raw, rows):
        assert row["image"] == str(IMAGES / src["image"])
        assert row["query"] == src["conversations"][0]["value"].removeprefix("<image>")
        assert row["bbox"] == json.loads(src["conversations"][1]["value"])
        assert row["id"] == src["id"]
    assert next(prepare.convert(raw))["image"] == raw[0]["image"]  # no root: the published relative name


def test_json_schema_and_answer_tags():
    """rec_jsons_processed's .json rows (problem, solution) read the same; an <answer>-wrapped box too."""
    row = {"image": "train2014/x.jpg", "problem": "Please provide ...: a cat.", "solution": [1, 2, 30.5, 40],
           "normal_caption": "a cat"}
    assert next(prepare.convert([row]))["bbox"] == [1.0, 2.0, 30.5, 40.0]
    tagged = {"image": "x.jpg", "conversations": [{"from": "human", "value": "<image>q"},
                                                  {"from": "gpt", "value": "<answer>[1, 2, 3, 4]</answer>"}]}
    assert next(prepare.convert([tagged]))["bbox"] == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("bad, message", [
    ({"image": "x.jpg", "conversations": [{"from": "human", "value": "<image>q"},
                                          {"from": "gpt", "value": "the cat"}]}, "not a JSON list"),
    ({"image": "x.jpg", "problem": "q", "solution": [1, 2, 3]}, "is not a box"),
    ({"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "[1, 2, 3, 4]"}]}, "no `image`"),
    ({"id": 7, "image": "x.jpg"}, r"row 0 \(id 7\): neither"),
])
def test_bad_rows_are_named(bad, message):
    with pytest.raises(ValueError, match=message):
        list(prepare.convert([bad]))


def test_recipe_prompt_and_rewards_are_vlm_r1_s():
    """The recipe's adapter writes qwen_module's REC prompt, one user turn, and rescales the box into Qwen's input."""
    recipe = yaml.safe_load((REPO / "recipes" / "vlm_r1_rec.yaml").read_text(encoding="utf-8"))
    adapter = Grounding(**recipe["datasets"]["rec"]["options"])
    raw = read_jsonl(FIXTURE)[0]
    example = adapter.example(next(prepare.convert([raw], image_root=str(IMAGES))))
    (user,) = example["prompt"]
    question = raw["conversations"][0]["value"].removeprefix("<image>")
    assert user["content"][0]["type"] == "image"
    assert user["content"][1]["text"] == (
        f"{question} First output the thinking process in <think> </think> tags and then output the final answer "
        "in <answer> </answer> tags. Output the final answer in JSON format.")
    w, h = example["images"][0].size
    rh, rw = smart_resize(h, w, 28, 3136, 12845056)
    x1, y1, x2, y2 = json.loads(raw["conversations"][1]["value"])
    assert example["answer"] == [round(x1 * rw / w, 2), round(y1 * rh / h, 2), round(x2 * rw / w, 2),
                                 round(y2 * rh / h, 2)]
    box = [round(v) for v in example["answer"]]
    done = f'<think>the lady</think><answer>{{"bbox_2d": {box}, "label": "lady"}}</answer>'
    assert think_format([done]) == [1.0]
    assert iou([done], answer=[example["answer"]])[0] > 0.9
