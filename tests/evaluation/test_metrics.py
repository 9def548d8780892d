"""pass@k against brute-force enumeration, maj@k on hand-made samples, answer normalisation, length statistics."""

import itertools
import math
import random

import pytest

from r1kit.evaluation.metrics import majority_vote, normalize_answer, pass_at_k, percentile


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


def test_answers_are_normalised_for_voting():
    assert normalize_answer("  a \n b ") == "a b" and normalize_answer("  ") is None
    assert normalize_answer(None) is None


def test_percentile_matches_numpy_linear_interpolation():
    np = pytest.importorskip("numpy")
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    for q in (0, 10, 50, 90, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert math.isnan(percentile([], 90))  # no completions: no length, where numpy would raise
