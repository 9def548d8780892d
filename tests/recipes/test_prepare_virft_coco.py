"""scripts/prepare_virft_coco.py: Visual-RFT's COCO detection rows (image, problem, solution) become detection rows."""

import json

import pytest
import yaml
from PIL import Image

from r1kit.data.boxes import Detection
from r1kit.rewards.format import think_format
from r1kit.rewards.grounding import detection
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_virft_coco.py")
FIXTURE = FIXTURES / "virft_coco_base65.jsonl"
IMAGES = FIXTURES / "images" / "virft_coco_base65"


def test_rows_keep_problem_and_label_boxes_with_its_category():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert len(rows) == len(raw)
    assert rows[0]["question"] == raw[0]["problem"]
    assert rows[0]["image"] == str(IMAGES / raw[0]["image"])
    assert rows[0]["objects"] == [{"bbox_2d": [100.0, 200.0, 500.0, 800.0], "label": "dog"},
                                  {"bbox_2d": [600.0, 300.0, 900.0, 900.0], "label": "dog"}]
    assert [row["objects"] for row in rows if "'umbrella'" in row["question"]] == [[]]  # No Objects


@pytest.mark.parametrize("bad, message", [
    ({"image": "0.jpg", "problem": "Detect the dogs.", "solution": "<answer>No Objects</answer>"}, "names no category"),
    ({"image": "0.jpg", "problem": "category 'dog'", "solution": "<answer>a dog, left</answer>"}, "neither 'No Objects'"),
    ({"image": "0.jpg", "problem": "category 'dog'", "solution": "<answer>[{'Position': [1, 2]}]</answer>"},
     "not a list of"),
    ({"image": {"bytes": b""}, "problem": "category 'dog'", "solution": ""}, "not a file path"),
])
def test_bad_rows_are_named(bad, message):
    with pytest.raises(ValueError, match=message):
        list(prepare.convert([bad]))


def test_main_from_a_save_to_disk_folder_writes_the_images(tmp_path):
    """The published form: a DatasetDict saved with save_to_disk, images in an Image column."""
    import datasets

    raw = read_jsonl(FIXTURE)
    ds = datasets.Dataset.from_dict({"image": [Image.open(IMAGES / r["image"]) for r in raw],
                                     "problem": [r["problem"] for r in raw],
                                     "solution": [r["solution"] for r in raw]})
    datasets.DatasetDict({"train": ds}).save_to_disk(str(tmp_path / "ViRFT_COCO_base65"))
    out = tmp_path / "data" / "virft_coco_base65.jsonl"
    prepare.main(["--source", str(tmp_path / "ViRFT_COCO_base65"), "--out", str(out)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = list(prepare.convert(raw))
    assert [(w["question"], w["objects"]) for w in written] == [(e["question"], e["objects"]) for e in expected]
    for w, r in zip(written, raw):
        assert Image.open(w["image"]).size == Image.open(IMAGES / r["image"]).size


def test_recipe_prompt_and_rewards_are_visual_rft_s():
    """The recipe's adapter shows the problem as it is, after the image; the gold answer in Visual-RFT's format
    scores format + R_IoU + R_conf = 3, and 'No Objects' on an empty image scores full marks too."""
    recipe = yaml.safe_load((REPO / "recipes" / "visual_rft.yaml").read_text(encoding="utf-8"))
    adapter = Detection(**recipe["datasets"]["coco"]["options"])
    raw = read_jsonl(FIXTURE)
    for src, row in zip(raw, prepare.convert(raw, image_root=str(IMAGES))):
        example = adapter.example(row)
        (user,) = example["prompt"]
        assert [p["type"] for p in user["content"]] == ["image", "text"]
        assert user["content"][1]["text"] == src["problem"]
        answer = src["solution"].replace("'Confidence': 1", "'Confidence': 0.95")
        done = f"<think>I see them.</think> {answer}"
        scores = think_format([done])[0] + detection([done], answer=[example["answer"]])[0]
        assert scores == pytest.approx(3.0, abs=0.06)  # 1 + (1 + 0.95) with boxes, 1 + (1 + 1) without
