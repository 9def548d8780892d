"""SAT assignments (SATURN): does the model's boxed truth assignment satisfy the row's CNF formula?"""

import re

from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import completion_text

_BOXED = re.compile(r"\\boxed{(.*?)}")  # SATURN's pattern: the last non-nested box of the whole reply
MAX_FORMULA = 100_000  # characters; a longer gold is not a SATURN formula


def _literals(clause: str) -> list[tuple[bool, int]]:
    """(negated, variable index) of each literal of "!AB!C": A is 0, B is 1, ..."""
    literals, i = [], 0
    while i < len(clause):
        negated = clause[i] == "!"
        i += negated
        if i < len(clause):
            literals.append((negated, ord(clause[i]) - ord("A")))
        i += 1
    return literals


def satisfies(formula: str, assignment: str) -> bool:
    """Whether `assignment` ("1" true, "0" false per variable A, B, ...) satisfies every " & "-separated clause.

    As SATURN's calc_sat_value: a variable past the end of the assignment is false, and a character
    other than 0/1 satisfies no literal.
    """
    for clause in formula.split(" & "):
        values = [assignment[v] if 0 <= v < len(assignment) else "0" for _, v in _literals(clause)]
        if not any((neg and val == "0") or (not neg and val == "1")
                   for (neg, _), val in zip(_literals(clause), values)):
            return False
    return True


@register("sat_assignment")
def sat_assignment(completions, *, answer=None, **kwargs) -> list[float | None]:
    """SATURN: 1.0 if the last \\boxed{…} assignment satisfies the CNF in `answer`, 0.0 if not, -1.0 without a box.

    Source: gtxygyzb/Saturn-code, src/reward_function/reward_func.py (reward_func, calc_sat_value).
    The gold `answer` is the formula in SATURN's notation ("!B!DE & !BCE & BC!D": clauses joined by
    " & ", a clause is an OR of one-letter variables, "!" negates), SATURN's label: any satisfying
    assignment scores, not only the stored solution. None without a formula.
    """
    rewards = []
    for completion, formula in zip(completions, column(answer, len(completions))):
        if not isinstance(formula, str) or not formula.strip() or len(formula) > MAX_FORMULA:
            rewards.append(None)
            continue
        boxes = _BOXED.findall(completion_text(completion))
        rewards.append(-1.0 if not boxes else 1.0 if satisfies(formula.strip(), boxes[-1]) else 0.0)
    return rewards
