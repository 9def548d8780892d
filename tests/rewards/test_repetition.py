"""repetition: the n-gram repetition penalty of Yeo et al. 2025 / open-r1."""

import pytest
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards.repetition import repetition


def test_no_repeated_ngram_scores_zero():
    assert repetition(["one two three four five"]) == [0.0]


def test_penalty_is_the_share_of_repeated_ngrams_times_max_penalty():
    # 9 words give 7 trigrams, 3 of them unique: (1 - 3/7) * -1.
    assert repetition(["a b c a b c a b c"]) == [pytest.approx(-4 / 7)]
    assert repetition([chat("a b c a b c a b c")], max_penalty=-0.5) == [pytest.approx(-2 / 7)]


def test_words_are_lowercased_like_open_r1():
    assert repetition(["A b C a B c"]) == repetition(["a b c a b c"])
    assert repetition(["A b C a B c"])[0] < 0


def test_texts_shorter_than_n_words_score_zero():
    assert repetition(["two words"], ngram_size=3) == [0.0]
    assert repetition([""]) == [0.0]


def test_ngram_size_one_counts_repeated_words():
    assert repetition(["x x x x"], ngram_size=1) == [pytest.approx(-0.75)]


@pytest.mark.parametrize("options", [{"max_penalty": 0.5}, {"ngram_size": 0}, {"ngram_size": 2.5}])
def test_bad_options_are_user_errors(options):
    with pytest.raises(UserError):
        repetition(["a b c"], **options)
