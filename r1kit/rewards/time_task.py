"""One temporal reward for mixed Time-R1 rows: the score of whichever task the gold answer's format names."""

from r1kit.rewards.registry import register
from r1kit.rewards.temporal import time_completion, time_date, time_difference, time_ordering

TASKS = (time_date, time_difference, time_ordering, time_completion)


@register("time_r1")
def time_r1(completions, *, answer=None, alpha: float = 0.1, bonus: float = 0.05, no_answer_penalty: float = 0.2,
            think_tag: str = "think", answer_tag: str = "answer", **kwargs) -> list[float | None]:
    """Time-R1 any task: the time_date, time_difference, time_ordering or time_completion score the gold's format picks.

    Source: Time-R1 (ulab-uiuc/Time-R1) scores a row of its combined comprehension files with
    the function of the row's task, named by the row or read off its ground truth's keys
    (verl/utils/reward_score/time_reasoning.py `compute_score`, lines 1164-1194). Here the
    task is read off the gold answer, whose format exactly one temporal reward parses (the
    others return None), so one reward scores a mixed held-out set: the metric of the
    `temporal` adapter. None when no task's format matches the gold.
    """
    options = {"answer": answer, "alpha": alpha, "bonus": bonus, "no_answer_penalty": no_answer_penalty,
               "think_tag": think_tag, "answer_tag": answer_tag}
    per_task = [task(completions, **options) for task in TASKS]
    return [next((s for s in scores if s is not None), None) for scores in zip(*per_task, strict=True)]
