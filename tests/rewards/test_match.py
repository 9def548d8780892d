"""exact_match (normalised strings, numbers by value) and choice (option letters)."""

import pytest
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards.match import choice, choice_letter, exact_match


@pytest.mark.parametrize(
    ("span", "gold"),
    [
        ("Paris", "paris"),
        ("  New   York ", "new york"),
        ("Paris.", "Paris"),
        ("$42$", "42"),
        ("1,000", "1000"),
        ("3.0", "3"),
        ("-2.50", "-2.5"),
        ("1e3", "1000"),
    ],
)
def test_exact_match_equal_after_normalising(span, gold):
    text = f"<think>r</think><answer>{span}</answer>"
    assert exact_match([text], answer=[gold]) == [1.0]
    assert exact_match([chat(text)], answer=[gold]) == [1.0]


@pytest.mark.parametrize(
    ("span", "gold"),
    [("Paris", "London"), ("42", "43"), ("1,000", "100"), ("3.01", "3"), ("1,00", "100"), ("", "x")],
)
def test_exact_match_different_answers(span, gold):
    assert exact_match([f"<answer>{span}</answer>"], answer=[gold]) == [0.0]


def test_exact_match_compares_numeric_golds():
    assert exact_match(["<answer>1,000</answer>", "<answer>7</answer>"], answer=[1000, 7.0]) == [1.0, 1.0]


def test_exact_match_reads_the_last_answer_outside_the_reasoning():
    assert exact_match(["<think><answer>x</answer></think><answer>y</answer>"], answer=["y"]) == [1.0]
    assert exact_match(["<answer>x</answer><answer>y</answer>"], answer=["x"]) == [0.0]


def test_exact_match_without_tags_uses_the_text_outside_the_reasoning():
    assert exact_match(["<think>long reasoning</think> Paris"], answer=["paris"]) == [1.0]
    assert exact_match(["Paris"], answer=["paris"], require_tags=True) == [0.0]


def test_exact_match_rows_without_gold_do_not_apply():
    assert exact_match(["<answer>a</answer>"] * 3, answer=[None, ["a"], False]) == [None, None, None]
    assert exact_match(["<answer>a</answer>"]) == [None]


@pytest.mark.parametrize(
    "span",
    [
        "B",
        "(B)",
        "B.",
        "b",
        "[B]",
        "**B**",
        "B) 42",
        "(B) 42",
        "B. forty-two",
        "The answer is B",
        "the answer is (B).",
        "Answer: **B**",
        "Option B",
        "\\text{B}",
        "\\boxed{B}",
        "I pick B because it fits",
    ],
)
def test_choice_reads_the_letter_in_its_usual_spellings(span):
    assert choice([f"<think>A or B?</think><answer>{span}</answer>"], answer=["B"]) == [1.0]


@pytest.mark.parametrize(
    "span",
    ["C", "A or B", "The answer is a triangle", "none of them", "E", "", "BA"],
)
def test_choice_rejects_other_or_ambiguous_answers(span):
    assert choice([f"<answer>{span}</answer>"], answer=["B"]) == [0.0]


def test_choice_gold_may_carry_the_option_text():
    assert choice([chat("<answer>(C)</answer>")], answer=["C. 3.14"]) == [1.0]
    assert choice(["<answer>C</answer>"], answer=["(C) 3.14"]) == [1.0]


def test_choice_gold_without_a_letter_does_not_apply():
    assert choice(["<answer>B</answer>"] * 3, answer=["forty-two", 1, None]) == [None, None, None]


def test_choice_letters_are_configurable():
    assert choice(["<answer>E</answer>"], answer=["E"], letters="ABCDE") == [1.0]
    assert choice(["<answer>E</answer>"], answer=["E"]) == [None]  # E is no option of ABCD
    with pytest.raises(UserError, match="letters"):
        choice(["<answer>B</answer>"], answer=["B"], letters="abcd")


def test_choice_letter_strict_mode_for_gold_answers():
    assert choice_letter("I pick B", "ABCD", loose=False) is None
    assert choice_letter("I pick B", "ABCD") == "B"


def test_exact_match_reads_the_last_delimited_answer():
    """R1-Code-Interpreter answers as <<<answer>>>; without one the row scores 0."""
    completions = ["I ran the code.\n<<<42>>>", "first <<<7>>> then <<<41>>>", "the answer is 42"]
    assert exact_match(completions, answer=["42", "41", "42"], delimiters=["<<<", ">>>"]) == [1.0, 1.0, 0.0]
    with pytest.raises(UserError, match="delimiters"):
        exact_match(["x"], answer=["x"], delimiters=["<<<"])


def test_exact_match_squad_normalization_and_a_list_of_golds():
    """SSRL/Search-R1 score against any golden answer after SQuAD normalisation."""
    completions = ["<answer>The Eiffel Tower!</answer>", "<answer>Paris, France</answer>", "<answer>Lyon</answer>"]
    golds = [["eiffel tower"], ["Paris France", "Paris"], ["Paris"]]
    assert exact_match(completions, golden_answers=golds, golds="golden_answers", normalization="squad") == [
        1.0, 1.0, 0.0]
    assert exact_match(completions[:1], answer=["eiffel tower"]) == [0.0]  # r1kit's default keeps articles
    with pytest.raises(UserError, match="normalization"):
        exact_match(["x"], answer=["x"], normalization="nfkc")


@pytest.mark.parametrize(("span", "expected"), [
    ("\\boxed{AC}", 1.0), ("\\boxed{C, A}", 1.0), ("AC", 1.0),
    ("\\boxed{A}", 0.0), ("\\boxed{ACD}", 0.0), ("\\boxed{Answer: C}", 1.0),  # "Answer" names A, as in DianJin-R1
])
def test_choice_multiple_compares_the_sets_of_letters(span, expected):
    """DianJin-R1's CFLUE reward: every option letter in the last box, compared as a set with the gold's."""
    completion = f"<think>A and C hold</think><answer>{span}</answer>"
    assert choice([completion], answer=["AC"], letters="ABCDEFG", multiple=True) == [expected]


def test_choice_multiple_reads_the_last_box_and_needs_tags_when_asked():
    assert choice(["<answer>\\boxed{B} then \\boxed{D}</answer>"], answer=["D"], multiple=True) == [1.0]
    assert choice(["<think>x</think> \\boxed{D}"], answer=["D"], multiple=True) == [1.0]
    assert choice(["<think>x</think> \\boxed{D}"], answer=["D"], multiple=True, require_tags=True) == [0.0]
    assert choice(["<answer>D</answer>", "<answer>D"], answer=["", None], multiple=True) == [None, None]
