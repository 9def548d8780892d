"""scripts/prepare_vqa_verify.py: SATORI-R1's VQA-Verify rows become grounded_vqa rows."""

import json

import pytest
import yaml

from r1kit.data.boxes import GroundedVQA, smart_resize
from r1kit.rewards.grounded_vqa import answer_in_set, caption_bbox_answer_format, caption_overlap, region_union_iou
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_vqa_verify.py")
FIXTURE = FIXTURES / "vqa_verify.jsonl"
IMAGES = FIXTURES / "images" / "vqa_verify"
PROMPT = (REPO / "recipes" / "satori_r1.yaml")


def test_rows_keep_question_answers_caption_boxes_and_image():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert [r["question"] for r in rows] == [r["messages"][0]["content"].removeprefix("<image>") for r in raw]
    assert [r["answers"] for r in rows] == [r["possible_answers"] for r in raw]
    assert [r["boxes"] for r in rows] == [r["bboxs"] for r in raw]
    assert rows[0]["caption"] == raw[0]["image_caption"]
    assert rows[0]["image"] == str(IMAGES / raw[0]["images"][0])
    assert next(prepare.convert(raw))["image"] == raw[0]["images"][0]  # no root: the published relative name


def test_recipe_prompt_and_rewards_are_satori_s():
    """The system turn is prompt.txt; a reply that writes the gold caption, boxes (in the model's pixels) and
    answer scores 1 on every reward."""
    recipe = yaml.safe_load(PROMPT.read_text(encoding="utf-8"))
    adapter = GroundedVQA(**recipe["datasets"]["vqa_verify"]["options"])
    raw = read_jsonl(FIXTURE)[0]
    example = adapter.example(next(prepare.convert([raw], image_root=str(IMAGES))))
    system, user = example["prompt"]
    assert system["content"][0]["text"].startswith("Given an image and a question, follow these steps:")
    assert user["content"] == [{"type": "image"}, {"type": "text", "text": "How many dogs are lying on the grass?"}]
    w, h = example["images"][0].size
    rh, rw = smart_resize(h, w, 28, 3136, 401408)
    assert example["boxes"][0] == [round(v * s, 2) for v, s in zip(raw["bboxs"][0], (rw / w, rh / h) * 2)]
    reply = (f"<caption>{raw['image_caption']}</caption>\n<bbox>{json.dumps(example['boxes'])}</bbox>\n"
             "<answer>two</answer>")
    columns = {"answer": [example["answer"]], "caption": [example["caption"]], "boxes": [example["boxes"]]}
    for reward in (caption_bbox_answer_format, region_union_iou, answer_in_set, caption_overlap):
        assert reward([reply], **columns) == [pytest.approx(1.0, abs=1e-4)], reward.__name__


@pytest.mark.parametrize("change, message", [
    ({"possible_answers": []}, "`possible_answers` must be a non-empty list"),
    ({"image_caption": " "}, "`image_caption` is empty"),
    ({"bboxs": [[10, 10, 5, 20]]}, r"row 0: `bboxs` has \[10, 10, 5, 20\]"),
    ({"bboxs": [[10, 10, 500, 20]]}, "outside the 160x120 image"),
    ({"messages": [{"role": "user", "content": "<image>"}]}, "no question"),
    ({"images": ["a.jpg", "b.jpg"]}, "has 2"),
])
def test_bad_rows_are_named(change, message):
    row = {**read_jsonl(FIXTURE)[0], **change}
    with pytest.raises(ValueError, match=message):
        list(prepare.convert([row]))
