"""Temporal rewards: Time-R1's dates, month gaps, event orders and masked time entities, scored by distance.

Source: Time-R1 (Liu et al. 2025), `verl/utils/reward_score/time_reasoning.py` (stage 1:
comprehension) and `time_prediction.py` (stage 2: prediction). Every task scores
    format bonus (0.05 when the answer parses) + accuracy - no-answer penalty,
with date accuracy exp(-alpha * |months between prediction and truth|). The gold
`answer` is written the way the model must answer, and is parsed the same way:
    time_date        "2019-03"
    time_difference  "Event 1: 2019-03, Event 2: 2020-01. Month difference: 10."
    time_ordering    "Event 1: 2021-05, Event 2: 2019-11, Event 3: 2022-08. Event order: 2-1-3."
    time_completion  "Event: 2021-03. Missing entity: 2019."   (a year, or a month name)
Time-R1 adds tag bonuses (0.025 for a strict think/answer layout, 0.025 x 0.33 per
tag seen once) and a length/repetition penalty to every task; in r1kit those are the
`think_format`, `think_format_soft` and `repetition` rewards, weighted in the recipe.
"""

import math
import re

from r1kit.answers import answer_span
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text

_YEAR_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_DIFF = re.compile(r"Event 1: (\d{4}-\d{2}), Event 2: (\d{4}-\d{2})\. Month difference: (\d{1,3})\.")
_ORDER = re.compile(
    r"Event 1: (\d{4}-\d{2}), Event 2: (\d{4}-\d{2}), Event 3: (\d{4}-\d{2})\. Event order: (\d-\d-\d)\.")
_COMPLETION = re.compile(r"Event: (\d{4}-\d{2})\. Missing entity: (.+?)\.")
MAX_ANSWER = 1000  # longer answer spans are not one of these short formats; they are cut before parsing

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MONTH_VARIANTS = {name: i for i, name in enumerate(MONTHS)}
_MONTH_VARIANTS.update({name[:3]: i for i, name in enumerate(MONTHS)})
_MONTH_VARIANTS.update({name[:3] + ".": i for i, name in enumerate(MONTHS)})
_MONTH_VARIANTS.update({"sept": 8, "sept.": 8})


def months(date: str) -> int | None:
    """A "YYYY-MM" date (month 01-12) as a count of months, or None."""
    m = _YEAR_MONTH.fullmatch(date.strip()) if isinstance(date, str) else None
    return int(m.group(1)) * 12 + int(m.group(2)) if m else None


def date_accuracy(predicted: str, gold: str, alpha: float) -> float:
    """exp(-alpha * |month gap|), Time-R1's `date_prediction_reward`; 0.0 if either is not YYYY-MM."""
    a, b = months(predicted), months(gold)
    return 0.0 if a is None or b is None else math.exp(-alpha * abs(a - b))


def _span(completion, think_tag, answer_tag) -> str | None:
    span = answer_span(completion_text(completion), think_tag=think_tag, answer_tag=answer_tag)
    return None if span is None else span.strip()[:MAX_ANSWER]


def _check(name, alpha, bonus, no_answer_penalty, think_tag, answer_tag):
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    for option, value in (("alpha", alpha), ("bonus", bonus), ("no_answer_penalty", no_answer_penalty)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise UserError(f"{name} option {option}={value!r} must be a number >= 0")


def _rows(completions, answer, think_tag, answer_tag):
    n = len(completions)
    for completion, gold in zip(completions, column(answer, n)):
        yield _span(completion, think_tag, answer_tag), gold if isinstance(gold, str) else None


# --- timestamp inference and future prediction --------------------------------------


@register("time_date")
def time_date(
    completions,
    *,
    answer=None,
    alpha: float = 0.1,
    bonus: float = 0.05,
    no_answer_penalty: float = 0.2,
    no_event_penalty: float = 0.1,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Time-R1 date inference/prediction: 0.05 + exp(-alpha * |months off|) for a "YYYY-MM" answer; -0.2 without an answer.

    Source: Time-R1 `compute_time_inferring_score` (stage 1) and `time_prediction.py`
    (stage 2): format bonus 0.05 when the answer is exactly YYYY-MM, plus
    exp(-alpha * |month gap|) to the gold date (alpha 0.1; Time-R1 eases hard samples in
    from alpha 0.07); a penalty of 0.2 (stage 2: 0.3) when there is no answer and 0.1
    (stage 2: 0.2) when the answer says "no event" or "none". The answer is the last
    `<answer>` block outside the reasoning. None when the gold is not YYYY-MM.
    """
    _check("time_date", alpha, bonus, no_answer_penalty, think_tag, answer_tag)
    rewards = []
    for span, gold in _rows(completions, answer, think_tag, answer_tag):
        if gold is None or months(gold) is None:
            rewards.append(None)
        elif span is None:
            rewards.append(-no_answer_penalty)
        elif months(span) is not None:
            rewards.append(bonus + date_accuracy(span, gold, alpha))
        else:
            lowered = span.lower()
            rewards.append(-no_event_penalty if "no event" in lowered or "none" in lowered else 0.0)
    return rewards


# --- time difference -------------------------------------------------------------------


def _consistency(date1: str, date2: str, claimed: int) -> float:
    """Time-R1 `compute_inconsistency_penalty`: exp(-a * |actual gap - claimed gap|), a = 0.1,
    relaxed to 0.1 * 25 / claimed for claimed gaps of 25 months or more."""
    actual = abs(months(date1) - months(date2))
    rate = 0.1 * min(1.0, 25.0 / claimed) if claimed >= 25 else 0.1
    return math.exp(-rate * abs(actual - claimed))


@register("time_difference")
def time_difference(
    completions,
    *,
    answer=None,
    alpha: float = 0.1,
    bonus: float = 0.05,
    no_answer_penalty: float = 0.2,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Time-R1 time difference: 0.05 + (0.25 date1 + 0.25 date2 + 0.5 gap accuracy) x consistency; -0.2 if unparsed.

    Source: Time-R1 `compute_time_diff_score_fixed_alpha`. The answer must contain
    "Event 1: YYYY-MM, Event 2: YYYY-MM. Month difference: N." (else -0.2). With both
    dates valid: 0.05 + (0.25 exp(-alpha d1) + 0.25 exp(-alpha d2) + 0.5 exp(-a |N - N*|))
    x exp(-c |gap(date1, date2) - N|), where a = 0.05 for N >= 25 else alpha, and
    c = 0.1 (x 25/N for N >= 25) penalises a claimed gap that contradicts the model's own
    dates. None when the gold does not parse.
    """
    _check("time_difference", alpha, bonus, no_answer_penalty, think_tag, answer_tag)
    rewards = []
    for span, gold in _rows(completions, answer, think_tag, answer_tag):
        truth = _DIFF.search(gold[:MAX_ANSWER]) if gold else None
        if truth is None or months(truth.group(1)) is None or months(truth.group(2)) is None:
            rewards.append(None)
            continue
        pred = _DIFF.search(span) if span is not None else None
        if pred is None:
            rewards.append(-no_answer_penalty)
            continue
        date1, date2, claimed = pred.group(1), pred.group(2), int(pred.group(3))
        if months(date1) is None or months(date2) is None:
            rewards.append(0.0)
            continue
        gap_alpha = 0.05 if claimed >= 25 else alpha
        accuracy = (0.25 * date_accuracy(date1, truth.group(1), alpha)
                    + 0.25 * date_accuracy(date2, truth.group(2), alpha)
                    + 0.5 * math.exp(-gap_alpha * abs(claimed - int(truth.group(3)))))
        rewards.append(bonus + accuracy * _consistency(date1, date2, claimed))
    return rewards


# --- event ordering --------------------------------------------------------------------


def order_accuracy(predicted: str, gold: str) -> float:
    """Time-R1 `compute_order_accuracy`: 0.999 for the same order, else 0.333 per pair of events in the right order."""
    if predicted == gold:
        return 0.999
    p, g = predicted.split("-"), gold.split("-")
    pairs = (("1", "2"), ("1", "3"), ("2", "3"))
    return 0.333 * sum((p.index(a) < p.index(b)) == (g.index(a) < g.index(b)) for a, b in pairs)


def _valid_order(order: str) -> bool:
    return sorted(order.split("-")) == ["1", "2", "3"]


def _order_of(dates: list[str]) -> str:
    stamps = [months(d) for d in dates]
    return "-".join(str(i + 1) for i in sorted(range(3), key=lambda i: stamps[i]))


def _order_consistency(dates: list[str], claimed: str) -> float:
    """Time-R1 `compute_order_consistency_penalty`: 1 if the claimed order is the order of the
    model's own dates, else 0.7 / 0.4 / 0.2 by how many pairs still agree."""
    similarity = order_accuracy(claimed, _order_of(dates))
    if similarity == 0.999:
        return 1.0
    return 0.7 if similarity >= 0.666 else 0.4 if similarity >= 0.333 else 0.2


def _diversity(dates: list[str], claimed: str) -> float:
    """Time-R1 `compute_date_diversity_penalty`: 0.2 for three equal months, or three consecutive
    months listed in the default order (1-2-3 rising, 3-2-1 falling); else 1."""
    m1, m2, m3 = (months(d) for d in dates)
    if m1 == m2 == m3:
        return 0.2
    if (m2 == m1 + 1 and m3 == m2 + 1 and claimed == "1-2-3") or (m2 == m1 - 1 and m3 == m2 - 1 and claimed == "3-2-1"):
        return 0.2
    return 1.0


@register("time_ordering")
def time_ordering(
    completions,
    *,
    answer=None,
    alpha: float = 0.1,
    bonus: float = 0.05,
    no_answer_penalty: float = 0.2,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Time-R1 event ordering: 0.05 + (0.2 x 3 date accuracies + 0.4 order accuracy) x consistency x diversity; -0.2 if unparsed.

    Source: Time-R1 `compute_time_order_score_fixed_alpha`. The answer must contain
    "Event 1: YYYY-MM, Event 2: YYYY-MM, Event 3: YYYY-MM. Event order: X-X-X." (else
    -0.2); with valid dates and a permutation of 1-2-3: 0.05 + (0.2 sum exp(-alpha d_i)
    + 0.4 order accuracy) x consistency x diversity, where order accuracy is 0.999 for
    the right order and 0.333 per pair in the right relative order, consistency is 1 if
    the order follows the model's own dates (else 0.7/0.4/0.2), and diversity 0.2
    punishes three equal months or consecutive months in the default order. None when
    the gold does not parse.
    """
    _check("time_ordering", alpha, bonus, no_answer_penalty, think_tag, answer_tag)
    rewards = []
    for span, gold in _rows(completions, answer, think_tag, answer_tag):
        truth = _ORDER.search(gold[:MAX_ANSWER]) if gold else None
        if truth is None or not _valid_order(truth.group(4)) or any(months(truth.group(i)) is None for i in (1, 2, 3)):
            rewards.append(None)
            continue
        pred = _ORDER.search(span) if span is not None else None
        if pred is None:
            rewards.append(-no_answer_penalty)
            continue
        dates, claimed = [pred.group(i) for i in (1, 2, 3)], pred.group(4)
        if any(months(d) is None for d in dates) or not _valid_order(claimed):
            rewards.append(0.0)
            continue
        accuracy = 0.2 * sum(date_accuracy(d, truth.group(i + 1), alpha) for i, d in enumerate(dates))
        accuracy += 0.4 * order_accuracy(claimed, truth.group(4))
        rewards.append(bonus + accuracy * _order_consistency(dates, claimed) * _diversity(dates, claimed))
    return rewards


# --- masked time entity completion -----------------------------------------------------


def _month_index(entity: str) -> int | None:
    entity = entity.strip().lower()
    if entity.isdigit() and 1 <= int(entity) <= 12:
        return int(entity) - 1
    return _MONTH_VARIANTS.get(entity)


def _year(entity: str) -> int | None:
    entity = entity.strip()
    return int(entity) if entity.isdigit() and len(entity) <= 4 and 1900 <= int(entity) <= 2100 else None


def entity_accuracy(predicted: str, gold: str, alpha: float) -> float:
    """Time-R1 `entity_match_score` with rate 3 x alpha: a year by exp(-3 alpha |years off|),
    a month (name, abbreviation or number) by exp(-3 alpha x circular months off)."""
    gold_year = _year(gold)
    if gold_year is not None:
        year = _year(predicted)
        return 0.0 if year is None else math.exp(-3 * alpha * abs(year - gold_year))
    gold_month, month = _month_index(gold), _month_index(predicted)
    if gold_month is None or month is None:
        return 0.0
    off = abs(gold_month - month)
    return math.exp(-3 * alpha * min(off, 12 - off))


@register("time_completion")
def time_completion(
    completions,
    *,
    answer=None,
    alpha: float = 0.1,
    bonus: float = 0.05,
    no_answer_penalty: float = 0.2,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Time-R1 masked time entity: 0.05 + 0.5 date accuracy + 0.5 entity accuracy (year or month); -0.2 if unparsed.

    Source: Time-R1 `compute_time_completion_score_fixed_alpha`. The answer must contain
    "Event: YYYY-MM. Missing entity: X." (else -0.2). The gold's entity decides the mask
    type: a 4-digit year (scored exp(-3 alpha |years off|)) or a month name or number
    (exp(-3 alpha x circular months off)). With a valid date and an entity of that type:
    0.05 + 0.5 exp(-alpha |months off|) + 0.5 entity accuracy; otherwise 0. None when
    the gold does not parse.
    """
    _check("time_completion", alpha, bonus, no_answer_penalty, think_tag, answer_tag)
    rewards = []
    for span, gold in _rows(completions, answer, think_tag, answer_tag):
        truth = _COMPLETION.search(gold[:MAX_ANSWER]) if gold else None
        gold_entity = truth.group(2) if truth else ""
        if truth is None or months(truth.group(1)) is None or (
                _year(gold_entity) is None and _month_index(gold_entity) is None):
            rewards.append(None)
            continue
        pred = _COMPLETION.search(span) if span is not None else None
        if pred is None:
            rewards.append(-no_answer_penalty)
            continue
        date, entity = pred.group(1), pred.group(2)
        right_type = _year(entity) is not None if _year(gold_entity) is not None else _month_index(entity) is not None
        if months(date) is None or not right_type:
            rewards.append(0.0)
            continue
        rewards.append(bonus + 0.5 * date_accuracy(date, truth.group(1), alpha)
                       + 0.5 * entity_accuracy(entity, gold_entity, alpha))
    return rewards
