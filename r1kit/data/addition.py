"""The quickstart's synthetic task: multi-digit addition, with a teacher that makes mistakes.

The teacher writes the column-by-column trace a person would (`7+5=12,4+8+1=13,...`).
Its errors have two parts, because that is what lets RL beat the traces it was
cold-started on:
- a blind spot: when a column sums to exactly 10, it forgets the carry most of the
  time (`blind_spot_rate`), but not always, so the right move is still sampled;
- random slips (`slip_rate`): one column's sum off by one.
With the defaults the teacher is right on about three problems in four.
The `addition` adapter reads these rows like `math_qa` and scores them by exact match.
"""

import random
from typing import ClassVar

from r1kit.data.math_qa import MathQA


def solve(a: int, b: int, rng: random.Random | None = None, blind_spot_rate: float = 0.0,
          slip_rate: float = 0.0) -> tuple[str, int]:
    """The teacher's trace and answer for a+b (exact when both rates are 0)."""
    rng = rng or random.Random(0)
    da, db = str(a)[::-1], str(b)[::-1]
    width = max(len(da), len(db))
    slip_at = rng.randrange(width) if rng.random() < slip_rate else -1
    steps, digits, carry = [], [], 0
    for i in range(width):
        x, y = int(da[i]) if i < len(da) else 0, int(db[i]) if i < len(db) else 0
        total = x + y + carry
        if i == slip_at:
            total = max(0, total + rng.choice((-1, 1)))
        terms = f"{x}+{y}" + (f"+{carry}" if carry else "")
        steps.append(f"{terms}={total}")
        digits.append(total % 10)
        carry = total // 10
        if total == 10 and rng.random() < blind_spot_rate:
            carry = 0  # the blind spot: a column summing to exactly 10 "has no carry"
    if carry:
        digits.append(carry)
    answer = int("".join(str(d) for d in reversed(digits)))
    return ",".join(steps), answer


def generate(n: int = 1000, digits: int = 3, seed: int = 0, blind_spot_rate: float = 0.8,
             slip_rate: float = 0.05) -> list[dict]:
    """Rows with `question`, the true `answer`, the teacher's `solution` and whether the teacher was right."""
    rng = random.Random(seed)
    lo, hi = 10 ** (digits - 1), 10**digits - 1
    rows = []
    for _ in range(n):
        a, b = rng.randint(lo, hi), rng.randint(lo, hi)
        trace, teacher = solve(a, b, rng, blind_spot_rate, slip_rate)
        rows.append({
            "question": f"{a}+{b}",
            "answer": str(a + b),
            "solution": f"<think>{trace}</think><answer>{teacher}</answer>",
            "teacher_correct": teacher == a + b,
            "difficulty": digits,
        })
    return rows


class Addition(MathQA):
    """The quickstart's synthetic task: multi-digit addition with column-by-column carry traces."""

    name = "addition"
    metric = "exact_match"
    default_generator: ClassVar[dict] = {"name": "addition"}

    def __init__(self, columns=None, system_prompt: str | None = None, **options):
        super().__init__(columns, system_prompt, **options)
