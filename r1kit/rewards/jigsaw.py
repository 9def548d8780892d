"""Jigsaw rewards (Jigsaw-R1): pieces in the right place, neighbours kept together, and the answer's format.

Source: Jigsaw-R1 (Wang et al. 2025), `utils/reward.py` and `utils/prompt.py`.

The convention (Jigsaw-R1's default "forward" question). The image is cut into a
rows x cols grid, the pieces are shuffled, and the shuffled image is shown. Positions are
numbered in reading order (left to right, then top to bottom). The model answers, for
each position of the SHOWN image in reading order, the position in the ORIGINAL image
that the piece shown there comes from ("If a patch currently at position X should
belong at position Y, place Y at position X"). So a 2x2 answer

    2 0
    3 1

says: the piece shown top-left belongs bottom-left (2), the piece shown top-right
belongs top-left (0), and so on. Positions are numbered from 0, as r1kit's `jigsaw`
adapter prompts; Jigsaw-R1's own prompt numbers them from 1 (the same answer is
`3 1 / 4 2`): set `one_based: true` with that prompt.

The gold `answer` is the same list for the true arrangement: answer[i] = the original
position of the piece shown at position i, a permutation of 0..n-1 or of 1..n (which
one is read from the values, whatever `one_based` says about the model's answers). The
row's `grid` column is [rows, cols]; `jigsaw_adjacency` needs it, the others check it
when present (rows * cols must equal the answer's length).

Reading the answer (Jigsaw-R1's `process_jigsaw_string`): the last `<answer>` block
outside the reasoning, else the text outside the reasoning; backticks, commas,
semicolons and newlines separate numbers, and so do brackets and parentheses here (a
Python list `[3, 1, 4, 2]` reads as Jigsaw-R1's `3 1 4 2` does). Any other token (a
word, a negative or fractional number, a position out of range) makes the answer
unreadable. An unreadable answer or one of the wrong length scores 0. An answer that
repeats a position (not a permutation) scores 0 unless `require_permutation: false`,
which scores it position by position as Jigsaw-R1's code does.
"""

import re

from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.boxes import answer_region
from r1kit.rewards.format import think_format
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag

MAX_PIECES = 10_000  # a gold longer than this is misread data, not a puzzle
_SEPARATORS = re.compile(r"[`,;\s\[\]()]+")
_INDEX = re.compile(r"[0-9]{1,6}")


def read_gold(value, grid) -> tuple[list[int], int | None, int | None] | None:
    """(0-based permutation, rows, cols) from the gold answer and grid; None if unreadable.

    rows/cols are None without a `grid`. A string gold is read like a model answer.
    """
    if isinstance(value, str):
        tokens = [t for t in _SEPARATORS.split(value.strip()[:10 * MAX_PIECES]) if t]
        if not tokens or not all(_INDEX.fullmatch(t) for t in tokens):
            return None
        value = [int(t) for t in tokens]
    if not isinstance(value, (list, tuple)) or not 0 < len(value) <= MAX_PIECES:
        return None
    if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        return None
    n = len(value)
    if set(value) == set(range(n)):
        gold = list(value)
    elif set(value) == set(range(1, n + 1)):
        gold = [v - 1 for v in value]
    else:
        return None
    rows = cols = None
    if grid is not None:
        if (not isinstance(grid, (list, tuple)) or len(grid) != 2
                or any(isinstance(g, bool) or not isinstance(g, int) or g < 1 for g in grid)
                or grid[0] * grid[1] != n):
            return None
        rows, cols = grid
    return gold, rows, cols


def read_answer(text: str, n: int, one_based: bool = False) -> list[int] | None:
    """The positions an answer lists, 0-based, if every token is a position in range; else None.

    The length is not checked here (the rewards score a wrong length 0)."""
    if len(text) > 10 * n + 1000:  # far longer than n numbers can be written
        return None
    tokens = [t for t in _SEPARATORS.split(text.strip()) if t]
    if not tokens or not all(_INDEX.fullmatch(t) for t in tokens):
        return None
    offset = 1 if one_based else 0
    values = [int(t) - offset for t in tokens]
    return values if all(0 <= v < n for v in values) else None


def position_score(predicted: list[int], gold: list[int], exact: bool = False) -> float:
    """Share of the positions whose piece is placed right (Jigsaw-R1 `score_jigsaw_patches`);
    with `exact`, 1.0 only if all are (Jigsaw-R1's `correct`)."""
    if len(predicted) != len(gold):
        return 0.0
    right = sum(p == g for p, g in zip(predicted, gold))
    if exact:
        return 1.0 if right == len(gold) else 0.0
    return right / len(gold)


def adjacency_score(predicted: list[int], gold: list[int], rows: int, cols: int) -> float | None:
    """Share of the pairs of pieces adjacent in the original image (left-right or top-bottom)
    that the prediction places adjacent in the same relation; None when the grid has no
    adjacent pairs (1 x 1). Defined on pieces, so it needs no inverse: a prediction that
    repeats a position still gets a score."""
    n = rows * cols
    pairs = 2 * n - rows - cols
    if pairs == 0:
        return None
    if len(predicted) != n or len(gold) != n:
        return 0.0
    shown_at = [0] * n  # original position -> the shown position of the piece that belongs there
    for shown, original in enumerate(gold):
        shown_at[original] = shown
    kept = 0
    for original in range(n):
        here = predicted[shown_at[original]]
        if original % cols != cols - 1:  # the piece to its right in the original
            right = predicted[shown_at[original + 1]]
            kept += right == here + 1 and here % cols != cols - 1
        if original + cols < n:  # the piece below it in the original
            kept += predicted[shown_at[original + cols]] == here + cols
    return kept / pairs


def _check(name, one_based, think_tag, answer_tag, **flags) -> None:
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    for option, value in {"one_based": one_based, **flags}.items():
        if not isinstance(value, bool):
            raise UserError(f"{name} option {option}={value!r} must be true or false")


def _rows(completions, answer, grid, one_based, think_tag, answer_tag):
    """(gold, rows, cols, predicted) per row; gold None when it is unreadable, predicted None when the answer is."""
    n = len(completions)
    for completion, gold_value, grid_value in zip(completions, column(answer, n), column(grid, n)):
        gold = read_gold(gold_value, grid_value)
        if gold is None:
            yield None, None, None, None
            continue
        perm, rows, cols = gold
        predicted = read_answer(answer_region(completion, think_tag, answer_tag), len(perm), one_based)
        yield perm, rows, cols, predicted


def _acceptable(predicted, gold, require_permutation) -> bool:
    if predicted is None or len(predicted) != len(gold):
        return False
    return not require_permutation or len(set(predicted)) == len(predicted)


@register("jigsaw_position")
def jigsaw_position(
    completions,
    *,
    answer=None,
    grid=None,
    exact: bool = False,
    one_based: bool = False,
    require_permutation: bool = True,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Jigsaw-R1 accuracy: the share of positions whose piece is placed right, in [0, 1]; `exact: true` gives 1 only for the whole puzzle.

    Source: Jigsaw-R1 `score_jigsaw_patches` (the partial-credit reward it trains with)
    and its `correct = float(pred == gt)` (`exact: true`). 0 for an unreadable answer,
    a wrong number of positions, or (unless `require_permutation: false`) a repeated
    position. See the module docstring for the index convention; None when the gold
    is not a permutation or disagrees with `grid`.
    """
    _check("jigsaw_position", one_based, think_tag, answer_tag, exact=exact, require_permutation=require_permutation)
    rewards = []
    for gold, _, _, predicted in _rows(completions, answer, grid, one_based, think_tag, answer_tag):
        if gold is None:
            rewards.append(None)
        elif not _acceptable(predicted, gold, require_permutation):
            rewards.append(0.0)
        else:
            rewards.append(position_score(predicted, gold, exact))
    return rewards


@register("jigsaw_adjacency")
def jigsaw_adjacency(
    completions,
    *,
    answer=None,
    grid=None,
    one_based: bool = False,
    require_permutation: bool = True,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Jigsaw-R1 connections: the share of the 2mn - m - n neighbouring piece pairs of the original kept side by side in the same relation.

    Source: Jigsaw-R1 `score_jigsaw_connections` (`--score_jigsaw_connections`): correct
    adjacencies / (2mn - m - n) for an m x n grid. Here a pair of pieces that are
    horizontal (or vertical) neighbours in the original image counts when the
    prediction puts the second directly right of (below) the first. Jigsaw-R1's code
    counts the same thing on the answer lists read as layouts (the value at each
    position is a piece); for the forward answers it trains on that counts pairs of
    pieces shown side by side instead, which this does not reproduce (see
    docs/rewards-visual.md). Needs the row's `grid` ([rows, cols]); None without it,
    for a 1 x 1 grid, or when the gold is unreadable. 0 for an unreadable answer, a
    wrong length, or (unless `require_permutation: false`) a repeated position.
    """
    _check("jigsaw_adjacency", one_based, think_tag, answer_tag, require_permutation=require_permutation)
    rewards = []
    for gold, rows, cols, predicted in _rows(completions, answer, grid, one_based, think_tag, answer_tag):
        if gold is None or rows is None or rows * cols == 1:
            rewards.append(None)
        elif not _acceptable(predicted, gold, require_permutation):
            rewards.append(0.0)
        else:
            rewards.append(adjacency_score(predicted, gold, rows, cols))
    return rewards


@register("jigsaw_format")
def jigsaw_format(
    completions,
    *,
    answer=None,
    grid=None,
    think: bool = True,
    one_based: bool = False,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Jigsaw-R1 format: 1.0 iff <think>…</think><answer>…</answer> holds and the answer reads as rows*cols positions, else 0.0.

    Source: Jigsaw-R1 `format_reward` for grid answers: in think mode the completion
    must fullmatch `<think>.*?</think>\\s*<answer>.*?</answer>` (here `think_format`'s
    check, each tag once) and the answer must parse to exactly m*n positions in range
    (repeats allowed, as in Jigsaw-R1). `think: false` (Jigsaw-R1's no-think mode)
    checks only that the whole completion parses. Jigsaw-R1 weights it 0.5 against
    1.0 for accuracy. None when the gold is unreadable.
    """
    _check("jigsaw_format", one_based, think_tag, answer_tag, think=think)
    rewards = []
    n = len(completions)
    shaped = think_format(completions, think_tag=think_tag, answer_tag=answer_tag) if think else [1.0] * n
    rows = _rows(completions, answer, grid, one_based, think_tag, answer_tag)
    for ok, (gold, _, _, predicted) in zip(shaped, rows):
        if gold is None:
            rewards.append(None)
        else:
            rewards.append(1.0 if ok == 1.0 and predicted is not None and len(predicted) == len(gold) else 0.0)
    return rewards
