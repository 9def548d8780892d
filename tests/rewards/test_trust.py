"""trust_thinking: Trust-GRPO's group rule, checked against a port of SophiaVL-R1's custom.py."""

import math
import random

import pytest

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.judge import clear_judge_cache, reset_judge_stats


def thinking_in_text(completions, **kwargs):
    """A stand-in judge: the thinking score written in the completion as `T=<x>`."""
    return [float(c.split("T=")[1].split()[0]) for c in completions]


def outcome_in_text(completions, **kwargs):
    """A stand-in outcome reward: the score written in the completion as `O=<x>`."""
    return [float(c.split("O=")[1].split()[0]) for c in completions]


JUDGE = {"_target_": "test_trust.thinking_in_text"}
OUTCOME = {"_target_": "test_trust.outcome_in_text"}


def custom_py(answer_score, process_score, steps=0, T=12000):
    """kxfan2002/SophiaVL-R1@a818494 verl/workers/reward/custom.py:296-346 for one group (the judge's scores given
    for every row; custom.py asks only rows with answer >= 0.2): the final rewards answer + discount x process."""
    answer_score = list(answer_score)
    if all(a >= 0.9 for a in answer_score) or all(a <= 0.1 for a in answer_score):
        process, discount = [0.0] * len(answer_score), 0.0
    else:
        process = [p if a >= 0.2 else 0 for a, p in zip(answer_score, process_score)]
        correct = [p for a, p in zip(answer_score, process) if a >= 0.5]
        incorrect = [p for a, p in zip(answer_score, process) if a < 0.5]
        correct_avg = sum(correct) / len(correct) if correct else 0
        incorrect_avg = sum(incorrect) / len(incorrect) if incorrect else 0
        discount = math.exp(-steps / T) * 0.3
        if correct_avg < incorrect_avg and correct:
            discount *= math.exp(correct_avg - incorrect_avg)
    return [a + discount * p for a, p in zip(answer_score, process)]


def r1kit_total(answer_score, process_score, prompt="q", steps=0, T=12000):
    completions = [f"O={a} T={p}" for a, p in zip(answer_score, process_score)]
    trust = resolve(name="trust_thinking", judge=JUDGE, outcome=OUTCOME)(completions, prompts=[prompt] * len(completions))
    weight = 0.3 * math.exp(-steps / T)  # the entry's weight with `schedule: {to: 0, steps: T, shape: exp}`
    return [a + weight * s for a, s in zip(answer_score, trust)]


@pytest.mark.parametrize(("answers", "thinking"), [
    ([1, 0, 0, 1], [0.9, 0.2, 0.4, 0.7]),          # right answers think better: trusted, factor 1
    ([1, 0, 0, 1], [0.3, 0.9, 0.8, 0.2]),          # right answers think worse: factor exp(0.25 - 0.85)
    ([1, 1, 1, 1], [0.9, 0.1, 0.5, 0.5]),          # all right: no thinking reward
    ([0, 0.1, 0, 0.05], [0.9, 0.8, 0.5, 0.5]),     # all wrong (<= 0.1): none
    ([0.15, 0.3, 0.6, 0], [0.9, 0.8, 0.5, 0.7]),   # partial scores: 0.15 and 0 are not judged (t = 0)
    ([0.3, 0.4, 0.25, 0.12], [0.2, 0.8, 0.5, 0.7]),  # no right answer: factor 1 even though "right" mean 0 < wrong
    ([0.95, 0.9, 0.92, 0.3], [0.1, 0.2, 0.3, 0.9]),
])
def test_matches_sophiavl_custom_py(answers, thinking):
    assert r1kit_total(answers, thinking) == pytest.approx(custom_py(answers, thinking))
    assert r1kit_total(answers, thinking, steps=1500) == pytest.approx(custom_py(answers, thinking, steps=1500))


def test_matches_custom_py_on_random_groups():
    rng = random.Random(0)
    for _ in range(200):
        answers = [rng.choice([0.0, 1.0, round(rng.random(), 2)]) for _ in range(8)]
        thinking = [round(rng.random(), 1) for _ in range(8)]
        assert r1kit_total(answers, thinking) == pytest.approx(custom_py(answers, thinking))


def test_groups_are_prompts_and_each_is_trusted_on_its_own():
    completions = ["O=1 T=0.2", "O=0.3 T=0.9", "O=1 T=0.9", "O=0.3 T=0.2", "O=1 T=0.5", "O=1 T=0.5"]
    prompts = ["a", "a", "b", "b", "c", "c"]
    logged = {}
    scores = resolve(name="trust_thinking", judge=JUDGE, outcome=OUTCOME)(
        completions, prompts=prompts, log_metric=logged.__setitem__)
    factor = math.exp(0.2 - 0.9)
    assert scores == pytest.approx([0.2 * factor, 0.9 * factor, 0.9, 0.2, 0.0, 0.0])  # wrong but judged: 0.3
    assert logged["trust_thinking/trust"] == pytest.approx((factor + 1) / 2)  # groups a and b were judged


def test_judge_is_asked_only_where_its_score_can_count():
    asked = []

    def judge(completions, **kwargs):
        asked.extend(completions)
        return [0.5] * len(completions)

    import test_trust

    test_trust.recording_judge = judge
    reward = resolve(name="trust_thinking", judge={"_target_": "test_trust.recording_judge"}, outcome=OUTCOME)
    reward(["O=1 T=0", "O=1 T=0", "O=0 T=0", "O=0.1 T=0", "O=0.5 T=0", "O=0 T=0"], prompts=list("aabbcc"))
    assert asked == ["O=0.5 T=0"]  # group a solved, b failed; in c only the answer scoring >= 0.2


def test_outcome_entries_route_by_domain_and_rows_without_outcome_score_none():
    reward = resolve(name="trust_thinking", judge=JUDGE, outcome=[
        {"name": "exact_match", "domains": ["text"]}, {"name": "choice", "domains": ["mc"]}])
    completions = ["<answer>Avon</answer> T=0.8", "<answer>Severn</answer> T=0.4", "<answer>B</answer> T=0.6",
                   "<answer>C</answer> T=0.3", "<answer>x</answer> T=0.9"]
    scores = reward(completions, prompts=["q1", "q1", "q2", "q2", "q3"], answer=["Avon", "Avon", "B", "B", "x"],
                    domain=["text", "text", "mc", "mc", "other"])
    assert scores == pytest.approx([0.8, 0.0, 0.6, 0.0, None])  # wrong (0 < 0.2) answers are not judged


def test_served_thinking_reward_model(stub):
    """The thinking RM behind an OpenAI-compatible URL, replying as custom.py asks: <answer>score</answer>."""
    clear_judge_cache()
    reset_judge_stats()
    judge = {"name": "judge_thinking", "url": stub.url, "model": "thinking-reward-model",
             "template": "Reasoning process: {completion}\nYour response format: <answer>your_score</answer>"}
    reward = resolve(name="trust_thinking", judge=judge, outcome={"name": "exact_match"})
    completions = ["<think>[[reply:<answer>0.3</answer>]]</think><answer>4</answer>",
                   "<think>[[reply:<answer>0.9</answer>]]</think><answer>5</answer>"]
    scores = reward(completions, prompts=["2+2?", "2+2?"], answer=["4", "4"])
    assert scores == pytest.approx([0.3, 0.0])  # the wrong answer is not sent to the judge
    assert len(stub.requests) == 1 and stub.requests[0]["model"] == "thinking-reward-model"


@pytest.mark.parametrize(("options", "message"), [
    ({"outcome": OUTCOME}, "needs `judge`"),
    ({"judge": [JUDGE], "outcome": OUTCOME}, "one reward entry"),
    ({"judge": JUDGE, "outcome": {"name": "exact_match", "weight": 2}}, "weight and schedule belong"),
    ({"judge": {"name": "judge_thinking"}, "outcome": OUTCOME}, "needs `model`"),
    ({"judge": JUDGE, "outcome": {"name": "no_such_reward"}}, "unknown reward"),
    ({"judge": JUDGE, "outcome": OUTCOME, "judge_from": "0.2"}, "judge_from"),
])
def test_bad_options_fail_when_the_recipe_is_read(options, message):
    with pytest.raises(UserError, match=message):
        resolve(name="trust_thinking", **options)
