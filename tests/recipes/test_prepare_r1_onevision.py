"""scripts/prepare_r1_onevision.py: R1-Onevision's SFT conversations and its GRPO jsonl become mm_math rows."""

import pytest
import yaml

from r1kit.data.visual import MMMath
from r1kit.rewards.compose import hard_format_accuracy
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_r1_onevision.py")
SFT, RL = FIXTURES / "r1_onevision.jsonl", FIXTURES / "r1_onevision_rl.jsonl"
SFT_IMAGES, RL_IMAGES = FIXTURES / "images" / "r1_onevision", FIXTURES / "images" / "r1_onevision_rl"


def test_sft_replies_split_into_reasoning_and_answer():
    raw = read_jsonl(SFT)
    rows = list(prepare.convert(raw, image_root=str(SFT_IMAGES)))
    assert [r["answer"] for r in rows] == ["1", "B", "The sum is 98.", "30"]
    assert rows[0]["images"] == [str(SFT_IMAGES / raw[0]["images"][0])]  # LLaMA-Factory `messages` + `images`
    assert rows[3]["images"] == [str(SFT_IMAGES / raw[3]["image"])]  # the `conversations` spelling
    assert rows[2]["solution"].startswith("The chart as a table") and "</think>" not in rows[2]["solution"]
    adapter = MMMath(system_prompt="You are a helpful assistant.")
    for row in rows:  # the cold-start target is the layout the GRPO stage's rewards score
        example = adapter.example(row)
        target = example["messages"][-1]["content"][0]["text"]
        assert hard_format_accuracy([target], answer=[example["answer"]]) == [1.0]


def test_rl_rows_are_question_and_bare_answer_with_the_image_first():
    raw = read_jsonl(RL)
    rows = list(prepare.convert(raw, image_root=str(RL_IMAGES)))
    assert [r["answer"] for r in rows] == ["2", "5", "36", "3"]
    assert all("solution" not in r and "<image>" not in r["question"] for r in rows)
    assert rows[1]["images"] == [str(RL_IMAGES / "geoqa/geoqa_1893.png")]
    recipe = yaml.safe_load((REPO / "recipes" / "r1_onevision.yaml").read_text(encoding="utf-8"))
    example = MMMath(**recipe["datasets"]["rl"]["options"]).example(rows[0])
    user = example["prompt"][-1]["content"]
    assert user[0] == {"type": "image"}
    # grpo_jsonl.py:392: the problem, two spaces, then the tag instruction
    assert user[1]["text"] == (raw[0]["conversations"][0]["value"].replace("<image>", "") + "  Output the thinking "
                               "process in <think> </think> and final answer in <answer> </answer> tags.")


def test_bad_rows_are_refused():
    with pytest.raises(TypeError, match=r"row 0: `messages` needs a user turn"):
        list(prepare.convert([{"messages": [{"role": "user", "content": "Q?"}], "images": ["a.png"]}]))
    with pytest.raises(ValueError, match=r"row 0: no `image` or `images`"):
        list(prepare.convert([{"conversations": [{"from": "human", "value": "Q?"}, {"from": "gpt", "value": "1"}]}]))
    empty = {"conversations": [{"from": "human", "value": "<image>"}, {"from": "gpt", "value": "1"}], "image": "a.png"}
    with pytest.raises(ValueError, match=r"row 0: the question or the answer is empty"):
        list(prepare.convert([empty]))
