"""scripts/prepare_saturn.py: SATURN's prompt rows -> math_qa rows whose answer is the CNF formula."""

import pytest

from r1kit.rewards.sat import sat_assignment
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_saturn.py")


@pytest.mark.parametrize("level", ["saturn_3_5_5", "saturn_3_5_6"])
def test_fixture_rows_keep_the_prompt_and_give_the_formula_as_answer(level):
    published = read_jsonl(FIXTURES / f"{level}.jsonl")
    rows = list(prepare.convert(published))
    assert [r["question"] for r in rows] == [p["prompt"] for p in published]
    assert [r["answer"] for r in rows] == [p["clause"] for p in published]
    assert all(len(r["answer"].split(" & ")) == int(level[-1]) for r in rows)  # l clauses at level 3_5_l
    # the planted solution scores 1 with the recipe's reward, and so would any other model of the formula
    assert sat_assignment([f"\\boxed{{{p['solution']}}}" for p in published], answer=[r["answer"] for r in rows]) \
        == [1.0] * len(rows)


def test_bad_rows_are_refused_by_number():
    rows = read_jsonl(FIXTURES / "saturn_3_5_5.jsonl")[:2]
    with pytest.raises(ValueError, match="row 1: SATURN rows need"):
        list(prepare.convert([rows[0], {k: v for k, v in rows[1].items() if k != "clause"}]))
    with pytest.raises(ValueError, match="row 0: the stored solution '000' does not satisfy"):
        list(prepare.convert([dict(rows[0], clause="ABC & !A!B", solution="000")]))
