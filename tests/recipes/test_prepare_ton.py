"""scripts/prepare_ton.py: TON's thought-dropout SFT conversations and its R1-V GRPO rows become mm_math rows."""

import pytest
import yaml

from r1kit.data.visual import MMMath
from r1kit.rewards.format import think_format
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_ton.py")
SFT, RL = FIXTURES / "ton_math_sft.jsonl", FIXTURES / "ton_geoqa.jsonl"
RECIPE = yaml.safe_load((REPO / "recipes" / "ton.yaml").read_text(encoding="utf-8"))


def test_sft_replies_are_kept_as_written_empty_thoughts_included():
    raw = read_jsonl(SFT)
    images = FIXTURES / "images" / "ton_math_sft"
    rows = list(prepare.convert(raw, image_root=str(images)))
    adapter = MMMath(**RECIPE["datasets"]["sft"]["options"])
    targets = [adapter.example(r)["messages"][-1]["content"][0]["text"] for r in rows]
    assert targets == [r["conversations"][1]["value"] for r in raw]
    assert targets[1] == "<think>\n\n</think><answer>115</answer>"  # a dropped thought, as sft_grpo_data.py writes it
    assert [r["answer"] for r in rows] == ["60", "115", "4", "5"]
    assert think_format(targets) == [1.0] * 4  # the GRPO format reward accepts the empty thought
    assert rows[0]["images"] == [str(images / "geoqa/images/train_2391.png")]


def test_thought_dropout_empties_about_that_share_of_thoughts_the_same_way_every_time():
    row = {"conversations": [{"from": "human", "value": "<image>Q?"},
                             {"from": "gpt", "value": "<think>long reasoning</think><answer>7</answer>"}], "images": ["a.png"]}
    first = [r["solution"] for r in prepare.convert([row] * 400, thought_dropout=0.5, seed=3)]
    again = [r["solution"] for r in prepare.convert([row] * 400, thought_dropout=0.5, seed=3)]
    dropped = first.count("<think>\n\n</think><answer>7</answer>")
    assert first == again and 160 < dropped < 240 and dropped + first.count(row["conversations"][1]["value"]) == 400
    assert {r["solution"] for r in prepare.convert([row] * 50)} == {row["conversations"][1]["value"]}  # off by default


def test_grpo_rows_read_the_answer_out_of_its_tags():
    raw = read_jsonl(RL)
    images = FIXTURES / "images" / "ton_geoqa"
    rows = list(prepare.convert(raw, image_root=str(images)))
    assert [r["answer"] for r in rows] == ["8", "40", "50", "9"] and all("solution" not in r for r in rows)
    user = MMMath(**RECIPE["datasets"]["rl"]["options"]).example(rows[0])["prompt"][-1]["content"]
    assert user[0] == {"type": "image"}
    assert user[1]["text"] == raw[0]["problem"] + ("  Output the thinking process in <think> </think> and final answer "
                                                   "(number) in <answer> </answer> tags.")  # grpo.py:148


def test_bad_rows_are_refused():
    no_answer = {"conversations": [{"from": "human", "value": "Q?"}, {"from": "gpt", "value": "<think>x</think>7"}],
                 "images": ["a.png"]}
    with pytest.raises(ValueError, match=r"row 0: the reply is not <think>…</think><answer>…</answer>"):
        list(prepare.convert([no_answer]))
    with pytest.raises(ValueError, match=r"row 0: neither `conversations` \(SFT\) nor a `problem`"):
        list(prepare.convert([{"question": "Q?"}]))
    with pytest.raises(ValueError, match=r"row 0: no `image` or `images`"):
        list(prepare.convert([{"problem": "Q?", "solution": "<answer> 1 </answer>"}]))
