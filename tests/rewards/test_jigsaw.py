"""Jigsaw rewards: position credit, index conventions, Jigsaw-R1's adjacency count, the format."""

import itertools
import random

import pytest
from reward_cases import answer_block as A
from reward_cases import score

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.jigsaw import adjacency_score

GOLD_2x3, GRID_2x3 = [2, 0, 3, 1, 5, 4], [2, 3]


def test_jigsaw_position_partial_credit_and_exact():
    completions = [A("2 0 3 1 5 4"), A("2 0 3 1 4 5"), A("[2, 0, 3, 1, 5, 4]"), A("2 0 3\n1 5 4"), A("0 1 2 3 4 5")]
    assert score("jigsaw_position", completions, answer=GOLD_2x3, grid=GRID_2x3) == pytest.approx(
        [1.0, 4 / 6, 1.0, 1.0, 0.0])
    assert score("jigsaw_position", completions, {"exact": True}, answer=GOLD_2x3, grid=GRID_2x3) == [
        1.0, 0.0, 1.0, 1.0, 0.0]


def test_jigsaw_malformed_answers_score_zero():
    completions = [A("2 0 3 1 5"), A("2 0 3 1 5 4 0"), A("2 2 3 1 5 4"), A("2 0 3 1 5 6"), A("2.0 0 3 1 5 4"),
                   A("-2 0 3 1 5 4"), A("two zero three one five four"), A(""), "<think>2 0 3 1 5 4</think>"]
    for name in ("jigsaw_position", "jigsaw_adjacency"):
        assert score(name, completions, answer=GOLD_2x3, grid=GRID_2x3) == [0.0] * len(completions), name
    # Jigsaw-R1 itself scores repeated positions place by place
    assert score("jigsaw_position", [A("2 2 3 1 5 4")], {"require_permutation": False},
                 answer=GOLD_2x3, grid=GRID_2x3) == [pytest.approx(5 / 6)]


def test_jigsaw_index_conventions():
    gold = [2, 0, 3, 1]
    # Jigsaw-R1's prompt numbers positions from 1; the gold may be stored either way.
    assert score("jigsaw_position", [A("3 1 4 2")], {"one_based": True}, answer=gold, grid=[2, 2]) == [1.0]
    assert score("jigsaw_position", [A("3 1 4 2")], answer=gold, grid=[2, 2]) == [0.0]  # 4 is out of range
    assert score("jigsaw_position", [A("2 0 3 1")], answer=[3, 1, 4, 2], grid=[2, 2]) == [1.0]
    assert score("jigsaw_position", [A("2 0 3 1")], answer="2 0 3 1", grid=[2, 2]) == [1.0]
    # without a grid, position still scores; adjacency cannot
    assert score("jigsaw_position", [A("2 0 3 1")], answer=gold) == [1.0]
    assert score("jigsaw_adjacency", [A("2 0 3 1")], answer=gold) == [None]
    # unreadable gold, or a grid that disagrees with it
    for bad_gold, grid in (([0, 0, 1, 2], [2, 2]), ([0, 1, 2, 5], [2, 2]), (gold, [3, 2]), (gold, [2, "2"]), ("5", None)):
        assert score("jigsaw_position", [A("2 0 3 1")], answer=bad_gold, grid=grid) == [None]


def test_jigsaw_adjacency_hand_counted():
    # Original layout of the 2x3 gold (shown piece Sk at original position): S1 S3 S0 / S2 S5 S4.
    # Neighbour pairs: S1-S3, S3-S0, S2-S5, S5-S4 (across), S1-S2, S3-S5, S0-S4 (down): 7 = 2*6 - 2 - 3.
    # Swapping the last two answers places S4 at 4 and S5 at 5: S1-S3, S3-S0, S1-S2 survive.
    completions = [A("2 0 3 1 5 4"), A("2 0 3 1 4 5")]
    assert score("jigsaw_adjacency", completions, answer=GOLD_2x3, grid=GRID_2x3) == pytest.approx([1.0, 3 / 7])
    # Row wrap-around is not adjacency: in 2x2, a piece placed at 1 and its right neighbour at 2 are not neighbours.
    assert adjacency_score([1, 2, 3, 0], [0, 1, 2, 3], 2, 2) == pytest.approx(1 / 4)  # only S0-S2 (1 above 3) kept
    # Swapping the two rows of a 2x2 keeps both pairs across and loses both pairs down.
    assert adjacency_score([2, 3, 0, 1], [0, 1, 2, 3], 2, 2) == pytest.approx(2 / 4)


def _jigsaw_r1_layout_count(pred_layout, gold_layout, m, n):
    """Jigsaw-R1's connection count, written from its description: for every pair of adjacent cells
    of the predicted layout (value = piece), are those pieces adjacent the same way in the gold layout?"""
    where = {piece: cell for cell, piece in enumerate(gold_layout)}
    kept = 0
    for r, c in itertools.product(range(m), range(n)):
        a = where[pred_layout[r * n + c]]
        if c + 1 < n:
            b = where[pred_layout[r * n + c + 1]]
            kept += a // n == b // n and b - a == 1
        if r + 1 < m:
            b = where[pred_layout[(r + 1) * n + c]]
            kept += b - a == n
    return kept / (2 * m * n - m - n)


def test_jigsaw_adjacency_is_jigsaw_r1_count_on_layouts():
    rng = random.Random(0)

    def inverse(p):
        out = [0] * len(p)
        for i, v in enumerate(p):
            out[v] = i
        return out

    for m, n in ((2, 2), (2, 3), (3, 3), (1, 4), (4, 1)):
        for _ in range(300):
            gold, pred = rng.sample(range(m * n), m * n), rng.sample(range(m * n), m * n)
            expected = _jigsaw_r1_layout_count(inverse(pred), inverse(gold), m, n)
            assert adjacency_score(pred, gold, m, n) == pytest.approx(expected)
    # Jigsaw-R1's code applies the count to the forward answers themselves, which counts pieces shown side by
    # side; the two differ, e.g. here (0.25 there). By hand: gold S0->0, S1->1, S2->3, S3->2, prediction
    # S0->0, S1->2, S2->3, S3->1; none of S0-S1, S3-S2 (across), S0-S3, S1-S2 (down) is kept.
    assert adjacency_score([0, 2, 3, 1], [0, 1, 3, 2], 2, 2) == 0.0
    assert _jigsaw_r1_layout_count([0, 2, 3, 1], [0, 1, 3, 2], 2, 2) == 0.25


def test_jigsaw_format():
    completions = [A("2 0 3 1 5 4"), A("2 2 3 1 5 4"), A("2 0 3 1 5"), "2 0 3 1 5 4", A("2 0 3 1 5 9"),
                   "<think>a</think> text <answer>2 0 3 1 5 4</answer>"]
    assert score("jigsaw_format", completions, answer=GOLD_2x3, grid=GRID_2x3) == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert score("jigsaw_format", ["2 0 3 1 5 4"], {"think": False}, answer=GOLD_2x3, grid=GRID_2x3) == [1.0]


@pytest.mark.parametrize("name, options", [
    ("jigsaw_position", {"one_based": "yes"}), ("jigsaw_position", {"exact": 1}), ("jigsaw_format", {"think": None}),
])
def test_bad_options_fail_when_resolved(name, options):
    with pytest.raises(UserError):
        resolve(name, **options)
