"""The boxed-answer format reward: did the completion put an answer in `\\boxed{}`? (SimpleRL-Zoo's format term)."""

from r1kit.answers import last_boxed
from r1kit.rewards.registry import register
from r1kit.rewards.text import completion_text


@register("boxed_format")
def boxed_format(completions, **kwargs) -> list[float]:
    """Boxed format: 1.0 if the completion holds a well-formed \\boxed{…} (or \\fbox{…}), else 0.0.

    Source: SimpleRL-Zoo (hkust-nlp/simpleRL-reason, verl/utils/reward_score/hf_math_verify.py,
    `extract_solution`): `is_boxed_matched` is whether `extract_last_boxed` finds a box. Its
    "independent" reward is 1 / 0.5 / -0.5 / -1 for right and boxed / right / boxed / neither,
    which is exactly 1.5 x math_accuracy + 0.5 x boxed_format - 1; a constant shift leaves
    GRPO's group-relative advantages unchanged, so weights 1.5 and 0.5 reproduce it. Its
    default ("mix") is correctness alone: boxed_format at weight 0. SimpleRL's regex matches
    braces nested two deep; here any depth counts (r1kit.answers.last_boxed).
    """
    return [1.0 if last_boxed(completion_text(c)) is not None else 0.0 for c in completions]
