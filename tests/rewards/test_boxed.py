"""boxed_format, and SimpleRL-Zoo's "independent" reward rebuilt as 1.5 x math_accuracy + 0.5 x boxed_format."""

import pytest

from r1kit.rewards import resolve


def test_boxed_format_scores_a_closed_box_anywhere():
    reward = resolve("boxed_format")
    completions = ["so the answer is \\boxed{42}.", "\\boxed{\\frac{1}{2}} done", "the answer is 42",
                   "\\boxed{42", "\\fbox{7}", [{"role": "assistant", "content": "x = \\boxed{3}"}]]
    assert reward(completions) == [1.0, 1.0, 0.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize(("completion", "simplerl_independent"), [
    ("Adding them gives \\boxed{12}.", 1.0),      # correct and boxed
    ("Adding them gives 12.", 0.5),               # correct, not boxed (SimpleRL's parser reads the last number)
    ("Adding them gives \\boxed{13}.", -0.5),     # boxed, wrong
    ("Adding them gives 13.", -1.0),              # neither: FORMAT_PENALTY_VALUE's default -1
])
def test_weights_reproduce_simplerl_independent_mode_up_to_a_constant(completion, simplerl_independent):
    # SimpleRL reads an unboxed final number as the answer; r1kit's math_accuracy reads boxes and <answer>
    # tags only, so the unboxed rows give their correctness through an <answer> tag here.
    text = completion if "boxed" in completion else f"{completion} <answer>{completion.split()[-1][:-1]}</answer>"
    accuracy = resolve("math_accuracy")([text], answer=["12"])[0]
    boxed = resolve("boxed_format")([text])[0]
    assert 1.5 * accuracy + 0.5 * boxed - 1.0 == simplerl_independent
