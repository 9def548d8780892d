"""Reward-weight schedules: a weight that moves from `weight` to `to` over `steps`.

A reward entry may carry `schedule: {to, steps, shape}`: its weight moves from `weight`
at step 0 to `to` at `steps` (a count, or a fraction of the stage's max_steps when
below 1), linearly or along a half cosine, then stays. With `shape: exp` it decays
towards `to` without reaching it: `steps` is the time constant T, and the weight is
to + (weight - to) * exp(-step / T). SophiaVL-R1 anneals its thinking reward this way
(0.3 * exp(-step / T), T = 12000 rollouts) so that the outcome reward dominates late.
"""

import math
from collections.abc import Mapping

from r1kit.errors import UserError

SHAPES = ("linear", "cosine", "exp")


def check_schedule(spec, where: str) -> dict:
    """A validated `{to, steps, shape}` mapping (a recipe mistake is a UserError)."""
    if not isinstance(spec, Mapping):
        raise UserError(f"{where}.schedule must be a mapping {{to, steps, shape}}, got {spec!r}.")
    unknown = set(spec) - {"to", "steps", "shape"}
    if unknown:
        raise UserError(f"{where}.schedule: unknown key(s) {sorted(unknown)}; it takes to, steps, shape.")
    to, steps, shape = spec.get("to"), spec.get("steps"), spec.get("shape", "linear")
    if isinstance(to, bool) or not isinstance(to, (int, float)):
        raise UserError(f"{where}.schedule.to={to!r}: the final weight must be a number.")
    if isinstance(steps, bool) or not isinstance(steps, (int, float)) or steps <= 0:
        raise UserError(f"{where}.schedule.steps={steps!r}: a positive step count, or a fraction of max_steps (< 1).")
    if shape not in SHAPES:
        raise UserError(f"{where}.schedule.shape={shape!r}: choose one of {', '.join(SHAPES)}.")
    return {"to": float(to), "steps": steps, "shape": shape}


def reward_schedules(entries: list, where: str) -> list[dict | None]:
    """The checked schedule of each reward entry of a stage (None where its weight is fixed)."""
    return [check_schedule(entry["schedule"], f"{where}[{i}]")
            if isinstance(entry, Mapping) and entry.get("schedule") is not None else None
            for i, entry in enumerate(entries)]


def weight_at(start: float, schedule: dict, step: int, max_steps: int) -> float:
    """The weight at `step` (0-based count of optimizer steps done)."""
    span = schedule["steps"] * max_steps if schedule["steps"] < 1 else schedule["steps"]
    if schedule["shape"] == "exp":
        return schedule["to"] + (start - schedule["to"]) * math.exp(-step / span) if span > 0 else schedule["to"]
    progress = min(1.0, step / span) if span > 0 else 1.0
    if schedule["shape"] == "cosine":
        progress = (1 - math.cos(math.pi * progress)) / 2
    return start + (schedule["to"] - start) * progress
