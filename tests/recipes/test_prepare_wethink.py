"""scripts/prepare_wethink.py: WeThink rows become mm_math rows whose `domain` routes them to the rule or the judge."""

import pytest
import yaml

from r1kit.data.visual import MMMath
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_wethink.py")
FIXTURE = FIXTURES / "wethink.jsonl"
IMAGES = FIXTURES / "images" / "wethink"


def test_rows_keep_question_answer_reasoning_and_image():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert [r["question"] for r in rows] == [r["problem"] for r in raw]
    assert [r["answer"] for r in rows] == [r["answer"] for r in raw]
    assert rows[0]["images"] == [str(IMAGES / "coco/train2017/000000051191.jpg")]
    assert rows[1]["solution"] == raw[1]["refined_cot"]


def test_reward_method_becomes_the_routing_domain():
    rows = list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
    assert [r["domain"] for r in rows] == ["rule", "rule", "judge", "rule", "judge", "rule"]
    recipe = yaml.safe_load((REPO / "recipes" / "wethink.yaml").read_text(encoding="utf-8"))
    routed = {r["name"]: r.get("domains") for r in recipe["stages"]["grpo"]["rewards"]}
    assert routed == {"math_accuracy": ["rule"], "judge_equivalence": ["judge"], "think_format": None}
    assert prepare.route("Model-Based", 0) == "judge" and prepare.route("rule_based", 0) == "rule"


def test_prompt_is_wethinks_system_turn_then_image_and_question():
    recipe = yaml.safe_load((REPO / "recipes" / "wethink.yaml").read_text(encoding="utf-8"))
    adapter = MMMath(**recipe["datasets"]["wethink"]["options"])
    row = next(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
    prompt = adapter.example(row)["prompt"]
    assert prompt[0]["content"][0]["text"].startswith("You FIRST think about the reasoning process")
    assert prompt[1]["content"][0] == {"type": "image"}


def test_bad_rows_are_refused():
    row = {"problem": "Q?", "answer": "1", "image_path": "a.png", "reward": "rule"}
    with pytest.raises(ValueError, match=r"row 0: reward method 'human' names neither a rule nor a model"):
        list(prepare.convert([{**row, "reward": "human"}]))
    with pytest.raises(ValueError, match=r"row 0: `answer` is empty"):
        list(prepare.convert([{**row, "answer": " "}]))
    with pytest.raises(ValueError, match=r"row 0 image_path None is not an image"):
        list(prepare.convert([{**row, "image_path": None}]))
