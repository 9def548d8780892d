"""math_accuracy: math-verify on the final answer, outside the reasoning, bounded."""

import threading

import pytest
from reward_cases import GOOD, HOSTILE, answer_block, chat

from r1kit.errors import UserError
from r1kit.rewards.math_accuracy import math_accuracy
from r1kit.rewards.registry import resolve


@pytest.mark.parametrize(
    ("text", "gold", "expected"),
    [
        (GOOD, "5", 1.0),
        (GOOD, "6", 0.0),
        (GOOD, 5, 1.0),  # numeric gold
        ("<think>r</think><answer>$\\frac{1}{2}$</answer>", "0.5", 1.0),
        ("<think>r</think><answer>\\boxed{\\frac{1}{3}}</answer>", "\\frac{1}{3}", 1.0),
        ("<think>r</think><answer>x = 5</answer>", "5", 1.0),
        ("<think>r</think><answer>1,000</answer>", "1000", 1.0),
        ("<think>r</think><answer>2\\pi</answer>", "2\\pi", 1.0),
        # A bare gold is read as LaTeX: "2\pi" is not 2 (plain parsing would stop at the 2).
        ("<think>r</think><answer>2</answer>", "2\\pi", 0.0),
        ("<think>r</think> so the answer is \\boxed{5}", "5", 1.0),  # boxed fallback
        ("\\boxed{5}", "5", 1.0),
        ("<think>guess \\boxed{5}</think> no answer given", "5", 0.0),  # box only in the reasoning
        ("<think><answer>5</answer></think>", "5", 0.0),  # answer only in the reasoning
        ("<think>r</think><answer>4</answer><answer>5</answer>", "5", 1.0),  # the last answer counts
        ("<think>r</think><answer>5</answer><answer>4</answer>", "5", 0.0),
        ("<answer>4</answer> \\boxed{5}", "5", 0.0),  # the answer tag beats a box
        ("<think>r</think><answer>" + "1+" * 600 + "1</answer>", "1201", 0.0),  # span too long to parse
    ],
)
def test_math_accuracy(text, gold, expected):
    assert math_accuracy([text], answer=[gold]) == [expected]
    assert math_accuracy([chat(text)], answer=[gold]) == [expected]


def test_modes_choose_where_the_answer_is_read():
    text = "<answer>4</answer> \\boxed{5}"
    assert math_accuracy([text], answer=["5"], mode="boxed") == [1.0]
    assert math_accuracy([text], answer=["4"], mode="answer_tag") == [1.0]
    assert math_accuracy(["\\boxed{5}"], answer=["5"], mode="answer_tag") == [0.0]
    with pytest.raises(UserError, match="mode"):
        math_accuracy([text], answer=["5"], mode="last")


def test_rows_without_a_usable_gold_answer_do_not_apply():
    rewards = math_accuracy([GOOD] * 5, answer=["5", None, "", "   ", True])
    assert rewards == [1.0, None, None, None, None]
    assert math_accuracy([GOOD, GOOD]) == [None, None]  # no answer column at all


def test_custom_tags():
    text = "<reasoning>\\boxed{4}</reasoning><final>5</final>"
    assert math_accuracy([text], answer=["5"], think_tag="reasoning", answer_tag="final") == [1.0]


def test_works_in_a_worker_thread_where_signals_are_unavailable():
    completions = [GOOD, "<think>r</think><answer>6</answer>", HOSTILE["power_tower"], HOSTILE["huge_factorial"]]
    result = {}
    worker = threading.Thread(
        target=lambda: result.setdefault("r", math_accuracy(completions, answer=["5"] * 4)), daemon=True
    )
    worker.start()
    worker.join(timeout=60)  # a guard against a hang, not a timing assertion
    assert not worker.is_alive()
    assert result["r"] == [1.0, 0.0, 0.0, 0.0]


def test_numbers_too_big_to_evaluate_score_zero_but_big_fair_ones_are_checked():
    assert math_accuracy([HOSTILE["power_tower"]], answer=["10"]) == [0.0]
    assert math_accuracy(["<answer>2^{2^{5}}</answer>"], answer=["4294967296"]) == [1.0]
    assert math_accuracy(["<answer>10^{100}</answer>"], answer=["10^{100}"]) == [1.0]


@pytest.mark.parametrize("timeout", [0, -1, 1.5, "2", True])
def test_timeout_must_be_whole_seconds(timeout):
    with pytest.raises(UserError, match="timeout_seconds"):
        math_accuracy([GOOD], answer=["5"], timeout_seconds=timeout)


@pytest.mark.parametrize(
    ("span", "gold"),
    [("2^{n-1}", "2^{n-1}"), ("x^{a+b}", "x^{b+a}"), ("(x+1)^{3}", "(1+x)^3"), ("10!", "3628800")],
)
def test_symbolic_and_moderate_powers_are_still_verified(span, gold):
    assert math_accuracy([f"<answer>{span}</answer>"], answer=[gold]) == [1.0]


@pytest.mark.parametrize("span", ["x^{10^{10^{10}}}", "(x+1)^{10^{9}}", "(10^{9})!", "99999999999^{999999}"])
def test_expressions_too_costly_to_evaluate_score_zero_in_a_worker_thread(span):
    result = {}
    worker = threading.Thread(
        target=lambda: result.setdefault("r", math_accuracy([f"<answer>{span}</answer>"], answer=["5"])), daemon=True
    )
    worker.start()
    worker.join(timeout=60)  # a guard against a hang, not a timing assertion
    assert result.get("r") == [0.0]


def test_worker_processes_score_a_big_batch_as_one_process_does():
    golds = [f"\\frac{{{i}}}{{7}}" for i in range(40)]
    completions = [f"<think>t</think><answer>\\frac{{{i + (i % 3 == 0)}}}{{7}}</answer>" for i in range(40)]
    completions[5] = "<answer>" + "(" * 900 + "</answer>"  # hostile rows behave the same in a worker
    completions[6] = None
    one = resolve("math_accuracy", workers=1)(completions, answer=golds)
    two = resolve("math_accuracy", workers=2)(completions, answer=golds)
    assert one == two
    assert one.count(1.0) == 40 - 14 - 1 and one[5] == one[6] == 0.0  # 14 off by one, row 5 hostile, 6 both


# Prose golds from TRL's `test_accuracy_reward` and open-r1's `test_unparseable_solution`:
# math-verify returns the text itself, or a product of its letters, which is no answer.
@pytest.mark.parametrize("gold", ["forty two", "Answer is forty three.", "three", "Yes", "xy"])
def test_a_gold_answer_that_is_prose_skips_the_row(gold):
    completions = [answer_block("42"), answer_block("43"), answer_block(gold), "\\boxed{42}"]
    assert math_accuracy(completions, answer=[gold] * 4) == [None] * 4


@pytest.mark.parametrize(("gold", "right"), [("x", "x"), ("x^2", "x^{2}"), ("2xy", "2yx"), ("e", "e"), ("2\\pi", "2\\pi")])
def test_a_single_letter_a_power_or_a_product_with_a_number_is_still_math(gold, right):
    assert math_accuracy([answer_block(right), answer_block("7")], answer=[gold, gold]) == [1.0, 0.0]


def test_length_rewards_skip_prose_golds_too():
    completions = [answer_block("42"), answer_block("5")]
    assert resolve("cosine_length")(completions, answer=["forty two", "5"]) == [None, pytest.approx(1.0, abs=0.01)]
    assert resolve("kimi_length")(completions, answer=["forty two", "5"], prompts=["p", "p"]) == [None, 0.5]  # the shorter, right
