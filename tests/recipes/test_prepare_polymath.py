"""scripts/prepare_polymath.py: a polymath sample's verl row to math_qa rows, both turns kept, repeated to fill a batch.

The fixtures are verl rows (data_source, prompt [system, user], ability, reward_model, extra_info), one per
sample folder of polymath-learning/train/data (the synthetic "prime" sample and natural MATH samples); the
texts are stand-ins written for the test, not the published samples.
"""

import pytest

from r1kit.data.math_qa import MathQA
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

convert = load_script(SCRIPTS / "prepare_polymath.py").convert


def test_both_turns_kept_and_ground_truth_is_the_answer():
    rows = read_jsonl(FIXTURES / "polymath.jsonl")
    out = list(convert(rows))
    assert [r["question"] for r in out] == [r["prompt"][1]["content"] for r in rows]
    assert [r["system"] for r in out] == [r["prompt"][0]["content"] for r in rows]
    assert [r["answer"] for r in out] == [r["reward_model"]["ground_truth"] for r in rows]
    assert out[0]["source"] == "polymath_synthetic_prime"
    example = MathQA(system_prompt=None).example(out[0])  # the recipe's adapter options
    assert example["prompt"] == rows[0]["prompt"]
    assert example["answer"] == "24"


def test_copies_repeat_the_sample_in_order():
    row = read_jsonl(FIXTURES / "polymath.jsonl")[:1]
    out = list(convert(row, copies=128))
    assert len(out) == 128 and all(r == out[0] for r in out)
    with pytest.raises(ValueError, match="copies"):
        list(convert(row, copies=0))


@pytest.mark.parametrize(("row", "message"), [
    ({"prompt": [{"role": "system", "content": "Reason."}], "reward_model": {"ground_truth": "3"}}, "user message"),
    ({"prompt": [{"role": "user", "content": "2+1?"}], "reward_model": {"ground_truth": " "}}, "ground_truth"),
    ({"prompt": [{"role": "user", "content": "2+1?"}]}, "ground_truth"),
])
def test_a_row_without_question_or_answer_is_named(row, message):
    with pytest.raises(ValueError, match=f"row 1: .*{message}"):
        list(convert([{"prompt": [{"role": "user", "content": "ok"}], "reward_model": {"ground_truth": "1"}}, row]))
