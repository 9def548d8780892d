"""all_of / weighted_sum, and hard_format_accuracy (Vision-R1 HFRRF) built from them."""

import functools
import pickle

import pytest
from reward_cases import GOOD, HOSTILE, chat

from r1kit.errors import UserError
from r1kit.rewards.compose import all_of, hard_format_accuracy, weighted_sum
from r1kit.rewards.format import think_format
from r1kit.rewards.math_accuracy import math_accuracy


def first(completions, **kwargs):
    return [1.0, 1.0, 0.0, 1.0, None]


def second(completions, **kwargs):
    return [1.0, 0.5, 1.0, None, 1.0]


def test_all_of_is_one_only_where_every_component_is():
    assert all_of(first, second)(["x"] * 5) == [1.0, 0.0, 0.0, None, None]


def test_weighted_sum_skips_components_that_do_not_apply():
    assert weighted_sum((first, 2.0), (second, 1.0))(["x"] * 5) == [3.0, 2.5, 1.0, 2.0, 1.0]
    assert weighted_sum((first, 1.0))(["x"] * 5)[4] is None


def test_combinators_are_named_and_pickle():
    combined = all_of(first, functools.partial(second, extra=1))
    assert combined.__name__ == "all_of(first,second)"
    assert pickle.loads(pickle.dumps(combined))(["x"] * 5) == combined(["x"] * 5)
    assert weighted_sum((first, 0.5)).__name__ == "weighted_sum(0.5*first)"


def test_combinators_refuse_nothing_to_combine():
    with pytest.raises(ValueError):
        all_of()
    with pytest.raises(ValueError):
        weighted_sum(first)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD, 1.0),  # format and answer right
        ("<think>r</think><answer>6</answer>", 0.0),  # format right, answer wrong
        ("<answer>5</answer>", 0.0),  # answer right, format wrong
        ("<think>r</think> <answer>5</answer> extra", 0.0),
        (HOSTILE["nested"], 0.0),
    ],
)
def test_hard_format_accuracy_needs_format_and_answer(text, expected):
    assert hard_format_accuracy([text], answer=["5"]) == [expected]
    assert hard_format_accuracy([chat(text)], answer=["5"]) == [expected]


def test_hard_format_accuracy_is_the_conjunction_of_its_parts():
    texts = [GOOD, "<answer>5</answer>", "<think>r</think><answer>6</answer>", "\\boxed{5}", *HOSTILE.values()]
    answers = ["5"] * len(texts)
    expected = [min(f, a) for f, a in zip(think_format(texts), math_accuracy(texts, answer=answers))]
    assert hard_format_accuracy(texts, answer=answers) == expected
    assert 1.0 in expected and 0.0 in expected


def test_hard_format_accuracy_with_another_accuracy_reward():
    text = "<think>r</think><answer>The answer is (B)</answer>"
    assert hard_format_accuracy([text], answer=["B"], accuracy="choice") == [1.0]
    assert hard_format_accuracy([text], answer=["C"], accuracy="choice") == [0.0]
    assert hard_format_accuracy(
        ["<r>x</r><a>paris</a>"], answer=["Paris"], accuracy="exact_match", think_tag="r", answer_tag="a"
    ) == [1.0]


def test_hard_format_accuracy_does_not_apply_without_gold():
    assert hard_format_accuracy([GOOD], answer=[None]) == [None]


@pytest.mark.parametrize(
    "options",
    [{"accuracy": "think_format"}, {"accuracy_kwargs": {"nope": 1}}, {"accuracy_kwargs": "mode=boxed"}],
)
def test_hard_format_accuracy_bad_options_are_user_errors(options):
    with pytest.raises(UserError):
        hard_format_accuracy([GOOD], answer=["5"], **options)
