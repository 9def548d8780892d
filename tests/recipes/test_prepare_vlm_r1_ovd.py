"""scripts/prepare_vlm_r1_ovd.py: D^3 rows in VLM-R1's jsonl format become detection rows."""

import json

import pytest
import yaml

from r1kit.data.boxes import Detection
from r1kit.rewards.detection_map import od_map
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_vlm_r1_ovd.py")
FIXTURE = FIXTURES / "vlm_r1_ovd.jsonl"
IMAGES = FIXTURES / "images" / "vlm_r1_ovd"


def _row(answer: str) -> dict:
    return {"id": 1, "image": "a.jpg", "conversations": [{"from": "human", "value": "<image>detect: cat."},
                                                         {"from": "gpt", "value": answer}]}


def test_rows_keep_question_and_gold_objects():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert len(rows) == len(raw)
    for src, row in zip(raw, rows):
        assert row["image"] == str(IMAGES / src["image"])
        assert row["question"] == src["conversations"][0]["value"].removeprefix("<image>")
        gold = src["conversations"][1]["value"]
        if gold == "None":
            assert row["objects"] == []
        else:
            assert row["objects"] == json.loads(gold.removeprefix("```json").removesuffix("```"))
    assert any(row["objects"] == [] for row in rows)  # an absence row, as D^3 has


def test_answer_forms():
    assert next(prepare.convert([_row("None")]))["objects"] == []
    bare = '[{"bbox_2d": [1, 2, 3, 4], "label": "cat"}]'
    assert next(prepare.convert([_row(bare)]))["objects"] == [{"bbox_2d": [1.0, 2.0, 3.0, 4.0], "label": "cat"}]
    assert next(prepare.convert([_row(f"<answer>```json\n{bare}\n```</answer>")]))["objects"][0]["label"] == "cat"


@pytest.mark.parametrize("bad, message", [
    (_row("a cat at the left"), "neither `None` nor a JSON list"),
    (_row('[{"bbox_2d": [1, 2, 3], "label": "cat"}]'), "not a list of"),
    ({"id": 5, "image": "a.jpg", "conversations": [{"from": "human", "value": "q"}]}, r"id 5\): `conversations`"),
])
def test_bad_rows_are_named(bad, message):
    with pytest.raises(ValueError, match=message):
        list(prepare.convert([bad]))


def test_recipe_prompt_and_reward_are_vlm_r1_s():
    """The recipe's adapter writes qwen_module's odLength prompt above the row's question; od_map scores its gold."""
    recipe = yaml.safe_load((REPO / "recipes" / "vlm_r1_ovd.yaml").read_text(encoding="utf-8"))
    adapter = Detection(**recipe["datasets"]["d3"]["options"])
    examples = [adapter.example(row) for row in prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES))]
    raw = read_jsonl(FIXTURE)[0]
    (user,) = examples[0]["prompt"]
    assert user["content"][1]["text"] == (
        "First thinks about the reasoning process in the mind and then provides the user with the answer. The "
        "reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, "
        "respectively, i.e., <think> reasoning process here </think><answer> answer here </answer>\n"
        + raw["conversations"][0]["value"].removeprefix("<image>"))
    for example in examples:
        listed = json.dumps([{"bbox_2d": [round(v) for v in o["bbox_2d"]], "label": o["label"]}
                             for o in example["answer"]]) if example["answer"] else "None"
        done = f"<think>x</think><answer>```json\n{listed}\n```</answer>" if example["answer"] else \
            "<think>x</think><answer>None</answer>"
        assert od_map([done], answer=[example["answer"]])[0] > 0.6
