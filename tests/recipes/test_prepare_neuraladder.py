"""scripts/prepare_neuraladder.py: Observe-R1's message-format rows become mm_math rows, in file order."""

import json

import pytest
import yaml

from r1kit.data.visual import MMMath
from r1kit.rewards.format import observe_format
from r1kit.rewards.math_accuracy import math_accuracy
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_neuraladder.py")
FIXTURE = FIXTURES / "neuraladder.jsonl"
IMAGES = FIXTURES / "images" / "neuraladder"
RECIPE = yaml.safe_load((REPO / "recipes" / "observe_r1.yaml").read_text(encoding="utf-8"))


def test_rows_keep_order_question_answer_and_images():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert [r["answer"] for r in rows] == ["$2$", "$B$", "$5$", "$9\\pi$", "$10$", "$140$"]  # the curriculum order
    assert rows[0]["question"] == "<image>How many red spheres are in the image?"
    assert rows[0]["images"] == [str(IMAGES / "images/clevr_0412.png")]
    assert rows[1]["images"] == [str(IMAGES / "images/chartqa_0733.png")]  # file:// dropped
    assert all(len(r["images"]) == 1 and all(p for p in r["images"]) for r in rows)


def test_adapter_prompt_and_observe_r1_rewards():
    rows = list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
    example = MMMath(**RECIPE["datasets"]["neuraladder"]["options"]).example(rows[0])
    assert "<observe> </observe>" in example["prompt"][0]["content"][0]["text"]
    user = example["prompt"][-1]["content"]
    assert user[0] == {"type": "image"} and user[1]["text"] == "How many red spheres are in the image?"
    reply = "<observe>two red balls, one blue cube</observe><think>count the red ones</think><answer>2</answer>"
    assert observe_format([reply]) == [1.0]
    assert math_accuracy([reply, reply.replace(">2<", ">3<")], answer=[example["answer"]] * 2, workers=1) == [1.0, 0.0]


def test_difficulty_passes_through():
    row = dict(read_jsonl(FIXTURE)[0], difficulty=3)
    (out,) = prepare.convert([row], image_root=str(IMAGES))
    assert out["difficulty"] == 3


def test_bad_rows_are_refused_by_row():
    good = read_jsonl(FIXTURE)[0]
    text_only = {"message": json.dumps([{"role": "user", "content": "What is 2+2?"}]), "answer": "$4$"}
    with pytest.raises(ValueError, match=r"row 1: the user turn has no image part"):
        list(prepare.convert([good, text_only]))
    with pytest.raises(ValueError, match=r"row 1: `answer` is empty"):
        list(prepare.convert([good, dict(good, answer="$ $")]))
    with pytest.raises(ValueError, match=r"row 0: `message` is not a JSON list"):
        list(prepare.convert([{"message": "[{", "answer": "$1$"}]))


def test_main_writes_what_convert_gives(tmp_path):
    out = tmp_path / "data" / "neuraladder.jsonl"
    prepare.main(["--source", str(FIXTURE), "--out", str(out), "--image-root", str(IMAGES)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
