"""repetition: the n-gram repetition penalty of Yeo et al. 2025 / open-r1."""

import pytest
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards.repetition import repetition, repetition_zh


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


def test_chinese_is_segmented_into_words_before_counting():
    text = "我们在学习中文分词，我们在学习中文分词。"
    # jieba: 我们/在/学习/中文/分词/，/我们/在/学习/中文/分词/。 -> 12 words, 10 trigrams, 7 unique.
    assert repetition_zh([text]) == [pytest.approx(-0.3)]
    assert repetition_zh([chat(text)], max_penalty=-0.5) == [pytest.approx(-0.15)]
    assert repetition([text]) == [0.0]  # no spaces: one "word" for the whitespace split


def test_chinese_without_repetition_scores_zero():
    assert repetition_zh(["今天天气很好，我们去公园散步吧。"]) == [0.0]
    assert repetition_zh(["两个词"], ngram_size=3) == [0.0]  # 两个/词: fewer words than n


def test_chinese_unigrams_and_mixed_text():
    assert repetition_zh(["我的我的我的"], ngram_size=1) == [pytest.approx(-2 / 3)]  # 6 words, 2 unique
    # Whitespace is no word and Latin letters are lowercased: 答案/是/five/答案/是/five -> 5 bigrams, 3 unique.
    assert repetition_zh(["答案是 Five 答案是 five"], ngram_size=2) == [pytest.approx(-2 / 5)]


@pytest.mark.parametrize("options", [{"max_penalty": 0.5}, {"ngram_size": 0}, {"max_penalty": True}])
def test_chinese_bad_options_are_user_errors(options):
    with pytest.raises(UserError, match="repetition_zh"):
        repetition_zh(["我的"], **options)
