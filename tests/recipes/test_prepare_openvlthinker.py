"""scripts/prepare_openvlthinker.py: OpenVLThinker's SFT conversations and GRPO problems become mm_math rows."""

import pytest
import yaml

from r1kit.data.visual import MMMath
from r1kit.rewards.math_accuracy import math_accuracy
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_openvlthinker.py")
RECIPE = yaml.safe_load((REPO / "recipes" / "openvlthinker.yaml").read_text(encoding="utf-8"))


def test_sft_replies_are_targets_as_written_and_the_generate_reward_passes_them():
    raw = read_jsonl(FIXTURES / "openvlthinker_sft.jsonl")
    images = FIXTURES / "images" / "openvlthinker_sft"
    rows = list(prepare.convert(raw, image_root=str(images)))
    assert rows[0]["images"] == [str(images / "sft_iter3/chart_00413.png")]
    examples = [MMMath(**RECIPE["datasets"]["sft"]["options"]).example(r) for r in rows]
    targets = [e["messages"][-1]["content"][0]["text"] for e in examples]
    assert targets == [r["messages"][1]["content"] for r in raw]
    assert [e["answer"] for e in examples] == ["33", "70", "1", "26"]
    # the regenerate stage keeps a reply of this layout when it is right
    assert math_accuracy(targets, answer=[e["answer"] for e in examples], mode="answer_tag", workers=1) == [1.0] * 4


def test_grpo_rows_get_openvlthinkers_format_prompt():
    raw = read_jsonl(FIXTURES / "openvlthinker_medium.jsonl")
    rows = list(prepare.convert(raw, image_root=str(FIXTURES / "images" / "openvlthinker_medium")))
    assert [r["answer"] for r in rows] == ["75", "41", "2", "5"] and all("solution" not in r for r in rows)
    user = MMMath(**RECIPE["datasets"]["medium"]["options"]).example(rows[0])["prompt"][-1]["content"]
    assert user[0] == {"type": "image"}  # the <image> marker leads the problem
    assert user[1]["text"].endswith("You FIRST think about the reasoning process as an internal monologue and then "
                                    "provide the final answer.")


def test_the_loop_regenerates_from_the_rl_model_and_restarts_sft_from_the_base():
    stages = RECIPE["stages"]
    assert RECIPE["repeat"]["stages"] == ["regenerate", "resft", "regrpo_medium", "regrpo_hard"]
    assert stages["resft"]["data"] == "stage:regenerate" and stages["resft"]["init_from"] == "base"
    assert stages["regenerate"]["keep"] == "correct" and stages["regenerate"]["max_per_prompt"] == 1


def test_bad_rows_are_refused():
    no_answer = {"messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "<think>x</think>7"}],
                 "images": ["a.png"]}
    with pytest.raises(ValueError, match=r"row 0: the reply has no <answer>"):
        list(prepare.convert([no_answer]))
    with pytest.raises(ValueError, match=r"row 0: neither `messages` \(SFT\) nor a `problem`"):
        list(prepare.convert([{"question": "Q?"}]))
    with pytest.raises(ValueError, match=r"row 0: `answer` is empty"):
        list(prepare.convert([{"problem": "Q?", "answer": "", "images": ["a.png"]}]))
