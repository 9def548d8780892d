"""scripts/prepare_univg_r1.py: UniVG-R1's CoT-SFT conversations and multi-image GRPO rows."""

import json

import pytest
import yaml

from r1kit.data.boxes import Grounding
from r1kit.data.visual import MMMath
from r1kit.rewards.format import think_format
from r1kit.rewards.grounding import iou
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_univg_r1.py")
RECIPE = yaml.safe_load((REPO / "recipes" / "univg_r1.yaml").read_text(encoding="utf-8"))
COT = (" First output the thinking process in <think> </think> tags and then output the bounding box in <answer> "
       "</answer> tags.")


def _rl_rows():
    images = FIXTURES / "images" / "univg_r1_rl"
    return list(prepare.convert(read_jsonl(FIXTURES / "univg_r1_rl.jsonl"), image_root=str(images))), images


def test_rl_rows_keep_every_image_and_the_0_1000_box():
    rows, images = _rl_rows()
    assert [len(r["images"]) for r in rows] == [2, 2, 3, 2, 1, 1]
    assert rows[0]["images"][1] == str(images / "MGrounding/common_object/004512_1.jpg")
    assert rows[3]["bbox"] == [390.0, 208.0, 703.0, 625.0]  # an answer written as (x1,y1),(x2,y2)
    assert [r["domain"] for r in rows] == ["cot"] * 4 + ["direct"] * 2


def test_prompts_are_univg_r1s_images_first_then_the_template():
    rows, _ = _rl_rows()
    adapter = Grounding(**RECIPE["datasets"]["rl"]["options"])
    multi, coco = adapter.example(rows[0]), adapter.example(rows[4])
    user = multi["prompt"][-1]["content"]
    assert [p["type"] for p in user] == ["image", "image", "text"] and len(multi["prompt"]) == 1
    assert user[-1]["text"] == ("Image-1 shows a red ball. Find the object in Image-2 that belongs to the same "
                                "category." + COT)
    assert coco["prompt"][-1]["content"][-1]["text"] == ("This is a single image grounding task with simple "
                                                         "reference. the yellow umbrella on the right.")
    assert multi["answer"] == [547.0, 104.0, 922.0, 604.0]  # normalized 0-1000: the box as published
    reply = "<think>the red ball is at the right</think><answer>(547,104),(922,604)</answer>"
    assert iou([reply, "(547,104),(735,354)"], answer=[multi["answer"]] * 2)[0] == 1.0
    assert think_format([reply]) == [1.0]


def test_sft_rows_keep_the_annotated_reply_and_markers():
    images = FIXTURES / "images" / "univg_r1_sft"
    raw = read_jsonl(FIXTURES / "univg_r1_sft.jsonl")
    rows = list(prepare.convert(raw, image_root=str(images)))
    assert [r["answer"] for r in rows] == ["(625,417),(859,729)", "(156,313),(547,833)", "(625,521),(859,833)",
                                           "(117,417),(352,729)"]  # messages and conversations layouts alike
    example = MMMath(**RECIPE["datasets"]["sft"]["options"]).example(rows[0])
    assert example["messages"][-1]["content"][0]["text"] == raw[0]["messages"][1]["content"]
    assert [p["type"] for p in example["prompt"][-1]["content"]] == ["image", "image", "text"]


def test_bad_rows_are_refused():
    with pytest.raises(ValueError, match=r"row 0: `answer` \[1, 2, 3\] is not one box of four numbers"):
        list(prepare.convert([{"question": "<image>x", "answer": [1, 2, 3], "images": ["a.jpg"]}]))
    with pytest.raises(ValueError, match=r"row 0: the reply has no <answer>"):
        list(prepare.convert([{"messages": [{"role": "user", "content": "<image>q"},
                                            {"role": "assistant", "content": "<think>t</think>(1,2),(3,4)"}],
                               "images": ["a.jpg"]}]))
    with pytest.raises(ValueError, match=r"row 0: neither a conversation \(SFT\) nor a `question`"):
        list(prepare.convert([{"problem": "x"}]))


def test_main_writes_what_convert_gives(tmp_path):
    source, images = FIXTURES / "univg_r1_rl.jsonl", FIXTURES / "images" / "univg_r1_rl"
    out = tmp_path / "data" / "univg_r1_rl.jsonl"
    prepare.main(["--source", str(source), "--out", str(out), "--image-root", str(images)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(source), image_root=str(images)))
