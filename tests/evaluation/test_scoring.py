"""Scoring: the answer a sample votes for, and the figures summarised from sample records."""

import pytest

from r1kit.evaluation.metrics import percentile
from r1kit.evaluation.scoring import extract_answer, summarize


def test_answers_are_extracted_for_voting():
    assert extract_answer("<think>so</think><answer> 1 376 </answer>") == "1 376"
    assert extract_answer("the sum is \\boxed{12}") == "12"
    assert extract_answer("<think>\\boxed{3}</think>no answer") is None
    assert extract_answer(None) is None
    assert extract_answer("<answer>\n  a \n b </answer>") == "a b"  # normalised as votes are compared


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
