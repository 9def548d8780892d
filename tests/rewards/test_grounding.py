"""iou, giou and detection: box rewards against the gold, Visual-RFT's detection matching by hand."""

import pytest
from reward_cases import answer_block as A
from reward_cases import chat, score

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.boxes import parse_detections

GOLD = [0, 0, 10, 10]


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


@pytest.mark.parametrize("name, options", [
    ("iou", {"threshold": 1.5}), ("iou", {"threshold": True}), ("iou", {"think_tag": "<think>"}),
    ("detection", {"component": "map"}), ("detection", {"iou_threshold": 1}), ("detection", {"match_labels": "yes"}),
    ("giou", {"threshold": 0.5}),
])
def test_bad_options_fail_when_resolved(name, options):
    with pytest.raises(UserError):
        resolve(name, **options)
