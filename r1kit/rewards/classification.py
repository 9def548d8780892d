"""Image classification: the answer names the gold class (CLS-RL's equality reward, Visual-RFT's containment)."""

import re

from r1kit.answers import answer_span, outside_tag
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text

MAX_ANSWER = 1000  # a longer answer is not a class name; it scores 0
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalize_label(text: str) -> str:
    """Case, punctuation (underscores and hyphens included) and whitespace runs do not matter."""
    return " ".join(_PUNCTUATION.sub(" ", text).split()).casefold()


def _compact(text: str) -> str:
    return normalize_label(text).replace(" ", "")


def _predicted(completion, require_tags: bool, think_tag: str, answer_tag: str) -> str | None:
    """The last `<answer>` block outside the reasoning; without one, the last non-empty line
    outside the reasoning (None when tags are required or there is no text)."""
    text = completion_text(completion)
    span = answer_span(text, think_tag=think_tag, answer_tag=answer_tag)
    if span is None and not require_tags:
        lines = [line for line in outside_tag(text, think_tag)[-100 * MAX_ANSWER:].splitlines() if line.strip()]
        span = lines[-1] if lines else None
    return span if span is not None and len(span) <= MAX_ANSWER else None


def _strings(value) -> list[str] | None:
    if isinstance(value, str):
        return [value] if value.strip() else None
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) and v.strip() for v in value):
        return list(value)
    return None


def _contains(predicted: str, golds: list[str], labels: list[str] | None) -> bool:
    """Visual-RFT's rule (gold in answer or answer in gold, spaces and underscores ignored), on a
    non-empty answer. With a label set: the answer must contain the gold name and no other class."""
    answer = _compact(predicted)
    if not answer:
        return False
    gold = [_compact(g) for g in golds]
    if labels is None:
        return any(g in answer or answer in g for g in gold)
    if not any(g in answer for g in gold):
        return False
    # A label that is part of a gold name ("retriever" in "golden retriever") is not another class.
    others = {_compact(label) for label in labels} - set(gold)
    return not any(o and o in answer and not any(o in g for g in gold) for o in others)


@register("class_match")
def class_match(
    completions,
    *,
    answer=None,
    match: str = "exact",
    labels_column: str | None = "labels",
    require_tags: bool = False,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Classification: 1.0 if the answer names the gold class (case, spaces, punctuation ignored), else 0.0.

    Source: CLS-RL (Li et al. 2025), `src/cls-rl/src/open_r1/grpo.py` `accuracy_reward`:
    the `<answer>` content, stripped, equals the gold class case-insensitively
    (`match: exact`; here punctuation, underscores and whitespace runs are ignored as
    well). `match: contains` is Visual-RFT's classification reward
    (`grpo_classification.py`): the gold, spaces and underscores removed, is a substring of
    the answer or the answer of the gold; an empty answer scores 0 here (in Visual-RFT
    the empty string is in every gold and scores 1).

    The answer is the last `<answer>` block outside the reasoning, else (unless
    `require_tags`) the last non-empty line outside it; longer than 1000 characters, 0.
    The gold `answer` is a class name or a list of accepted names. With `match: contains`
    the row's class list, read from the column named by `labels_column` (default
    `labels`; null to ignore it), closes the loopholes of containment: the answer must
    contain the gold name (a part of it, "retriever", no longer counts) and no other
    class of the list, so "cat or dog" earns nothing. (With
    `match: exact` an answer outside the list cannot equal the gold, so the list changes
    nothing.) None when the gold is missing.
    """
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    if match not in ("exact", "contains"):
        raise UserError(f"class_match option match={match!r} must be 'exact' or 'contains'")
    if labels_column is not None and (not isinstance(labels_column, str) or not labels_column):
        raise UserError(f"class_match option labels_column={labels_column!r} must be a column name or null")
    n = len(completions)
    label_sets = column(kwargs.get(labels_column) if labels_column else None, n)
    rewards = []
    for completion, gold, labels in zip(completions, column(answer, n), label_sets):
        golds = _strings(gold)
        if golds is None:
            rewards.append(None)
            continue
        labels = _strings(labels) if not isinstance(labels, str) else None
        predicted = _predicted(completion, require_tags, think_tag, answer_tag)
        if predicted is None:
            rewards.append(0.0)
        elif match == "contains":
            rewards.append(float(_contains(predicted, golds, labels)))
        else:  # an answer outside the label set cannot equal the gold, so the set changes nothing here
            name = normalize_label(predicted)
            rewards.append(float(bool(name) and any(name == normalize_label(g) for g in golds)))
    return rewards
