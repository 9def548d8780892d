"""sat_assignment: SATURN's reward, any satisfying assignment of the row's CNF scores 1."""

from r1kit.rewards import resolve
from r1kit.rewards.sat import sat_assignment, satisfies

FORMULA = "!B!DE & !BCE & !BD!E & !BDE & BC!D"  # a row of SATURN's Train_prompt_3_5_5_270 (solution 10110)


def test_satisfies_follows_saturns_calc_sat_value():
    assert satisfies(FORMULA, "10110")
    assert satisfies(FORMULA, "00110")  # another model of the formula counts too
    assert not satisfies(FORMULA, "01000")  # B true, D false, E false breaks !B!DE
    assert satisfies("A!B", "1") and satisfies("A!B", "")  # missing variables are false: !B holds
    assert not satisfies("AB", "TT")  # only 0/1 mean anything


def test_reward_reads_the_last_box_and_never_raises():
    texts = ["<think>try \\boxed{00000}</think> so \\boxed{10110}", "\\boxed{01000}", "no box here",
             "\\boxed{}", "\\boxed{\x00!!}"]
    # an empty box reads as all false, which happens to satisfy this formula (as in SATURN)
    assert sat_assignment(texts, answer=[FORMULA] * 5) == [1.0, 0.0, -1.0, 1.0, 0.0]
    assert sat_assignment(["\\boxed{1}"], answer=[None]) == [None]
    assert resolve(name="sat_assignment")([[{"role": "assistant", "content": "\\boxed{10110}"}]],
                                           answer=[FORMULA]) == [1.0]
