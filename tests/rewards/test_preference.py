"""preference_judgment: RM-R1's [[A]]/[[B]] verdict rule, its labels, and hostile verdicts."""

import pytest
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.preference import gold_label, preference_judgment, verdict


def judged(text: str) -> str:
    return f"<think>Chatbot A is right, B is not.</think>\n<answer>{text}</answer>"


def test_rm_r1_rule():
    completions = [judged("[[A]]"), judged("[[B]]"), chat(judged("[[A]]")), judged("[[A]] [[B]]"), "no verdict"]
    assert preference_judgment(completions, answer=["A"] * 5) == [1.0, -1.0, 1.0, -1.0, -1.0]
    # RM-R1's own labels.
    assert preference_judgment([judged("[[B]]")] * 2, answer=["model_b", "[[B]]"]) == [1.0, 1.0]


def test_verdict_reading():
    assert verdict("[[A]]") == "A" and verdict(" [[B]]\n") == "B"
    assert verdict("A") is None and verdict("[[a]]") is None and verdict("[[C]]") is None
    for loose in ("A", "(B)", "[A]", "**B**", "Chatbot A", "Response B is better", "assistant a."):
        assert verdict(loose, strict=False) in ("A", "B"), loose
    assert verdict("A and B", strict=False) is None
    assert verdict("[[A]]" + " " * 500) == "A" and verdict("x" * 500 + "[[A]]") is None


def test_the_verdict_is_the_last_answer_outside_the_reasoning():
    text = "<think>first I'd say <answer>[[B]]</answer> but no</think><answer>[[A]]</answer>"
    assert preference_judgment([text], answer=["A"]) == [1.0]
    assert preference_judgment(["<think><answer>[[A]]</answer></think>"], answer=["A"]) == [-1.0]


def test_scores_for_r1_reward_and_think_rm_style():
    got = preference_judgment([judged("[[A]]"), judged("[[B]]")], answer=["A", "A"], correct=1.0, wrong=0.0)
    assert got == [1.0, 0.0]
    assert preference_judgment([judged("A")], answer=["A"], strict=False) == [1.0]


def test_gold_labels_and_missing_gold():
    assert [gold_label(v) for v in ("A", "b", "model_a", "[[B]]", "C", None, 1)] == ["A", "B", "A", "B", None, None, None]
    assert preference_judgment([judged("[[A]]")] * 2, answer=["tie", None]) == [None, None]


def test_options():
    for bad in ({"correct": "1"}, {"wrong": None}, {"answer_tag": ""}):
        with pytest.raises(UserError):
            resolve("preference_judgment", **bad)
