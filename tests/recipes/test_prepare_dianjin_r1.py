"""scripts/prepare_dianjin_r1.py: DianJin-R1-Data alpaca rows become SFT targets and multiple-choice GRPO prompts."""

import json

import pytest

from r1kit.data.math_qa import MathQA
from r1kit.rewards.match import choice
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_dianjin_r1.py")
SFT, RL = FIXTURES / "dianjin_r1_sft.jsonl", FIXTURES / "dianjin_r1_cflue_mcq.jsonl"


def test_sft_rows_keep_the_reply_verbatim_and_the_boxed_letters():
    raw = read_jsonl(SFT)
    rows = list(prepare.convert(raw))
    assert [r["solution"] for r in rows] == [r["output"].strip() for r in raw]
    assert [r["question"] for r in rows] == [r["instruction"].strip() for r in raw]
    assert [r["answer"] for r in rows] == ["B", "ABD", None, None]  # open-ended CFLUE and FinQA: no letters


def test_rl_rows_are_the_multiple_choice_prompts_without_replies():
    rows = list(prepare.convert(read_jsonl(SFT), rl=True))
    assert [r["answer"] for r in rows] == ["B", "ABD"]
    assert all(set(r) == {"question", "answer"} for r in rows)


def test_gold_letters_read_the_last_box_of_the_answer_block():
    assert prepare.gold_letters("<think>\\boxed{A}</think><answer>\\boxed{C} or \\boxed{DB}</answer>") == "BD"
    assert prepare.gold_letters("<think>x</think><answer>\\boxed{12\\%}</answer>") is None
    assert prepare.gold_letters("<think>x</think>\\boxed{A}") is None


@pytest.mark.parametrize(("row", "message"), [
    ({"instruction": "q", "input": "", "response": "r"}, "needs `instruction` and `output`"),
    ({"instruction": "q", "output": "just B"}, "not <think>"),
])
def test_a_bad_row_is_named(row, message):
    with pytest.raises(ValueError, match=f"row 1: .*{message}"):
        list(prepare.convert([read_jsonl(SFT)[0], row]))


def test_sft_target_and_grpo_reward_through_the_recipe_adapters():
    sft = MathQA(system_prompt=None, solution_as="verbatim")
    for row in prepare.convert(read_jsonl(SFT)):
        example = sft.example(row)
        assert example["messages"] == [{"role": "user", "content": row["question"]},
                                       {"role": "assistant", "content": row["solution"]}]
    grpo = MathQA(system_prompt=None, answer_as="verbatim")
    for raw, row in zip(read_jsonl(RL), prepare.convert(read_jsonl(RL), rl=True)):
        example = grpo.example(row)
        assert example["prompt"] == [{"role": "user", "content": raw["instruction"].strip()}]
        scored = choice([raw["output"], raw["output"].replace("</answer>", "\\boxed{E}</answer>")],
                        answer=[example["answer"]] * 2, letters="ABCDEFG", multiple=True, require_tags=True)
        assert scored == [1.0, 0.0]  # the R1 reply itself scores 1; a later box naming E scores 0


def test_main_writes_what_convert_gives(tmp_path):
    out = tmp_path / "data" / "dianjin_r1_cflue_mcq.jsonl"
    prepare.main(["--source", str(RL), "--out", str(out), "--rl"])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(RL), rl=True))
