"""Preference judgment: a generative reward model names the better of two responses, `[[A]]` or `[[B]]`.

The gold is the position of the preferred response, "A" or "B" (what the `preference`
adapter writes to `answer` after shuffling the pair); RM-R1's labels "model_a" and
"model_b" and "[[A]]" are read too.
"""

import re

from r1kit.answers import answer_span
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text

_STRICT = re.compile(r"\[\[([AB])\]\]")
# "A", "[A]", "(A)", "**A**", "Chatbot A", "Response A is better", "Assistant B."
_LOOSE = re.compile(
    r"[*\s]*(?:(?:chatbot|response|assistant|answer|model|output)\s+)?[\[(]{0,2}([AB])[\])]{0,2}"
    r"(?:\s+is\s+(?:better|preferred))?[*.\s]*",
    re.IGNORECASE,
)
MAX_ANSWER = 200  # a verdict is a few characters; a longer answer block names no single response


def gold_label(value) -> str | None:
    """"A" or "B" from a gold label ("A", "b", "[[A]]", "model_a"), else None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower().removeprefix("model_").strip("[] ")
    return text.upper() if text in ("a", "b") else None


def verdict(span: str, strict: bool = True) -> str | None:
    """The response an answer block names: "[[A]]" or "[[B]]" exactly (RM-R1), or with `strict=False`
    also "A", "(B)", "Chatbot A", "Response B is better"...; None for anything else."""
    span = span.strip()
    if len(span) > MAX_ANSWER:
        return None
    match = _STRICT.fullmatch(span) or (None if strict else _LOOSE.fullmatch(span))
    return match.group(1).upper() if match else None


@register("preference_judgment")
def preference_judgment(
    completions,
    *,
    answer=None,
    correct: float = 1.0,
    wrong: float = -1.0,
    strict: bool = True,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Pairwise judgment: 1.0 if the final <answer>[[A]]</answer> or [[B]] names the preferred response, else -1.0.

    Source: RM-R1 (Chen et al. 2025), `rm_r1/verl/utils/reward_score/lm_as_judge.py`:
    +1 if the output ends with `<answer>[[X]]</answer>` for the preferred X (and never
    names the other), else -1, with no separate format reward. Think-RM and R1-Reward
    score the same correctness as 1/0 (`wrong: 0.0`); R1-Reward adds 0.5 x format
    (`think_format`, weight 0.5 in the recipe) and a judge-checked consistency bonus
    r1kit does not compute. The verdict is the last `<answer>` block outside the
    reasoning, "[[A]]" or "[[B]]" exactly (`strict: false` also reads "A", "(B)",
    "Chatbot A", ...). None when the gold is not A or B.
    """
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    for name, value in (("correct", correct), ("wrong", wrong)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(f"preference_judgment option {name}={value!r} must be a number")
    n = len(completions)
    rewards = []
    for completion, gold in zip(completions, column(answer, n)):
        gold = gold_label(gold)
        if gold is None:
            rewards.append(None)
            continue
        span = answer_span(completion_text(completion), think_tag=think_tag, answer_tag=answer_tag)
        named = verdict(span, strict) if span is not None else None
        rewards.append(float(correct) if named == gold else float(wrong))
    return rewards
