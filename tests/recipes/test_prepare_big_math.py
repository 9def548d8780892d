"""scripts/prepare_big_math.py: Big-Math-RL-Verified rows (its published columns) to math_qa rows."""

import pytest

from r1kit.data.math_qa import MathQA
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

convert = load_script(SCRIPTS / "prepare_big_math.py").convert


def test_problem_and_verified_answer_become_question_and_gold():
    rows = read_jsonl(FIXTURES / "big_math.jsonl")
    out = list(convert(rows))
    assert [r["question"] for r in out] == [r["problem"] for r in rows]
    examples = [MathQA(system_prompt=None).example(r) for r in out]
    assert [e["answer"] for e in examples] == ["42", "5", "9", "14\\pi", "400"]
    assert out[2]["solve_rate"] == 0.359375 and out[4]["solve_rate"] is None


def test_the_easiest_can_be_dropped_by_llama_solve_rate():
    kept = [r["answer"] for r in convert(read_jsonl(FIXTURES / "big_math.jsonl"), max_solve_rate=0.8)]
    assert kept == ["42", "9", "14\\pi", "400"]  # 0.97 dropped; an unknown rate is kept


@pytest.mark.parametrize("row", [{"problem": "", "answer": "1"}, {"problem": "1+1?", "answer": None}])
def test_a_row_without_problem_or_answer_is_named(row):
    with pytest.raises(ValueError, match="need `problem` and `answer`"):
        list(convert([row]))
