"""scripts/prepare_vision_r1_cold.py: Vision-R1-cold conversations become mm_math rows whose target is HFRRF's layout."""

import json

import pytest

from r1kit.data.visual import MMMath
from r1kit.rewards.compose import hard_format_accuracy
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_vision_r1_cold.py")
FIXTURE = FIXTURES / "vision_r1_cold.jsonl"
IMAGES = FIXTURES / "images" / "vision_r1_cold"


def test_reasoning_and_answer_split_at_think_and_images_joined():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert [r["answer"] for r in rows] == ["2", "B", r"The tallest bar has a value of \boxed{45}.", "12"]
    assert rows[0]["solution"].startswith("I need to count") and "</think>" not in rows[0]["solution"]
    assert rows[0]["images"] == [str(IMAGES / raw[0]["image"])]  # llava-cot: one `image`
    assert rows[2]["images"] == [str(IMAGES / raw[2]["images"][0])]  # mulberry: `images`
    assert rows[3]["solution"] == raw[3]["conversations"][1]["value"]  # already tagged: kept as written
    assert all(r["question"].startswith("<image>") for r in rows)


def test_cold_start_target_scores_full_marks_with_hfrrf():
    """Through the recipe's adapter: the SFT target is <think>…</think><answer>…</answer> with the right answer."""
    adapter = MMMath(system_prompt=None)
    for row in prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)):
        example = adapter.example(row)
        target = example["messages"][-1]["content"][0]["text"]
        assert target.startswith("<think>") and target.endswith("</answer>")
        assert example["prompt"][0]["content"][0] == {"type": "image"}
        assert hard_format_accuracy([target], answer=[example["answer"]]) == [1.0]


def test_a_reply_without_reasoning_is_refused():
    row = {"conversations": [{"from": "human", "value": "<image>Q?"}, {"from": "gpt", "value": "42"}], "image": "a.png"}
    with pytest.raises(ValueError, match=r"row 0: the reply has no </think>"):
        list(prepare.convert([row]))
    with pytest.raises(ValueError, match=r"row 0: no `image` or `images`"):
        list(prepare.convert([{**row, "image": None}]))


def test_main_reads_both_files(tmp_path):
    raw = read_jsonl(FIXTURE)
    llava, mulberry = tmp_path / "llava.json", tmp_path / "mulberry.json"
    llava.write_text(json.dumps(raw[:2]))
    mulberry.write_text(json.dumps(raw[2:]))
    out = tmp_path / "data" / "vision_r1_cold.jsonl"
    prepare.main(["--source", str(llava), str(mulberry), "--out", str(out), "--image-root", str(IMAGES)])
    assert read_jsonl(out) == list(prepare.convert(raw, image_root=str(IMAGES)))
