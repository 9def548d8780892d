"""Time-R1 temporal rewards: its own test examples, exp(-alpha * months) by hand, consistency and penalties."""

import math

import pytest
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.temporal import (
    date_accuracy,
    entity_accuracy,
    months,
    order_accuracy,
    time_completion,
    time_date,
    time_difference,
    time_ordering,
)

DIFF_GOLD = "Event 1: 2019-03, Event 2: 2020-01. Month difference: 10."
ORDER_GOLD = "Event 1: 2021-05, Event 2: 2019-11, Event 3: 2022-08. Event order: 2-1-3."
COMPLETION_GOLD = "Event: 2021-03. Missing entity: 2019."


def reply(text: str) -> str:
    return f"<think>Some reasoning...</think>\n<answer>{text}</answer>"


def test_time_r1_own_examples():
    # The four examples of time_reasoning.py's __main__: every answer right, so each scores
    # 0.05 (format) + its full accuracy (1, 1, 0.6 + 0.4 * 0.999, 1) before tag bonuses.
    assert time_difference([reply(DIFF_GOLD)], answer=[DIFF_GOLD]) == [pytest.approx(1.05)]
    assert time_ordering([reply(ORDER_GOLD)], answer=[ORDER_GOLD]) == [pytest.approx(0.05 + 0.6 + 0.4 * 0.999)]
    assert time_completion([reply(COMPLETION_GOLD)], answer=[COMPLETION_GOLD]) == [pytest.approx(1.05)]
    assert time_date([reply("2025-03"), chat(reply("2025-03"))], answer=["2025-03"] * 2) == [
        pytest.approx(1.05), pytest.approx(1.05)]


def test_date_accuracy_decays_with_the_month_gap():
    assert months("2019-03") == 2019 * 12 + 3 and months("2019-13") is None and months("19-03") is None
    assert date_accuracy("2019-05", "2019-03", 0.1) == pytest.approx(math.exp(-0.2))
    assert date_accuracy("2018-12", "2019-01", 0.1) == pytest.approx(math.exp(-0.1))  # across a year
    assert date_accuracy("2021-03", "2019-03", 0.05) == pytest.approx(math.exp(-1.2))
    rewards = time_date([reply("2019-05"), reply("2018-12")], answer=["2019-03"] * 2, alpha=0.05)
    assert rewards == [pytest.approx(0.05 + math.exp(-0.1)), pytest.approx(0.05 + math.exp(-0.15))]


def test_time_date_penalties():
    completions = [
        "I think March 2019.",          # no answer block: -0.2
        reply("No event happened"),     # "no event": -0.1
        reply("none"),
        reply("March 2019"),            # an answer, not YYYY-MM: 0
        reply("2019-13"),               # no month 13: 0
        "<think><answer>2019-03</answer></think>",  # only inside the reasoning: no answer
    ]
    assert time_date(completions, answer=["2019-03"] * 6) == [-0.2, -0.1, -0.1, 0.0, 0.0, -0.2]
    assert time_date([reply("2019-03")] * 3, answer=["March 2019", None, "2019-3"]) == [None] * 3
    got = time_date(["no tags"], answer=["2019-03"], no_answer_penalty=0.3)  # Time-R1 stage 2
    assert got == [-0.3]


def test_time_difference_by_hand():
    # Dates right, claimed gap 12 instead of 10: gap accuracy exp(-0.1 * 2); the model's own
    # dates are 10 months apart, so consistency exp(-0.1 * |10 - 12|).
    text = reply("Event 1: 2019-03, Event 2: 2020-01. Month difference: 12.")
    expected = 0.05 + (0.25 + 0.25 + 0.5 * math.exp(-0.2)) * math.exp(-0.2)
    assert time_difference([text], answer=[DIFF_GOLD]) == [pytest.approx(expected)]
    # A claimed gap of 25 months or more uses alpha 0.05 for the gap and 0.1 * 25 / N for consistency.
    gold = "Event 1: 2015-01, Event 2: 2018-01. Month difference: 36."
    text = reply("Event 1: 2015-01, Event 2: 2018-06. Month difference: 40.")
    consistency = math.exp(-0.1 * 25 / 40 * abs(41 - 40))
    expected = 0.05 + (0.25 + 0.25 * math.exp(-0.5) + 0.5 * math.exp(-0.05 * 4)) * consistency
    assert time_difference([text], answer=[gold]) == [pytest.approx(expected)]


def test_time_difference_unparsed_and_invalid():
    completions = [reply("10 months"), reply("Event 1: 2019-13, Event 2: 2020-01. Month difference: 10."), "x"]
    assert time_difference(completions, answer=[DIFF_GOLD] * 3) == [-0.2, 0.0, -0.2]
    assert time_difference([reply(DIFF_GOLD)], answer=["2019-03"]) == [None]


def test_time_ordering_by_hand():
    # Dates right, order 1-2-3 claimed (truth 2-1-3): pairs (1,3) and (2,3) right -> 0.666;
    # the claimed order contradicts the model's own dates (2-1-3) with 2 pairs agreeing -> 0.7.
    text = reply("Event 1: 2021-05, Event 2: 2019-11, Event 3: 2022-08. Event order: 1-2-3.")
    assert order_accuracy("1-2-3", "2-1-3") == pytest.approx(0.666)
    expected = 0.05 + (0.6 + 0.4 * 0.666) * 0.7
    assert time_ordering([text], answer=[ORDER_GOLD]) == [pytest.approx(expected)]


def test_time_ordering_diversity_penalty():
    # Three consecutive months in the default order: x 0.2, as Time-R1 punishes lazy answers.
    gold = "Event 1: 2020-01, Event 2: 2020-02, Event 3: 2020-03. Event order: 1-2-3."
    lazy = reply(gold)
    assert time_ordering([lazy], answer=[gold]) == [pytest.approx(0.05 + (0.6 + 0.4 * 0.999) * 0.2)]
    same = reply("Event 1: 2020-01, Event 2: 2020-01, Event 3: 2020-01. Event order: 1-2-3.")
    got = time_ordering([same], answer=[gold])[0]
    assert got == pytest.approx(0.05 + (0.2 * (1 + math.exp(-0.1) + math.exp(-0.2)) + 0.4 * 0.999) * 0.2)
    bad_order = reply("Event 1: 2020-01, Event 2: 2020-02, Event 3: 2020-03. Event order: 1-1-3.")
    assert time_ordering([bad_order, "none"], answer=[gold] * 2) == [0.0, -0.2]


def test_time_completion_years_and_months():
    assert entity_accuracy("2017", "2019", 0.1) == pytest.approx(math.exp(-0.6))
    assert entity_accuracy("Dec.", "January", 0.1) == pytest.approx(math.exp(-0.3))  # around the year
    assert entity_accuracy("9", "sept", 0.1) == 1.0
    gold = "Event: 2021-03. Missing entity: March."
    completions = [
        reply("Event: 2021-04. Missing entity: May."),
        reply("Event: 2021-03. Missing entity: 2019."),  # a year where a month was masked: 0
        reply("Event: 2021-03."),                        # no entity: unparsed
    ]
    expected = 0.05 + 0.5 * math.exp(-0.1) + 0.5 * math.exp(-0.3 * 2)
    assert time_completion(completions, answer=[gold] * 3) == [pytest.approx(expected), 0.0, -0.2]
    assert time_completion([reply(COMPLETION_GOLD)], answer=["Event: 2021-03. Missing entity: Tuesday."]) == [None]


def test_options():
    for name in ("time_date", "time_difference", "time_ordering", "time_completion"):
        with pytest.raises(UserError):
            resolve(name, alpha=-1)
        with pytest.raises(UserError):
            resolve(name, bonus="0.05")
