"""Visual rewards (issue 5): IoU/GIoU by hand, Visual-RFT detection matching, jigsaw permutations, GUI actions, classes."""

import itertools
import random
import threading
from pathlib import Path

import pytest
import yaml
from cases_visual import CASES
from reward_cases import HOSTILE, chat

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.boxes import find_boxes, giou, iou, last_box, parse_detections
from r1kit.rewards.gui import read_action, text_f1
from r1kit.rewards.jigsaw import adjacency_score
from r1kit.rewards.stack import RewardStack

CONF = Path(__file__).resolve().parents[2] / "r1kit" / "conf" / "reward"
GOLD = [0, 0, 10, 10]


def A(text: str) -> str:
    return f"<think>looking</think><answer>{text}</answer>"


def score(name, completions, options=None, **columns):
    n = len(completions)
    return resolve(name, **(options or {}))(completions, **{k: [v] * n for k, v in columns.items()})


# --- boxes: parsing -------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "[0, 0, 10, 10]", "[0,0,10,10]", "[0.0, 0.0, 10.0, 10.0]", "(0, 0, 10, 10)",
    '{"bbox_2d": [0, 0, 10, 10], "label": "cat"}', "[{'bbox_2d': [0, 0, 10, 10], 'label': 'cat'}]",
    "(0,0),(10,10)", "(0, 0), (10, 10)", "[0, 0], [10, 10]", "[[0, 0], [10, 10]]", "The box is [0, 0, 10, 10].",
])
def test_last_box_reads_every_accepted_shape(text):
    assert last_box(text) == (0.0, 0.0, 10.0, 10.0)


@pytest.mark.parametrize("text", [
    "[10, 10, 0, 0]",            # reversed corners: invalid, not swapped
    "[0, 10, 10, 0]",            # y reversed
    "[nan, 0, 10, 10]",          # not a number: no box at all
    "[1e999, 0, 10, 10]",        # overflows to inf
    "[0, 0, 2000000, 10]",       # beyond MAX_COORD
    "[0, 0, 12345678901234567890, 10]",  # a 20-digit number is not a coordinate
    "[0, 0, 10]", "0 0 10 10", "no box here", "",
])
def test_last_box_refuses_invalid_and_non_boxes(text):
    assert last_box(text) is None


def test_the_last_box_is_the_one_read():
    assert last_box("[0, 0, 10, 10] or rather (20, 20), (30, 30)") == (20.0, 20.0, 30.0, 30.0)
    assert last_box('[{"bbox_2d": [0, 0, 10, 10]}, {"bbox_2d": [1, 2, 3, 4]}]') == (1.0, 2.0, 3.0, 4.0)
    # the last box written decides, even when it is invalid and an earlier one was fine
    assert last_box("[0, 0, 10, 10] then [9, 9, 1, 1]") is None
    assert find_boxes("[1,2,3,4] (5,6),(7,8)") == [["1", "2", "3", "4"], ["5", "6", "7", "8"]]


# --- iou and giou -------------------------------------------------------------------------------


def test_iou_and_giou_by_hand():
    g = (0.0, 0.0, 10.0, 10.0)
    assert iou(g, g) == 1.0 and giou(g, g) == 1.0
    assert iou((5, 0, 15, 10), g) == pytest.approx(50 / 150)        # overlap 5x10, union 150
    assert iou((2, 2, 6, 6), g) == pytest.approx(16 / 100)          # inside: 16 / 100
    assert iou((10, 0, 20, 10), g) == 0.0                            # touching edges
    assert giou((10, 0, 20, 10), g) == pytest.approx(0.0)           # C = 200 = U
    assert giou((20, 0, 30, 10), g) == pytest.approx(-100 / 300)    # C = 300, U = 200
    assert giou((5, 0, 15, 10), g) == pytest.approx(1 / 3)          # IoU 1/3, C = U = 150
    assert giou((0, 0, 20, 20), g) == pytest.approx(100 / 400)      # IoU 1/4, C = U
    assert iou((3, 3, 3, 8), g) == 0.0 and giou((3, 3, 3, 8), g) == 0.0  # zero-width box inside: IoU 0, C = U


def test_iou_reward_continuous_and_thresholded():
    completions = [A("[0, 0, 10, 10]"), A("[5, 0, 15, 10]"), A("[0, 0, 10, 6]"), A("[0, 0, 10, 5]"), A("none"),
                   "[0, 0, 10, 6]", chat(A("[0, 0, 10, 10]"))]
    assert score("iou", completions, answer=GOLD) == pytest.approx([1.0, 1 / 3, 0.6, 0.5, 0.0, 0.6, 1.0])
    # VLM-R1 / R1-V accuracy: 1 iff IoU > 0.5 (0.5 itself is not enough)
    assert score("iou", completions, {"threshold": 0.5}, answer=GOLD) == [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0]


def test_iou_reads_outside_the_reasoning_only():
    assert score("iou", ["<think>[0, 0, 10, 10]</think><answer>[20, 20, 30, 30]</answer>",
                         "<think>it is [0, 0, 10, 10]</think>",  # a box in the reasoning only
                         "<think>so</think> [0, 0, 10, 10]"], answer=GOLD) == [0.0, 0.0, 1.0]


def test_iou_gold_shapes_and_unreadable_gold():
    completions = [A("[0, 0, 10, 10]")]
    for gold in (GOLD, (0, 0, 10, 10), {"bbox_2d": GOLD, "label": "x"}, "[0, 0, 10, 10]", "<answer>(0,0),(10,10)</answer>",
                 [0.0, 0.0, 10.0, 10.0]):
        assert score("iou", completions, answer=gold) == [1.0], gold
    for gold in (None, "5", [0, 0, 10], [10, 10, 0, 0], [0, 0, 0, 10], [[0, 0, 10, 10], [1, 1, 2, 2]], [True, 0, 1, 1],
                 "[0,0,1,1] [2,2,3,3]"):
        assert score("iou", completions, answer=gold) == [None], gold


def test_giou_reward_is_giou_plus_one():
    completions = [A("[0, 0, 10, 10]"), A("[10, 0, 20, 10]"), A("[20, 0, 30, 10]"), A("[5, 0, 15, 10]"),
                   A("[1000, 1000, 1010, 1010]"), A("[10, 10, 0, 0]"), A("nothing")]
    far = 1 - (1010 ** 2 - 200) / 1010 ** 2
    assert score("giou", completions, answer=GOLD) == pytest.approx([2.0, 1.0, 2 / 3, 4 / 3, far, 0.0, 0.0])


# --- detection ----------------------------------------------------------------------------------

A_BOX, B_BOX = [0, 0, 10, 10], [20, 0, 30, 10]


def det(*entries) -> str:
    return A("[" + ", ".join(entries) + "]")


def test_detection_visual_rft_formula_by_hand():
    gold = [A_BOX, B_BOX]
    # p1 matches A exactly; p2 = [21, 0, 31, 10] overlaps B by 9x10: IoU 90 / 110.
    out = score("detection", [det("{'Position': [0, 0, 10, 10], 'Confidence': 0.9}",
                                  "{'Position': [21, 0, 31, 10], 'Confidence': 0.8}")], answer=gold)
    r_iou, r_conf = (1 + 9 / 11) / 2, (0.9 + 0.8) / 2
    assert out == [pytest.approx(r_iou + r_conf)]
    # one object missed: the IoU sum is divided by max(G, N) = 2
    out = score("detection", [det("{'Position': [0, 0, 10, 10], 'Confidence': 0.6}")], {"component": "iou"}, answer=gold)
    assert out == [pytest.approx(0.5)]
    # an extra box: R_IoU = 1 / max(1, 2); R_conf = (0.9 + (1 - 0.3)) / 2
    parts = [score("detection", [det("{'Position': [0, 0, 10, 10], 'Confidence': 0.9}",
                                     "{'Position': [50, 50, 60, 60], 'Confidence': 0.3}")],
                   {"component": c}, answer=[A_BOX])[0] for c in ("iou", "confidence")]
    assert parts == [pytest.approx(0.5), pytest.approx(0.8)]


def test_detection_matches_greedily_in_confidence_order():
    # Two boxes on the same object: the MORE CONFIDENT one takes it, whatever its IoU.
    hi_iou, lo_iou = "[0, 0, 10, 10]", "[0, 0, 10, 8]"  # IoU 1.0 and 0.8 with A
    first = det(f"{{'Position': {lo_iou}, 'Confidence': 0.9}}", f"{{'Position': {hi_iou}, 'Confidence': 0.5}}")
    second = det(f"{{'Position': {lo_iou}, 'Confidence': 0.5}}", f"{{'Position': {hi_iou}, 'Confidence': 0.9}}")
    ious = score("detection", [first, second], {"component": "iou"}, answer=[A_BOX])
    confs = score("detection", [first, second], {"component": "confidence"}, answer=[A_BOX])
    assert ious == [pytest.approx(0.8 / 2), pytest.approx(1.0 / 2)]
    assert confs == [pytest.approx((0.9 + 0.5) / 2), pytest.approx((0.9 + 0.5) / 2)]
    # Written order does not matter, only confidence.
    reordered = det(f"{{'Position': {hi_iou}, 'Confidence': 0.5}}", f"{{'Position': {lo_iou}, 'Confidence': 0.9}}")
    assert score("detection", [reordered], {"component": "iou"}, answer=[A_BOX]) == ious[:1]


def test_detection_threshold_duplicates_labels_and_empty_gold():
    # IoU exactly 0.5 does not match (Visual-RFT: > 0.5)
    half = det("{'Position': [0, 0, 10, 5], 'Confidence': 1.0}")
    assert score("detection", [half], answer=[A_BOX]) == [0.0]
    assert score("detection", [half], {"iou_threshold": 0.4}, answer=[A_BOX]) == [pytest.approx(1.5)]
    # the same box twice counts once
    twice = det("{'Position': [0, 0, 10, 10], 'Confidence': 0.9}", "{'Position': [0, 0, 10, 10], 'Confidence': 0.9}")
    assert score("detection", [twice], answer=[A_BOX]) == [pytest.approx(1.9)]
    # labels must agree where both sides have one
    gold = [{"bbox_2d": A_BOX, "label": "cat"}, {"bbox_2d": B_BOX, "label": "Dog"}]
    wrong = A('[{"bbox_2d": [0, 0, 10, 10], "label": "dog"}]')
    right = A('[{"bbox_2d": [0, 0, 10, 10], "label": "cat"}, {"bbox_2d": [20, 0, 30, 10], "label": "dog"}]')
    unlabelled = A("[[0, 0, 10, 10], [20, 0, 30, 10]]")
    assert score("detection", [wrong, right, unlabelled], answer=gold) == [0.0, 2.0, 2.0]
    assert score("detection", [wrong], {"match_labels": False}, answer=gold) == [pytest.approx(0.5 + 1.0)]
    # no objects in the image
    assert score("detection", [A("No Objects"), A("[]"), det("{'Position': [0, 0, 5, 5], 'Confidence': 0.3}")],
                 answer=[]) == [2.0, 2.0, pytest.approx(0.7)]
    assert score("detection", [A("No Objects"), A("[]")], answer=[A_BOX]) == [0.0, 0.0]


def test_detection_unreadable_answers_score_zero():
    gold = [A_BOX]
    completions = [
        det("{'Position': [0, 0, 10, 10], 'Confidence': 0.9}", "{'Confidence': 0.5}"),   # an entry without a box
        det("{'Position': [10, 10, 0, 0], 'Confidence': 0.9}"),                            # reversed corners
        det("{'Position': [0, 0, 10, 10], 'Confidence': 1e999}"),                          # infinite confidence
        A("[" + "{'Position': [0, 0, 10, 10]}, " * 301 + "]"),                             # box spam
        A("I see a cat."),
    ]
    assert score("detection", completions, answer=gold) == [0.0] * len(completions)
    # A truncated last entry is dropped (Visual-RFT's repair), a confidence above 1 is clipped.
    truncated = A("[{'Position': [0, 0, 10, 10], 'Confidence': 1.7}, {'Position': [20, 0,")
    assert score("detection", [truncated], answer=gold) == [2.0]
    assert parse_detections("[{'Position': [0, 0, 10, 10]}]")[0].confidence == 1.0


def test_detection_gold_forms():
    completion = [A('[{"bbox_2d": [0, 0, 10, 10], "label": "cat"}]')]
    for gold in ([A_BOX], [{"bbox_2d": A_BOX, "label": "cat"}], [{"Position": A_BOX}],
                 "[{'Position': [0, 0, 10, 10], 'Confidence': 1}]", '[{"bbox_2d": [0, 0, 10, 10], "label": "cat"}]'):
        assert score("detection", completion, answer=gold) == [2.0], gold
    for gold in (None, "5", [[10, 10, 0, 0]], [{"label": "cat"}], 7):
        assert score("detection", completion, answer=gold) == [None], gold


# --- jigsaw ---------------------------------------------------------------------------------------

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


# --- GUI actions ----------------------------------------------------------------------------------

CLICK = {"action": "click", "bbox": [100, 100, 200, 150], "text": None}
TYPE = {"action": "type", "bbox": [0, 0, 100, 40], "text": "hello world"}
BACK = {"action": "press_back", "bbox": None, "text": None}


@pytest.mark.parametrize("text, point", [
    ('{"action": "click", "point": [150, 120], "text": null}', (150, 120)),             # r1kit's adapter
    ("[{'action': 'click', 'point': [150, 120], 'input_text': 'no input text'}]", (150, 120)),  # GUI-R1
    ("[{'action': 'click', 'coordinate': [150, 120]}]", (150, 120)),                      # UI-R1
    ("{'action': click, 'click_point': (150, 120)}", (150, 120)),                          # bare word, tuple
    ('{"action": "CLICK", "point": "[150, 120]"}', (150, 120)),                            # point as a string
    ('{"action": "click", "bbox_2d": [100, 100, 200, 140]}', (150, 120)),                 # a box: its centre
    ('[{"action": "click", "point": [150, 120]}, {"action": "type", "text": "x"}]', (150, 120)),  # first action
])
def test_read_action_shapes(text, point):
    action = read_action(text)
    assert action["action"] == "click" and action["point"] == point
    assert score("gui_click", [A(text), text], answer=CLICK) == [1.0, 1.0]


def test_read_action_text_and_names():
    action = read_action("[{'action': 'Press Back', 'input_text': \"it's \\\"done\\\"\"}]")
    assert action["action"] == "press_back" and action["text"] == 'it\'s "done"'
    assert read_action('{"action": "type", "text": null}')["text"] is None
    assert read_action("{'point': [1, 2]}") is None and read_action("click at 1, 2") is None


def test_gui_click_inside_edges_outside_and_wrong_type():
    completions = [A('{"action": "click", "point": [150, 120]}'), A('{"action": "click", "point": [100, 150]}'),
                   A('{"action": "click", "point": [201, 120]}'), A('{"action": "long_press", "point": [150, 120]}'),
                   A('{"action": "click"}'), A('{"action": "click", "point": [nan, 1]}')]
    assert score("gui_click", completions, answer=CLICK) == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert score("gui_click", completions[:1], answer=BACK) == [None]
    # GUI-R1's point targets: within 140 px
    gold = {"action": "click", "bbox": [100, 100], "text": None}
    near, far = A('{"action": "click", "point": [200, 100]}'), A('{"action": "click", "point": [240, 100]}')
    assert score("gui_click", [near, far], answer=gold) == [1.0, 0.0]
    assert score("gui_click", [near, far], {"point_radius": 200}, answer=gold) == [1.0, 1.0]


def test_gui_args_f1_exact_and_scroll_direction():
    assert text_f1("hello there world", "hello world") == pytest.approx(0.8)  # P 2/3, R 1
    assert text_f1("Hello", "hello!") == 1.0  # one token each, one contains the other
    completions = [A("{'action': 'type', 'input_text': 'hello there world'}"), A("{'action': 'type', 'text': 'hi'}"),
                   A("{'action': 'type', 'text': 'Hello  World'}"), A("{'action': 'select', 'text': 'hello world'}")]
    assert score("gui_args", completions, answer=TYPE) == [1.0, 0.0, 1.0, 0.0]
    assert score("gui_args", completions, {"threshold": None}, answer=TYPE) == pytest.approx([0.8, 0.0, 1.0, 0.0])
    assert score("gui_args", completions, {"metric": "exact"}, answer=TYPE) == [0.0, 0.0, 1.0, 0.0]
    assert score("gui_args", completions, answer=CLICK) == [None] * 4
    scrolls = [A("{'action': 'scroll', 'input_text': 'down'}"), A('{"action": "scroll", "direction": "DOWN"}'),
               A('{"action": "scroll", "text": "up"}')]
    for gold in ({"action": "scroll", "bbox": None, "text": "down"},
                 {"action": "scroll", "bbox": None, "text": None, "direction": "down"}):
        assert score("gui_args", scrolls, answer=gold) == [1.0, 1.0, 0.0]


def test_gui_action_gui_r1_and_ui_r1_styles():
    rows = [  # (gold, completion, GUI-R1, UI-R1)
        (CLICK, '{"action": "click", "point": [150, 120]}', 1.0, 1.0),
        (CLICK, '{"action": "click", "point": [10, 10]}', 0.0, 0.0),
        (CLICK, '{"action": "type", "point": [150, 120], "text": "x"}', 0.0, 0.0),
        (TYPE, "{'action': 'type', 'point': [500, 500], 'input_text': 'hello world'}", 1.0, 0.0),  # UI-R1: the box
        (TYPE, "{'action': 'type', 'point': [50, 20], 'input_text': 'bye'}", 0.0, 1.0),           # GUI-R1: the text
        (BACK, '{"action": "press back"}', 1.0, 1.0),
        (BACK, '{"action": "complete"}', 0.0, 0.0),
        (BACK, "no action at all", 0.0, 0.0),
    ]
    for gold, text, gui_r1, ui_r1 in rows:
        assert score("gui_action", [A(text)], answer=gold) == [gui_r1], (gold, text)
        assert score("gui_action", [A(text)], {"style": "ui_r1"}, answer=gold) == [ui_r1], (gold, text)
        assert score("gui_action_type", [A(text)], answer=gold) == [float(read_action(text) is not None and
                                                                         read_action(text)["action"] == gold["action"])]


def test_gui_gold_forms():
    completion = [A("[{'action': 'type', 'point': [50, 20], 'input_text': 'hello world'}]")]
    gui_r1_gold = '{"action": "type", "gt_bbox": [0, 0, 100, 40], "input_text": "Hello World"}'
    assert score("gui_action", completion, answer=gui_r1_gold) == [1.0]
    assert score("gui_click", completion, answer=gui_r1_gold) == [1.0]
    for gold in (None, "5", {"bbox": [0, 0, 1, 1]}, {"action": "click", "bbox": [5, 5, 1, 1]}, {"action": 3},
                 {"action": "click", "bbox": "somewhere"}):
        assert score("gui_action", completion, answer=gold) == [None], gold


def test_gui_format():
    completions = [
        A('{"action": "click", "point": [150, 120], "text": null}'),
        A('{"action": "press_back", "point": null, "text": null}'),
        A("[{'action': 'type', 'point': [1, 2], 'input_text': 'hi'}]"),
        A("[{'action': 'type', 'point': [1, 2], 'input_text': 'no input text'}]"),  # type without text
        A("[{'action': 'scroll', 'input_text': 'sideways'}]"),
        A("[{'action': 'scroll', 'input_text': 'up'}]"),
        A('{"action": "click", "point": [1, 2, 3]}'),
        '{"action": "click", "point": [150, 120]}',  # no think/answer
        A("click the button"),
    ]
    assert score("gui_format", completions) == [1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    assert score("gui_format", completions[-2:], {"think": False}) == [1.0, 0.0]


# --- classification ---------------------------------------------------------------------------------


def test_class_match_exact():
    completions = [A("Golden Retriever"), A(" golden_retriever. "), A("golden-retriever!"), "I think\nGolden retriever\n",
                   A("a golden retriever"), A("cat"), A(""), "<think>golden retriever</think>"]
    assert score("class_match", completions, answer="golden retriever") == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert score("class_match", completions[3:4], {"require_tags": True}, answer="golden retriever") == [0.0]
    assert score("class_match", [A("Puppy")], answer=["dog", "puppy"]) == [1.0]
    assert score("class_match", [A("cat")], answer=None) == [None]


def test_class_match_contains_with_and_without_labels():
    completions = [A("a golden retriever"), A("retriever"), A("golden retriever or cat"), A(""), A("GoldenRetriever")]
    assert score("class_match", completions, {"match": "contains", "labels_column": None},
                 answer="golden retriever", labels=["golden retriever", "retriever", "cat"]) == [1.0, 1.0, 1.0, 0.0, 1.0]
    assert score("class_match", completions, {"match": "contains"},
                 answer="golden retriever", labels=["golden retriever", "retriever", "cat"]) == [1.0, 0.0, 0.0, 0.0, 1.0]
    assert score("class_match", completions[:3], {"match": "contains", "labels_column": "classes"},
                 answer="golden retriever", classes=["golden retriever", "cat"]) == [1.0, 0.0, 0.0]


# --- options, stacks, hostile output ------------------------------------------------------------------


@pytest.mark.parametrize("name, options", [
    ("iou", {"threshold": 1.5}), ("iou", {"threshold": True}), ("iou", {"think_tag": "<think>"}),
    ("detection", {"component": "map"}), ("detection", {"iou_threshold": 1}), ("detection", {"match_labels": "yes"}),
    ("jigsaw_position", {"one_based": "yes"}), ("jigsaw_position", {"exact": 1}), ("jigsaw_format", {"think": None}),
    ("gui_action", {"style": "uir1"}), ("gui_action", {"threshold": None}), ("gui_click", {"point_radius": 0}),
    ("gui_args", {"metric": "bleu"}), ("gui_args", {"threshold": 2}), ("gui_format", {"think": "no"}),
    ("class_match", {"match": "fuzzy"}), ("class_match", {"labels_column": ""}), ("giou", {"threshold": 0.5}),
])
def test_bad_options_fail_when_resolved(name, options):
    with pytest.raises(UserError):
        resolve(name, **options)


STACKS = {
    "grounding": ["think_format", "iou"], "visual_rft_grounding": ["think_format", "giou"],
    "visual_rft_detection": ["think_format", "detection"], "jigsaw": ["jigsaw_position", "jigsaw_format"],
    "gui": ["gui_format", "gui_action"], "ui_r1": ["think_format", "gui_action_type", "gui_action"],
    "classification": ["think_format", "class_match"],
}


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_named_stacks_resolve(stack):
    entries = yaml.safe_load((CONF / f"{stack}.yaml").read_text())["rewards"]
    resolved = RewardStack(entries)
    assert [e["name"] for e in entries] == STACKS[stack]
    assert len(resolved.functions) == len(STACKS[stack])


def test_paper_weights_in_stacks():
    weights = {s: RewardStack(yaml.safe_load((CONF / f"{s}.yaml").read_text())["rewards"]).weights for s in STACKS}
    assert weights["gui"] == [0.2, 0.8] and weights["jigsaw"] == [1.0, 0.5] and weights["ui_r1"] == [1.0, 1.0, 1.0]


ADVERSARIAL = {
    "open_quads": "<answer>" + "[1, 2, 3, " * 20_000 + "</answer>",
    "spaces_after_pair": "<answer>(1,2)" + " " * 60_000 + "x</answer>",
    "spaces_in_quad": "<answer>[1" + " " * 60_000 + "</answer>",
    "open_actions": "<answer>" + "{'action': '" * 10_000 + "</answer>",
    "many_keys": "<answer>{" + "a: " * 1300 + "}</answer>",
    "bare_keys": "<answer>" + "a:" * 50_000 + "</answer>",
    "quotes": "<answer>" + "'" * 100_000 + "</answer>",
    "open_brackets": "<answer>{'action': 'click', 'point': " + "[" * 3000 + "}</answer>",
    "long_digits": "<answer>[" + "9" * 100_000 + ", 1, 2, 3]</answer>",
    "zeros": "<answer>" + "0 " * 100_000 + "</answer>",
    "braces": "<answer>" + "{" * 50_000 + "}" * 50_000 + "</answer>",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_and_adversarial_output_scores_nothing(name):
    case = CASES[name]
    completions = list(HOSTILE.values()) + list(ADVERSARIAL.values())
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("rewards", score(
        name, completions, case.get("options"), **case["columns"])), daemon=True)
    worker.start()
    worker.join(timeout=60)  # a guard against a hang, not a timing assertion
    assert not worker.is_alive()
    assert all(r in (0.0, None) for r in result["rewards"]), dict(zip(list(HOSTILE) + list(ADVERSARIAL), result["rewards"]))
