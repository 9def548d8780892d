"""autothink: AutoThink's base reward by thinking mode, its loop penalty, and its two stage-wise shapings."""

import math

import pytest

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.autothink import autothink, degenerate

THINK_RIGHT = "Let me add: 2 + 3 = 5.\n</think>\n\nThe sum is \\boxed{5}."
THINK_WRONG = "Let me add: 2 + 3 = 6.\n</think>\n\nThe sum is \\boxed{6}."
FAST_RIGHT = "</think>\n\n\\boxed{5}"
FAST_WRONG = "</think>\n\n\\boxed{7}"


def test_base_reward_by_mode_as_reward_types_sets_it():
    completions = [THINK_RIGHT, THINK_WRONG, FAST_RIGHT, FAST_WRONG]
    assert autothink(completions, answer=["5"] * 4, prompts=["p", "q", "r", "s"]) == [1.0, 0.0, 2.0, -1.0]


def test_no_answer_after_the_reasoning_scores_zero_in_either_mode():
    no_close = "2 + 3 = 5, so \\boxed{5}"  # never left the reasoning
    boxed_inside = "\\boxed{5}\n</think>\n\nfive"
    fast_unboxed = "</think>\n\nfive"
    assert autothink([no_close, boxed_inside, fast_unboxed], answer=["5"] * 3, prompts=["a", "b", "c"]) == [0.0] * 3


def test_a_looping_wrong_fast_reply_scores_minus_two():
    loop = "</think>\n\n" + "so so so " * 12 + "\\boxed{7}"
    assert degenerate(loop) and not degenerate(THINK_WRONG)
    assert degenerate("x" * 120)
    assert autothink([loop], answer=["5"], prompts=["p"]) == [-2.0]
    assert autothink(["so " * 12 + "\n</think>\n\\boxed{5}"], answer=["5"], prompts=["p"]) == [1.0]  # right: kept


def test_length_shaping_within_a_group():
    short, long = "5\n</think>\n\\boxed{5}", "2 plus 3 is 5 " * 5 + "\n</think>\n\\boxed{5}"
    wrong_short, wrong_long = "6\n</think>\n\\boxed{6}", "2 plus 3 is 6 " * 5 + "\n</think>\n\\boxed{6}"
    completions = [short, long, wrong_short, wrong_long]
    ids = [[0] * 10, [0] * 30, [0] * 10, [0] * 30]
    rewards = autothink(completions, answer=["5"] * 4, prompts=["p"] * 4, completion_ids=ids, alpha=0.05, beta=0.05)
    z = 10 / math.sqrt(200)  # two lengths 10 and 30: mean 20, unbiased std sqrt(200)
    assert rewards == pytest.approx([1 + math.exp(0.05 * z) - 1, 1 + math.exp(-0.05 * z) - 1,
                                     1 - math.exp(0.05 * z), 1 - math.exp(-0.05 * z)])
    assert rewards[0] > rewards[1] and rewards[3] > rewards[2]  # short right gains; long wrong loses less
    # one right reply per group: nothing to compare, no shaping; stage 2 (alpha = beta = 0): none either
    assert autothink([short, wrong_long], answer=["5"] * 2, prompts=["p"] * 2, alpha=0.05, beta=0.05) == [1.0, 0.0]


def test_batch_balance_pulls_the_over_represented_mode():
    completions = [THINK_RIGHT, THINK_WRONG, THINK_RIGHT, FAST_RIGHT]  # 3 of 4 think
    rewards = autothink(completions, answer=["5"] * 4, prompts=list("abcd"), balance_rate=0.5)
    f = (0.75 - 0.5) * 2.0
    assert rewards == pytest.approx([(1 - f) * 1.0, (1 - f) * 0.0 - f, (1 - f) * 1.0, 2.0])
    # a balanced batch, or rate 1.0 (stage 2), is left alone
    assert autothink(completions, answer=["5"] * 4, prompts=list("abcd")) == [1.0, 0.0, 1.0, 2.0]
    assert autothink([THINK_RIGHT, FAST_RIGHT], answer=["5"] * 2, prompts=["a", "b"], balance_rate=0.5) == [1.0, 2.0]


def test_registered_with_stage_options_and_checked():
    reward = resolve("autothink", balance_rate=0.5)
    assert reward([FAST_WRONG], answer=["5"], prompts=["p"]) == [-2.0]  # all no-think: f = 1, wrong target -2
    assert autothink([THINK_RIGHT], answer=[None], prompts=["p"]) == [None]
    with pytest.raises(UserError, match="balance_rate"):
        autothink([THINK_RIGHT], answer=["5"], balance_rate=1.5)
    with pytest.raises(UserError, match="alpha"):
        autothink([THINK_RIGHT], answer=["5"], alpha=-0.1)
