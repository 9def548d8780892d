"""scripts/prepare_vision_r1_data.py: Vision-R1-Data rows (image, problem, solution, width, height, num_instances)
become detection rows with Qwen's phrasing and gold boxes in thousandths of the image."""

import json

import pytest
import yaml
from PIL import Image

from r1kit.data.boxes import Detection
from r1kit.rewards.box_matching import box_json_format, box_precision, box_recall
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_vision_r1_data.py")
FIXTURE = FIXTURES / "vision_r1_data.jsonl"
IMAGES = FIXTURES / "images" / "vision_r1_data"
ROW = {"image": "9.jpg", "problem": "Locate the exact position of cat in the picture, if you can.",
       "solution": '[["cat", [64, 48, 320, 240]]]', "width": 640, "height": 480, "num_instances": 1,
       "target_id_maps": '{"cat": 1}'}


def test_rows_get_qwen_phrasing_and_boxes_in_thousandths():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert len(rows) == len(raw)
    assert rows[0]["image"] == str(IMAGES / raw[0]["image"])
    assert rows[0]["question"] == ("Locate every item from the category list in the image and output the "
                                   "coordinates in JSON format. The category set includes person, bicycle, car.")
    assert rows[1]["question"] == "Locate every cup in the image and output the coordinates in JSON format."
    assert rows[2]["question"] == "Locate every dog in the image and output the coordinates in JSON format."
    assert [len(r["objects"]) for r in rows] == [r["num_instances"] for r in raw]
    (dog,) = rows[2]["objects"]  # [45.0, 120.7, 398.3, 411.9] of a 427 x 640 image
    assert dog["label"] == "dog"
    assert dog["bbox_2d"] == pytest.approx([105.386, 188.594, 932.787, 643.594], abs=1e-3)
    assert next(prepare.convert([ROW]))["objects"] == [{"bbox_2d": [100.0, 100.0, 500.0, 500.0], "label": "cat"}]


def test_rows_outside_the_object_count_range_are_left_out_as_the_trainer_filters_them():
    rows = [dict(ROW, num_instances=0, solution="[]"), ROW,
            dict(ROW, num_instances=31, solution=json.dumps([["cat", [0, 0, 1, 1]]] * 31))]
    assert len(list(prepare.convert(rows))) == 1
    assert list(prepare.convert(rows, min_instances=10)) == []  # Vision-R1's --hard run


@pytest.mark.parametrize("bad, message", [
    (dict(ROW, problem="Find the cats."), "none of Vision-R1's three phrasings"),
    (dict(ROW, solution="cat at the left"), "is not JSON"),
    (dict(ROW, solution='[["cat", [1, 2, 3]]]'), r"\[category, \[x1, y1, x2, y2\]\] pairs"),
    (dict(ROW, solution='[[[1, 2, 3, 4], "cat"]]'), r"\[category, \[x1, y1, x2, y2\]\] pairs"),
    (dict(ROW, width=0), "positive size"),
    (dict(ROW, num_instances="1"), "num_instances"),
    (dict(ROW, image={"bytes": b""}), "not a file path"),
])
def test_bad_rows_are_named(bad, message):
    with pytest.raises((ValueError, TypeError), match=message):
        list(prepare.convert([ROW, bad]))
    with pytest.raises((ValueError, TypeError), match="row 1"):
        list(prepare.convert([ROW, bad]))


def test_main_from_a_save_to_disk_folder_writes_the_images(tmp_path):
    """The published form: a `datasets` table with an Image column."""
    import datasets

    raw = read_jsonl(FIXTURE)
    columns = {k: [r[k] for r in raw] for k in raw[0] if k != "image"}
    ds = datasets.Dataset.from_dict({"image": [Image.open(IMAGES / r["image"]) for r in raw], **columns})
    datasets.DatasetDict({"train": ds}).save_to_disk(str(tmp_path / "Vision-R1-Data"))
    out = tmp_path / "data" / "vision_r1_data.jsonl"
    prepare.main(["--source", str(tmp_path / "Vision-R1-Data"), "--out", str(out)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = list(prepare.convert(raw))
    assert [(w["question"], w["objects"]) for w in written] == [(e["question"], e["objects"]) for e in expected]
    for w, r in zip(written, raw):
        assert Image.open(w["image"]).size == Image.open(IMAGES / r["image"]).size


def test_recipe_prompt_and_rewards_score_the_gold_reply_three():
    """The recipe's adapter shows the Qwen phrasing after the image with Qwen's own system turn; the gold
    objects written as Qwen2.5-VL writes them (pixels of its resized input, a fenced JSON list) score
    precision 1 + format 1 + recall 1, at the start and after the rules tighten."""
    recipe = yaml.safe_load((REPO / "recipes" / "vision_r1_alignment.yaml").read_text(encoding="utf-8"))
    adapter = Detection(**recipe["datasets"]["vision_r1_data"]["options"])
    stack = {r["name"]: {k: v for k, v in r.items() if k not in ("name", "weight")}
             for r in recipe["stages"]["grpo"]["rewards"]}
    raw = read_jsonl(FIXTURE)
    for src, row in zip(raw, prepare.convert(raw, image_root=str(IMAGES))):
        example = adapter.example(row)
        (user,) = example["prompt"]
        assert [p["type"] for p in user["content"]] == ["image", "text"]
        assert user["content"][1]["text"] == row["question"]
        image = Image.open(IMAGES / src["image"])
        seen_w, seen_h = adapter.answer_size(image)  # Qwen's resized input of the stand-in image
        for obj, (label, box) in zip(example["answer"], json.loads(src["solution"])):
            assert obj["label"] == label  # the same place, relative to the image, as the published box
            assert [obj["bbox_2d"][0] / seen_w, obj["bbox_2d"][3] / seen_h] == pytest.approx(
                [box[0] / src["width"], box[3] / src["height"]], abs=0.005)
        reply = "```json\n" + json.dumps(example["answer"]) + "\n```"  # decimals: the stand-ins are small
        for step in (0, 1500):
            state = type("State", (), {"global_step": step})()
            total = (box_precision([reply], answer=[example["answer"]], trainer_state=state, **stack["box_precision"])[0]
                     + box_json_format([reply], answer=[example["answer"]])[0]
                     + box_recall([reply], answer=[example["answer"]], trainer_state=state, **stack["box_recall"])[0])
            assert total == pytest.approx(3.0), (src["image"], step)
        assert image.size != (src["width"], src["height"])  # stand-in images are smaller than the published
