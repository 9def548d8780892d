"""Boxes in model output: every accepted shape, invalid boxes refused, IoU and GIoU by hand."""

import pytest

from r1kit.rewards.boxes import Detection, find_boxes, giou, iou, last_box, parse_detections


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


def test_parse_detections_can_skip_unreadable_entries():
    text = '[{"bbox_2d": [10, 10, 0, 0], "label": "cat"}, {"label": "dog"}, {"bbox_2d": [0, 0, 5, 5], "label": "Dog"}]'
    assert parse_detections(text) is None  # one bad entry makes the answer unreadable
    assert parse_detections(text, skip_invalid=True) == [Detection((0.0, 0.0, 5.0, 5.0), "dog")]
    assert parse_detections("[5, 5, 0, 0], [0, 0, 2, 2]", skip_invalid=True) == [Detection((0.0, 0.0, 2.0, 2.0))]
