"""SATORI-R1's grounded-VQA rewards (r1kit.rewards.grounded_vqa) against hand-computed values."""

import math

import pytest

from r1kit.rewards.grounded_vqa import (
    answer_in_set,
    bleu4,
    caption_bbox_answer_format,
    caption_overlap,
    region_union_iou,
    rouge_l,
)

GOOD = "<caption>two dogs on grass</caption>\n<bbox>[[10, 20, 110, 220]]</bbox>\n<answer>2</answer>"


def test_format_needs_caption_then_boxes_then_answer_and_nothing_after():
    bad = [GOOD.replace("[[10, 20, 110, 220]]", "[10, 20, 110, 220]"),   # SATORI's pattern wants [[...]]
           "<bbox>[[1, 2, 3, 4]]</bbox><caption>c</caption><answer>2</answer>",
           GOOD + "\nmore text", "<think>x</think><answer>2</answer>"]
    assert caption_bbox_answer_format([GOOD, *bad]) == [1.0, 0.0, 0.0, 0.0, 0.0]


def test_answer_must_be_one_of_the_accepted_texts_exactly():
    said = [GOOD, GOOD.replace(">2<", "> 2 <"), GOOD.replace(">2<", ">Two<"), "2"]
    assert answer_in_set(said, answer=[["two", "2"]] * 4) == [1.0, 1.0, 0.0, 0.0]
    assert answer_in_set([GOOD], answer=["2"]) == [1.0]
    assert answer_in_set([GOOD], answer=[None]) == [None]


def test_bleu4_is_nltk_method1_and_rouge_l_is_the_lcs_f1():
    ref = ["a", "man", "rides", "a", "red", "bike", "down", "the", "hill"]
    assert bleu4(ref, ref) == pytest.approx(1.0)
    hyp = ["a", "man", "rides", "a", "bike"]  # p1 5/5, p2 3/4, p3 2/3, p4 1/2; brevity exp(1 - 9/5)
    assert bleu4(hyp, ref) == pytest.approx(math.exp(1 - 9 / 5) * (1 * 0.75 * (2 / 3) * 0.5) ** 0.25)
    sparse = ["a", "man", "sees", "a", "bike"]  # p1 4/5, p2 1/4, p3 0 -> 0.1/3, p4 0 -> 0.1/2
    assert bleu4(sparse, ref) == pytest.approx(math.exp(1 - 9 / 5) * (0.8 * 0.25 * (0.1 / 3) * (0.1 / 2)) ** 0.25)
    assert bleu4(["zebra"], ref) == 0.0  # no unigram in common
    assert rouge_l(hyp, ref) == pytest.approx(2 * 5 / (5 + 9))


def test_caption_overlap_averages_bleu_and_rouge():
    gold = "two dogs on grass"
    assert caption_overlap([GOOD, "<answer>2</answer>"], caption=[gold] * 2) == [pytest.approx(1.0), 0.0]
    assert caption_overlap([GOOD], caption=[None]) == [None]


def test_region_reward_is_the_iou_of_the_two_unions():
    gold = [[0, 0, 10, 10], [5, 0, 15, 10]]  # union 15 x 10 = 150
    said = "<caption>c</caption><bbox>[[0, 0, 10, 10]]</bbox><answer>a</answer>"
    assert region_union_iou([said], boxes=[gold]) == [pytest.approx(100 / 150, abs=1e-6)]
    two = "<bbox>[[0, 0, 15, 5], [0, 5, 15, 10]]</bbox>"  # the same union in two other boxes
    flat = "<bbox>[20, 20, 30, 30]</bbox>"                  # one flat box, disjoint
    junk = "<bbox>[[1, 2, 3]]</bbox>"
    assert region_union_iou([two, flat, junk, "no boxes"], boxes=[gold] * 4) == [
        pytest.approx(1.0, abs=1e-6), 0.0, 0.0, 0.0]
    assert region_union_iou([two], boxes=[[]]) == [None]
