"""Final answers in text: tagged spans, \\boxed{}, and gold answers read by the same rules."""

import pytest

from r1kit.answers import answer_span, gold_answer, last_boxed, last_tag_block, outside_tag, tag_blocks


def test_tag_blocks_match_like_a_non_greedy_regex():
    assert tag_blocks("<a>1</a> x <a>2</a>", "a") == ["1", "2"]
    assert tag_blocks("<a>1<a>2</a>3</a>", "a") == ["1<a>2"]
    assert tag_blocks("<a>unclosed", "a") == []
    assert last_tag_block("<a>1</a><a>2</a>", "a") == "2"
    assert last_tag_block("no tags", "a") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>r</think>after", "after"),
        ("before<think>r</think>after", "beforeafter"),
        ("<think>never closed \\boxed{1}", ""),
        ("prefilled by the template</think>after", "after"),
        ("<think><think>x</think></think>after", "after"),
        ("<think>a</think>mid<think>b</think>end", "midend"),
        ("no reasoning", "no reasoning"),
    ],
)
def test_outside_tag_keeps_only_what_follows_the_reasoning(text, expected):
    assert outside_tag(text, "think") == expected


def test_last_boxed_matches_braces_and_skips_malformed_boxes():
    assert last_boxed("\\boxed{1} then \\boxed{\\frac{1}{2}}") == "\\frac{1}{2}"
    assert last_boxed("\\boxed{1} then \\boxed{unclosed") == "1"
    assert last_boxed("\\fbox{7}") == "7"
    assert last_boxed("\\boxed{" + "9" * 2000 + "}") is None
    assert last_boxed("no box") is None


def test_answer_span_ignores_answers_inside_the_reasoning():
    assert answer_span("<think><answer>1</answer></think><answer>2</answer>") == "2"
    assert answer_span("<think><answer>1</answer></think>") is None
    assert answer_span("<r>x</r><a>3</a>", think_tag="r", answer_tag="a") == "3"


def test_gold_answers_follow_gsm8k_then_the_last_box_then_the_text():
    solution = r"We have $x = \frac{2}{4}$, so $x = \boxed{\frac{1}{2}}$."
    assert gold_answer(solution) == r"\frac{1}{2}"
    assert gold_answer("She sold 1,000 + 72 clips.\n#### 1,072") == "1072"
    assert gold_answer(" 17 ") == "17" and gold_answer(17) == "17"
    assert gold_answer(r"\boxed{1} then \boxed{unclosed") == "1"  # as a prediction is read
    assert gold_answer(r"\fbox{7}") == "7"
    assert gold_answer(r"\boxed{unbalanced") == r"\boxed{unbalanced"
    assert gold_answer("\\boxed{" + "9" * 2000 + "}") == "9" * 2000  # a reference is not cut
