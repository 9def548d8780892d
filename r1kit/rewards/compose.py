"""Rewards built from other rewards: `all_of`, `weighted_sum`, and Vision-R1's HFRRF.

The combinators are classes rather than closures so that the rewards they build pickle
(TRL's async rollout workers send reward functions to another process).
"""

import functools

from r1kit.errors import UserError
from r1kit.rewards import registry
from r1kit.rewards.format import think_format

ACCURACY_REWARDS = ("math_accuracy", "exact_match", "choice")


def accuracy_reward(name: str, options: dict | None = None, option: str = "accuracy", **fixed):
    """The registered accuracy reward `name` with `fixed` and then `options` bound;
    UserError if `name` is not an accuracy reward or an option is not one of its own."""
    if name not in ACCURACY_REWARDS:
        raise UserError(f"reward option {option}={name!r} must be one of {', '.join(ACCURACY_REWARDS)}")
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise UserError(f"reward option {option}_kwargs must be a mapping of {name}'s options, not {options!r}")
    fn = registry.get(name)
    registry.check_options(fn, name, options)
    return functools.partial(fn, **{**fixed, **options})


def reward_name(fn) -> str:
    """How TRL would name `fn` (partials are named after the function they wrap)."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return getattr(fn, "__name__", type(fn).__name__)


class all_of:  # lowercase: used like a function
    """A reward that is 1.0 where every component scores >= 1, else 0.0; None where any
    component is None (it does not apply to that row)."""

    def __init__(self, *rewards):
        if not rewards:
            raise ValueError("all_of needs at least one reward")
        self.rewards = rewards
        self.__name__ = "all_of(" + ",".join(reward_name(r) for r in rewards) + ")"

    def __call__(self, completions, **kwargs) -> list[float | None]:
        scores = [reward(completions, **kwargs) for reward in self.rewards]
        combined = []
        for row in zip(*scores, strict=True):
            if any(score is None for score in row):
                combined.append(None)
            else:
                combined.append(1.0 if all(score >= 1.0 for score in row) else 0.0)
        return combined


class weighted_sum:  # lowercase: used like a function
    """A reward that is sum(weight * score) over its components, skipping components that
    are None for a row (as TRL does); None where all of them are."""

    def __init__(self, *weighted):
        if not weighted or not all(isinstance(pair, tuple) and len(pair) == 2 for pair in weighted):
            raise ValueError("weighted_sum takes (reward, weight) pairs")
        self.weighted = weighted
        self.__name__ = "weighted_sum(" + ",".join(f"{w}*{reward_name(r)}" for r, w in weighted) + ")"

    def __call__(self, completions, **kwargs) -> list[float | None]:
        scores = [reward(completions, **kwargs) for reward, _ in self.weighted]
        weights = [weight for _, weight in self.weighted]
        combined = []
        for row in zip(*scores, strict=True):
            terms = [w * score for w, score in zip(weights, row) if score is not None]
            combined.append(sum(terms) if terms else None)
        return combined


@registry.register("hard_format_accuracy")
def hard_format_accuracy(
    completions,
    *,
    accuracy: str = "math_accuracy",
    accuracy_kwargs: dict | None = None,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Vision-R1 HFRRF: 1.0 iff the strict think/answer format holds AND the answer is correct, else 0.0.

    Source: Vision-R1 (Huang et al. 2025), the "hard formatting result reward function":
    r = 1 if format and result are both right, otherwise 0. Built as
    `all_of(think_format, <accuracy>)`, with `accuracy` one of math_accuracy (default),
    exact_match or choice, and `accuracy_kwargs` its options. The tags apply to both.
    None where the accuracy reward does not apply (no gold answer).
    """
    tags = {"think_tag": think_tag, "answer_tag": answer_tag}
    correct = accuracy_reward(accuracy, accuracy_kwargs, **tags)
    return all_of(functools.partial(think_format, **tags), correct)(completions, **kwargs)
