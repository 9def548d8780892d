"""rerank_setwise (Rank-R1) and rerank_listwise (ReasonRank): format check, NDCG/Recall/RBO by hand, odd rankings."""

import math
import random
import re

import pytest
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.ranking import (
    average_overlap,
    grades,
    ndcg_at_k,
    recall_at_k,
    rerank_listwise,
    rerank_setwise,
    think_then_answer,
)

RANK_R1_PATTERN = re.compile(r"<think>.*?</think>\s*<answer>(.*?)</answer>", re.DOTALL)


def answer(text: str) -> str:
    return f"<think>reasoning process here</think> <answer>{text}</answer>"


# --- the format check --------------------------------------------------------------------


def test_think_then_answer_matches_the_papers_regex_on_random_tag_soup():
    pieces = ["<think>", "</think>", "<answer>", "</answer>", " ", "\n", "x", "[2]", "\t "]
    rng = random.Random(0)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        match = RANK_R1_PATTERN.search(text)
        assert think_then_answer(text) == (match.group(1) if match else None), text


def test_think_then_answer_on_hostile_text():
    # The regex takes minutes on the first of these; think_then_answer is linear.
    for text in ("<think>" * 20_000, "<think>" + "</think>x" * 20_000, "<think></think>" + " " * 100_000):
        assert think_then_answer(text) is None


# --- setwise: Rank-R1 --------------------------------------------------------------------


def test_setwise_rank_r1_prompt_example_and_label_string():
    # The example of Rank-R1's prompt, scored against its own ground_truth format "[3]".
    example = "<think> reasoning process here </think> <answer>[3]</answer>"
    assert rerank_setwise([example, chat(example)], answer=["[3]", "[3]"]) == [1.0, 1.0]
    assert rerank_setwise([answer("[2]")], answer=["[3]"]) == [0.0]


def test_setwise_any_passage_of_the_top_grade_counts():
    relevance = [[2, 3, 1, 3]] * 5
    completions = [answer("[2]"), answer("[4]"), answer("[1]"), answer(" [4] "), answer("[9]")]
    assert rerank_setwise(completions, relevance=relevance) == [1.0, 1.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize("text", [
    "<answer>[2]</answer>",                      # no reasoning block
    "<think>x</think> so <answer>[2]</answer>",  # text between the blocks
    "<think>x</think><answer>2</answer>",         # not a label
    "<think>x</think><answer>[2] is best</answer>",
    "<think>x</think><answer>[2]",                # unclosed
    "<answer>[2]</answer><think>x</think>",
])
def test_setwise_needs_the_format_and_a_bare_label(text):
    assert rerank_setwise([text], relevance=[[0, 3, 1]]) == [0.0]


def test_setwise_first_match_wins_as_in_re_search():
    text = "<think>a</think><answer>[1]</answer><think>b</think><answer>[2]</answer>"
    assert rerank_setwise([text], relevance=[[0, 3]]) == [0.0]


def test_setwise_is_none_without_a_relevant_passage_or_a_readable_gold():
    assert rerank_setwise([answer("[1]")] * 4, relevance=[[0, 0], {}, "no label", [1, "x"]]) == [None] * 4


def test_relevance_column_wins_over_answer_and_mappings_are_read():
    assert rerank_setwise([answer("[2]")], relevance=[[0, 1]], answer=["[1]"]) == [1.0]
    assert rerank_setwise([answer("[2]")], answer=[[0, 1]]) == [1.0]
    assert grades({"2": 3, 1: None, "[3]": 1}) == {2: 3.0, 1: 0.0, 3: 1.0}
    assert grades([0, -1, 2]) == {1: 0.0, 2: 0.0, 3: 2.0}  # trec_eval: negative judgments count as 0
    assert grades({"doc7": 1}) is None and grades([True]) is None and grades([float("nan")]) is None


# --- the metrics, by hand ----------------------------------------------------------------


def test_ndcg_by_hand():
    gold = {1: 3.0, 2: 2.0, 3: 0.0, 4: 1.0}
    # DCG@3 of [2, 1, 4] = 2/log2(2) + 3/log2(3) + 1/log2(4); ideal [3, 2, 1].
    dcg = 2 + 3 / math.log2(3) + 1 / 2
    idcg = 3 + 2 / math.log2(3) + 1 / 2
    assert ndcg_at_k([2, 1, 4, 3], gold, 3) == pytest.approx(dcg / idcg) == pytest.approx(0.92249, abs=1e-5)
    exp_dcg = 3 + 7 / math.log2(3) + 1 / 2
    exp_idcg = 7 + 3 / math.log2(3) + 1 / 2
    assert ndcg_at_k([2, 1, 4, 3], gold, 3, "exponential") == pytest.approx(exp_dcg / exp_idcg)
    assert ndcg_at_k([1, 2, 4, 3], gold, 10) == pytest.approx(1.0)
    assert ndcg_at_k([3], gold, 1) == 0.0


def test_recall_and_average_overlap_by_hand():
    gold = {1: 3.0, 2: 0.0, 3: 1.0, 4: 2.0}
    assert recall_at_k([2, 1, 3, 4], gold, 2) == pytest.approx(1 / 3)
    assert recall_at_k([2, 1, 3, 4], gold, 4) == 1.0
    # Depths 1..5: overlaps 1/1, 1/2, 3/3, 4/4, 5/5 -> mean 0.9 (rbo package, p = 1).
    assert average_overlap([1, 2, 3, 4, 5], [1, 3, 2, 4, 5, 6, 7]) == pytest.approx(0.9)
    assert average_overlap([1, 2, 3], [3, 2, 1]) == pytest.approx((0 + 0.5 + 1) / 3)
    assert average_overlap([], [1]) == 0.0


# --- listwise: ReasonRank ----------------------------------------------------------------

REL = [0, 3, 1]  # passage [2] is best, then [3], then [1]


def test_listwise_perfect_ranking_scores_1_3():
    assert rerank_listwise([answer("[2] > [3] > [1]")], relevance=[REL]) == [pytest.approx(1.3)]


def test_listwise_by_hand():
    # [1] > [3] > [2]: DCG = 0 + 1/log2(3) + 3/2, IDCG = 3 + 1/log2(3); recall@10 = 1;
    # gold order [2, 3, 1]: overlaps 0/1, 1/2, 3/3 -> AO 0.5.
    ndcg = (1 / math.log2(3) + 1.5) / (3 + 1 / math.log2(3))
    expected = ndcg + 0.2 * 1.0 + 0.1 * 0.5
    assert rerank_listwise([answer("[1] > [3] > [2]")], relevance=[REL]) == [pytest.approx(expected)]
    # ReasonRank reads every digit run, whatever the separators.
    assert rerank_listwise([answer("1, 3, 2")], relevance=[REL]) == [pytest.approx(expected)]


def test_listwise_odd_rankings_follow_reasonrank():
    completions = [
        answer("[2] > [2] > [1]"),        # a duplicate: not n distinct ids -> 0
        answer("[2] > [3]"),               # a missing id -> 0
        answer("[2] > [3] > [1] > [4]"),   # one id too many -> 0
        "<answer>[2] > [3] > [1]</answer>",  # no reasoning block -> -1
        answer(""),                        # empty -> 0
    ]
    assert rerank_listwise(completions, relevance=[REL] * 5) == [0.0, 0.0, 0.0, -1.0, 0.0]


def test_listwise_unknown_id_is_dropped_from_ndcg_but_kept_in_rbo():
    # [2] > [9] > [1]: 3 distinct ids (valid); ranking for NDCG/recall is [2, 1]; RBO uses [2, 9, 1].
    ndcg = 3 / (3 + 1 / math.log2(3))
    recall = 1 / 2
    ideal = [2, 3, 1]  # grade order; no tie to break
    ao = (1 / 1 + 1 / 2 + 2 / 3) / 3
    assert average_overlap([2, 9, 1], ideal) == pytest.approx(ao)
    assert rerank_listwise([answer("[2] > [9] > [1]")], relevance=[REL]) == [pytest.approx(ndcg + 0.2 * recall + 0.1 * ao)]


def test_listwise_lenient_mode_repairs_like_rankgpt():
    # [2] > [2] > [9]: repaired to [2] then the missing [1], [3] in id order.
    expected = rerank_listwise([answer("[2] > [1] > [3]")], relevance=[REL])
    assert rerank_listwise([answer("[2] > [2] > [9]")], relevance=[REL], strict=False) == expected
    assert rerank_listwise([answer("")], relevance=[REL], strict=False)[0] > 0


def test_listwise_ties_in_the_gold_do_not_cost_rbo():
    # Passages 1 and 3 are both irrelevant: either order is a perfect ranking.
    rel = [[0, 2, 0]] * 2
    assert rerank_listwise([answer("[2] > [1] > [3]"), answer("[2] > [3] > [1]")], relevance=rel) == [
        pytest.approx(1.3), pytest.approx(1.3)]


def test_listwise_options():
    # k = 1: only the top passage counts for NDCG and recall.
    rel = [[2, 1, 0]]
    got = rerank_listwise([answer("[1] > [3] > [2]")], relevance=rel, k=1, recall_weight=0.0, rbo_weight=0.0)
    assert got == [pytest.approx(1.0)]
    got = rerank_listwise([answer("[2] > [1] > [3]")], relevance=rel, k=1, recall_weight=1.0, rbo_weight=0.0)
    assert got == [pytest.approx(0.5 + 0.5)]
    for bad in ({"k": 0}, {"k": "10"}, {"gain": "log"}, {"rbo_weight": "x"}, {"topk": 3}):
        with pytest.raises(UserError):
            resolve("rerank_listwise", **bad)


def test_listwise_is_none_where_it_does_not_apply():
    rel = [[0, 0, 0], None, "[2]"]  # nothing relevant; no gold; a label string has no passage count
    assert rerank_listwise([answer("[1] > [2] > [3]")] * 3, relevance=rel) == [None] * 3


def test_listwise_huge_answer_is_not_a_ranking():
    assert rerank_listwise([answer("[1] > " * 50_000)], relevance=[REL]) == [0.0]
