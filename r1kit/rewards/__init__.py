"""Reward functions for R1-style training, by name.

Importing this package registers every reward; it imports neither torch nor
math-verify, so listing rewards is instant. Use `available()` to list them and
`resolve(name=..., **options)` or `resolve(target="pkg.module.fn")` to get one.
"""

from r1kit.rewards import (  # noqa: F401 - registers
    autothink,
    box_matching,
    boxed,
    classification,
    code_execution,
    compose,
    detection_map,
    format,
    grounded_vqa,
    grounding,
    gui,
    jigsaw,
    judge,
    length,
    match,
    math_accuracy,
    preference,
    ranking,
    reasoning_gym,
    repetition,
    reward_model,
    sat,
    similarity,
    steps,
    temporal,
    time_task,
    translation,
    trust,
    verifree,
)
from r1kit.rewards.compose import all_of, weighted_sum
from r1kit.rewards.registry import available, register, resolve
from r1kit.rewards.text import completion_text

__all__ = ["all_of", "available", "completion_text", "register", "resolve", "weighted_sum"]
