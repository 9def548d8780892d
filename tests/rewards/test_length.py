"""cosine_length, kimi_length and soft_overlong: length shaping rewards."""

import pytest
from reward_cases import GOOD

from r1kit.errors import UserError
from r1kit.rewards.length import cosine_length, kimi_length, soft_overlong

RIGHT = "<think>r</think><answer>5</answer>"
WRONG = "<think>r</think><answer>6</answer>"


@pytest.mark.parametrize(
    ("tokens", "right", "wrong"),
    [(0, 1.0, -1.0), (500, 0.75, -0.75), (1000, 0.5, -0.5), (1500, 0.5, -0.5)],  # clamped past max_len
)
def test_cosine_follows_the_schedule_in_tokens(tokens, right, wrong):
    rewards = cosine_length(
        [RIGHT, WRONG], answer=["5", "5"], completion_ids=[[1] * tokens] * 2, unit="tokens", correctness="exact_match"
    )
    assert rewards == [pytest.approx(right), pytest.approx(wrong)]


def test_cosine_counts_characters_by_default_and_uses_math_accuracy():
    rewards = cosine_length([RIGHT, WRONG], answer=["5", "5"], max_len=2 * len(RIGHT), completion_ids=[[1], [1]])
    assert rewards == [pytest.approx(0.75), pytest.approx(-0.75)]


def test_cosine_shorter_right_answers_score_higher():
    short, long = RIGHT, "<think>" + "r" * 400 + "</think><answer>5</answer>"
    assert cosine_length([short, long], answer=["5", "5"])[0] > cosine_length([short, long], answer=["5", "5"])[1]


def test_cosine_passes_options_to_correctness_and_skips_rows_without_gold():
    rewards = cosine_length(
        ["\\boxed{5}", "\\boxed{5}"], answer=["5", None], correctness_kwargs={"mode": "answer_tag"}, max_len=9
    )
    assert rewards == [pytest.approx(-0.5), None]  # wrong: no answer tag


@pytest.mark.parametrize(
    "options",
    [{"max_len": 0}, {"correctness": "think_format"}, {"unit": "words"}, {"correctness_kwargs": {"modee": 1}}],
)
def test_cosine_bad_options_are_user_errors(options):
    with pytest.raises(UserError):
        cosine_length([RIGHT], answer=["5"], **options)


def test_kimi_lambda_within_a_group():
    # Lengths 10, 20, 30 -> lambda 0.5, 0, -0.5; wrong answers get min(0, lambda).
    completions = ["a" * 10, "b" * 20, "c" * 30, "d" * 10]
    answers = ["a" * 10, "b" * 20, "c" * 30, "x"]
    rewards = kimi_length(completions, answer=answers, prompts=["p"] * 4, correctness="exact_match")
    assert rewards == [pytest.approx(0.5), pytest.approx(0.0), pytest.approx(-0.5), pytest.approx(0.0)]


def test_kimi_groups_by_prompt():
    completions = ["a" * 10, "a" * 30, "a" * 100, "a" * 300]
    prompts = [[{"role": "user", "content": "p1"}]] * 2 + [[{"role": "user", "content": "p2"}]] * 2
    rewards = kimi_length(completions, answer=completions, prompts=prompts, correctness="exact_match")
    assert rewards == [pytest.approx(0.5), pytest.approx(-0.5), pytest.approx(0.5), pytest.approx(-0.5)]
    one_group = kimi_length(completions, answer=completions, correctness="exact_match")
    assert one_group[1] == pytest.approx(0.5 - 20 / 290)


def test_kimi_equal_lengths_score_zero_and_missing_gold_is_none():
    assert kimi_length(["ab", "cd"], answer=["ab", None], prompts=["p", "p"], correctness="exact_match") == [0.0, None]


def test_kimi_counts_tokens_when_asked():
    rewards = kimi_length(
        [RIGHT, RIGHT], answer=["5", "5"], completion_ids=[[1] * 100, [1] * 10], unit="tokens", prompts=["p", "p"]
    )
    assert rewards == [pytest.approx(-0.5), pytest.approx(0.5)]


@pytest.mark.parametrize(("tokens", "expected"), [(0, 0.0), (6, 0.0), (7, -0.25), (8, -0.5), (10, -1.0), (11, -1.0)])
def test_soft_overlong_is_dapo_eq_13_on_tokens(tokens, expected):
    rewards = soft_overlong([GOOD], completion_ids=[[1] * tokens], max_completion_length=10, cache_length=4)
    assert rewards == [pytest.approx(expected)]


def test_soft_overlong_defaults_and_character_fallback():
    assert soft_overlong(["x" * 768, "x" * 896, "x" * 1025]) == [0.0, pytest.approx(-0.5), -1.0]


def test_soft_overlong_without_a_cache_is_a_hard_cutoff():
    assert soft_overlong(["x" * 10, "x" * 11], max_completion_length=10, cache_length=0) == [0.0, -1.0]


@pytest.mark.parametrize("options", [{"cache_length": 11}, {"cache_length": -1}, {"max_completion_length": 10.5}])
def test_soft_overlong_bad_options_are_user_errors(options):
    with pytest.raises(UserError):
        soft_overlong(["x"], **{"max_completion_length": 10, **options})


def test_concise_bonus_goes_to_the_shortest_right_answer_over_the_length_floor():
    """Observe-R1 (experience_maker.py:537-544): +bonus to the group's fewest-token right answer if > 100 tokens."""
    from r1kit.rewards.length import concise_bonus

    right, wrong = "<think>x</think><answer>4</answer>", "<think>x</think><answer>5</answer>"
    completions = [right, right, wrong, right] + [wrong, wrong] + [right, right]
    prompts = ["a"] * 4 + ["b"] * 2 + ["c"] * 2
    ids = [[0] * n for n in (150, 120, 101, 300)] + [[0] * 110] * 2 + [[0] * 50, [0] * 300]
    rewards = concise_bonus(completions, prompts=prompts, completion_ids=ids, answer=["4"] * 8)
    # a: the 120-token right one (the 101-token one is wrong); b: none right, no bonus (Observe-R1 gives one);
    # c: the shortest right one has 50 tokens, not over the floor, so none
    assert rewards == [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert concise_bonus(completions[6:], prompts=["c"] * 2, completion_ids=ids[6:], answer=["4"] * 2,
                         min_length=10) == [1.0, 0.0]
    assert concise_bonus([right], answer=[None]) == [None]
