"""check_dataset: a recipe's dataset entry checked and filled in before any model loads."""

import pytest

from r1kit.data.config import check_dataset
from r1kit.errors import UserError


def test_defaults_are_filled_in():
    assert check_dataset("t", {"adapter": "addition", "generator": {"name": "addition", "n": 4}}) == {
        "adapter": "addition", "path": None, "generator": {"name": "addition", "n": 4}, "subset": None,
        "split": "train", "columns": {}, "options": {}, "limit": None}


@pytest.mark.parametrize("spec, message", [
    ("addition", r"^datasets\.t must be a mapping with at least `adapter:`"),
    ({}, r"^datasets\.t\.adapter is required but missing"),
    ({"adapter": "addition", "pth": "x"}, r"^datasets\.t\.pth: unknown key\. Did you mean 'path'\?"),
    ({"adapter": "addition", "path": "/no/such.jsonl"}, r"^datasets\.t\.path: /no/such\.jsonl does not exist"),
    ({"adapter": "addition", "path": "org/hub-id", "generator": "addition"}, r"^datasets\.t: give `path` or `generator`"),
    ({"adapter": "math_q"}, r"datasets\.t\.adapter\b.*'math_q'\. Did you mean 'math_qa'"),
    ({"adapter": "addition", "generator": {"name": "additon"}},
     r"datasets\.t\.generator\b.*'additon'\. Did you mean 'addition'[,?]"),
    ({"adapter": "addition", "generator": {"_target_": "no_pkg.rows"}}, r"cannot import module `no_pkg`"),
])
def test_mistakes_name_the_key(spec, message):
    with pytest.raises(UserError, match=message):
        check_dataset("t", spec)


def test_where_replaces_the_key():
    with pytest.raises(UserError, match=r"^eval\.data\.adapter is required"):
        check_dataset("t", {}, where="eval.data")
