"""pass@k against brute-force enumeration, maj@k on hand-made samples, length statistics."""

import itertools
import random

import pytest

from r1kit.evaluation.metrics import majority_vote, normalize_answer, pass_at_k, percentile
from r1kit.evaluation.scoring import extract_answer, summarize


def brute_force_pass_at_k(correct: list[bool], k: int) -> float:
    """The share of all k-subsets of the samples that contain a correct one."""
    subsets = list(itertools.combinations(range(len(correct)), k))
    return sum(any(correct[i] for i in s) for s in subsets) / len(subsets)


@pytest.mark.parametrize("n", range(1, 8))
def test_pass_at_k_equals_enumeration_over_every_subset(n):
    for c in range(n + 1):
        correct = [True] * c + [False] * (n - c)
        random.Random(n * 10 + c).shuffle(correct)  # which samples are right must not matter
        for k in range(1, n + 1):
            assert pass_at_k(n, c, k) == pytest.approx(brute_force_pass_at_k(correct, k), abs=1e-12)


def test_pass_at_k_edges_and_large_n():
    assert pass_at_k(10, 0, 5) == 0.0
    assert pass_at_k(10, 10, 1) == 1.0
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(200, 1, 100) == pytest.approx(0.5)  # one right answer in half of the subsets
    assert 0.0 <= pass_at_k(1000, 7, 500) <= 1.0
    for bad in ((3, 4, 1), (3, 1, 4), (3, 1, 0)):
        with pytest.raises(ValueError):
            pass_at_k(*bad)


def test_majority_vote_on_hand_made_samples():
    answers = ["5", "4", "5", "4", "7"]
    right = [True, False, True, False, False]
    assert majority_vote(answers, right, 1) is True  # the first sample alone
    assert majority_vote(answers, right, 2) is True  # a 1-1 tie goes to the earliest answer
    assert majority_vote(answers, right, 4) is True  # 2-2 tie, "5" came first
    assert majority_vote(["4", "5", "4", "5"], [False, True, False, True], 4) is False
    assert majority_vote(["4", "5", "5"], [False, True, True], 3) is True  # 2 votes beat 1
    assert majority_vote([None, None, "5"], [False, False, True], 3) is True  # no answer casts no vote
    assert majority_vote([None, None], [False, False], 2) is False


def test_answers_are_extracted_and_normalised_for_voting():
    assert extract_answer("<think>so</think><answer> 1 376 </answer>") == "1 376"
    assert extract_answer("the sum is \\boxed{12}") == "12"
    assert extract_answer("<think>\\boxed{3}</think>no answer") is None
    assert extract_answer(None) is None
    assert normalize_answer("  a \n b ") == "a b" and normalize_answer("  ") is None


def test_percentile_matches_numpy_linear_interpolation():
    np = pytest.importorskip("numpy")
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    for q in (0, 10, 50, 90, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_summarize_counts_from_records():
    def record(i, j, score, tokens, vote):
        return {"prompt_index": i, "sample": j, "score": score, "correct": score == 1.0, "format": 1.0,
                "tokens": tokens, "truncated": tokens >= 10, "vote": vote}

    records = [record(0, 0, 1.0, 4, "5"), record(0, 1, 0.0, 10, "4"), record(0, 2, 0.0, 6, "4"),
               record(1, 0, 0.0, 5, "1"), record(1, 1, 0.0, 5, "2"), record(1, 2, 0.0, 5, "2"),
               record(2, 0, None, 5, "x"), record(2, 1, None, 5, "x"), record(2, 2, None, 5, "x")]
    figures = summarize(records, [1, 3], 3)
    assert figures["prompts"] == 3 and figures["completions"] == 9
    assert figures["accuracy"] == pytest.approx(1 / 6)  # rows scored None are left out
    assert figures["pass@1"] == pytest.approx((1 / 3 + 0) / 2)  # prompt 2 has no gold: not counted
    assert figures["pass@3"] == pytest.approx(0.5)
    assert figures["maj@3"] == 0.0  # prompt 0 votes "4" (wrong) 2-1
    assert figures["truncation_rate"] == pytest.approx(1 / 9)
    assert figures["p90_length"] == pytest.approx(percentile([4, 10, 6, 5, 5, 5, 5, 5, 5], 90))

