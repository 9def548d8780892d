"""scripts/prepare_multimodal_cold_start.py and prepare_multimodal_rl_data.py: RL-with-Cold-Start's two datasets."""

import pytest
import yaml

from r1kit.data.visual import MMMath
from r1kit.rewards.math_accuracy import math_accuracy
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

cold = load_script(SCRIPTS / "prepare_multimodal_cold_start.py")
rl = load_script(SCRIPTS / "prepare_multimodal_rl_data.py")
COLD, RL = FIXTURES / "multimodal_cold_start.jsonl", FIXTURES / "multimodal_rl_data.jsonl"
RECIPE = yaml.safe_load((REPO / "recipes" / "rl_with_cold_start.yaml").read_text(encoding="utf-8"))


def test_the_distilled_reply_is_the_target_as_written():
    raw = read_jsonl(COLD)
    images = FIXTURES / "images" / "multimodal_cold_start"
    rows = list(cold.convert(raw, image_root=str(images)))
    assert rows[0]["images"] == [str(images / "geo/triangle_0153.png")]
    adapter = MMMath(**RECIPE["datasets"]["cold_start"]["options"])
    examples = [adapter.example(row) for row in rows]
    assert [e["messages"][-1]["content"][0]["text"] for e in examples] == [r["answer"] for r in raw]
    assert [e["answer"] for e in examples] == ["10", "18", "2", "B"]  # the gold: the reply's last \boxed{}
    # the GRPO stage's reward scores a reply in this layout as right
    texts = [e["messages"][-1]["content"][0]["text"] for e in examples]
    assert math_accuracy(texts, answer=[e["answer"] for e in examples], mode="boxed", workers=1) == [1.0] * 4


def test_rl_rows_keep_the_image_marker_and_the_answer():
    raw = read_jsonl(RL)
    images = FIXTURES / "images" / "multimodal_rl_data"
    rows = list(rl.convert(raw, image_root=str(images)))
    assert [r["answer"] for r in rows] == ["68", "3", "16", "4"]
    example = MMMath(**RECIPE["datasets"]["rl"]["options"]).example(rows[0])
    assert example["prompt"][-1]["content"][0] == {"type": "image"}  # the <image> marker leads the problem


def test_bad_rows_are_refused():
    with pytest.raises(ValueError, match=r"row 0: `answer` \(the reply to train on\) is empty"):
        list(cold.convert([{"problem": "<image>Q?", "answer": "", "images": ["a.png"]}]))
    with pytest.raises(ValueError, match=r"row 0: no `images`"):
        list(cold.convert([{"problem": "<image>Q?", "answer": "<think>x</think>\\boxed{1}", "images": []}]))
