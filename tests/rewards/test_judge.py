"""Judge rewards: verdict parsing, the prompts each judge sends, option checks, hostile output."""

import pickle
import re
import threading

import pytest
from judge_server import RAW, http_judge
from reward_cases import GOOD, HOSTILE, chat

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.judge import fill_template, parse_verdict

# --------------------------------------------------------------------------- parsing and templates

@pytest.mark.parametrize(("reply", "parser", "scale", "expected"), [
    ("Yes.", "yes_no", (0, 1), 1.0),
    ("no", "yes_no", (0, 1), 0.0),
    ("The two answers are not equivalent.", "yes_no", (0, 1), 0.0),
    ("Correct", "yes_no", (0, 1), 1.0),
    ("Incorrect", "yes_no", (0, 1), 0.0),
    ("<think>yes, hmm, actually</think>No", "yes_no", (0, 1), 0.0),
    ("maybe", "yes_no", (0, 1), None),
    ("Score: 0.75", "score", (0, 1), 0.75),
    ('{"score": 8}', "score", (0, 10), 0.8),
    ("Rating: 3/4", "score", (0, 1), 0.75),
    ("Score: 7", "score", (1, 10), 6 / 9),
    ("Score: 11", "score", (0, 10), None),
    ("1", "score", (0, 1), 1.0),
    ("0", "score", (0, 1), 0.0),
    ("steps 1 and 2 are right, so 9", "score", (0, 10), 0.9),
    ("Yes", "auto", (0, 1), 1.0),
    ("Good reasoning. Score: 0.5", "auto", (0, 1), 0.5),
    ("banana", "auto", (0, 1), None),
    (None, "auto", (0, 1), None),
])
def test_verdict_parser(reply, parser, scale, expected):
    got = parse_verdict(reply, parser, scale)
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_template_fills_known_placeholders_once_and_keeps_other_braces():
    filled = fill_template('{"verdict": "yes"} {completion} vs {reference}',
                           {"completion": "I wrote {reference}", "reference": "5"})
    assert filled == '{"verdict": "yes"} I wrote {reference} vs 5'


# --------------------------------------------------------------------------- the HTTP judge

def test_endpoint_gets_an_openai_request_with_the_key_from_the_named_variable(stub, monkeypatch):
    monkeypatch.setenv("R1KIT_TEST_JUDGE_KEY", "secret-123")
    reward = http_judge(stub, api_key_env="R1KIT_TEST_JUDGE_KEY", system="Be strict.", max_tokens=7,
                        request_options={"chat_template_kwargs": {"enable_thinking": False}})
    assert reward(["first [[reply:yes]]", "second [[reply:No.]]"]) == [1.0, 0.0]
    body = stub.requests[0]
    assert body["model"] == "judge-model" and body["max_tokens"] == 7 and body["temperature"] == 0.0
    assert body["messages"][0] == {"role": "system", "content": "Be strict."}
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert all(h["Authorization"] == "Bearer secret-123" for h in stub.headers)
    assert "secret-123" not in repr(reward) and "secret-123" not in str(pickle.dumps(reward))


def test_equivalence_judge_sees_question_reference_and_final_answer(stub):
    reward = http_judge(stub, "judge_equivalence")
    question = [{"role": "system", "content": "Think first."}, {"role": "user", "content": "What is 2+3?"}]
    completions = ["<think>2+3 is 5</think><answer>5</answer>", "<think>no answer block</think>",
                   "<think>x</think><answer>five [[reply:No]]</answer>", "<answer>5</answer>"]
    scores = reward(completions, prompts=[question] * 4, answer=["5", "5", "5", None])
    assert scores == [1.0, 0.0, 0.0, None]  # no answer block: 0 unasked; no reference: None unasked
    assert len(stub.requests) == 2
    sent = next(p for p in stub.prompts() if "five" not in p)  # requests arrive in any order
    assert "What is 2+3?" in sent and "Think first." not in sent
    assert "Reference answer:\n5" in sent and "Candidate answer:\n5" in sent and "2+3 is 5" not in sent


def test_thinking_judge_scores_the_reasoning_on_a_scale(stub):
    reward = http_judge(stub, "judge_thinking")
    scores = reward(["<think>add 2 and 3 [[reply:Score: 0.75]]</think><answer>5</answer>",
                     "<think>[[reply:The reasoning is fine. Score: 0.2]]</think><answer>6</answer>",
                     "<answer>5</answer>", "<think>no final answer</think>"], prompts=["What is 2+3?"] * 4,
                    answer=["5"] * 4)
    assert scores == [0.75, 0.2, 0.0, 0.0]  # no reasoning, or no answer: nothing to grade, not asked
    assert len(stub.requests) == 2
    assert any("Reasoning:\nadd 2 and 3" in p and "Question:\nWhat is 2+3?" in p for p in stub.prompts())
    assert http_judge(stub, "judge_thinking", scale=[0, 10])(["<think>[[reply:Score: 7]]</think><answer>5</answer>"]
                                                             ) == [0.7]


def test_consistency_judge_sees_the_end_of_the_reasoning_and_the_answer(stub):
    reward = http_judge(stub, "judge_consistency")
    reasoning = "line 1\nline 2\nline 3\nline 4\nso the answer is 5"
    scores = reward([f"<think>{reasoning} [[reply:1]]</think><answer>5</answer>",
                     f"<think>{reasoning} [[reply:0]]</think><answer>7</answer>"], answer=["5", "5"])
    assert scores == [1.0, 0.0]
    sent = next(p for p in stub.prompts() if "[[reply:1]]" in p)
    assert "line 3\nline 4\nso the answer is 5" in sent and "line 2" not in sent
    assert "Final answer:\n5" in sent


def test_r1_reward_consistency_term_is_accuracy_times_plus_or_minus_one(stub):
    """R1-Reward (math_verifier_mllm.py): acc x consistency, +1 / -1 by the judge, 0 when the judge fails;
    wrong answers are not sent to the judge."""
    reward = http_judge(stub, "judge_consistency", low=-1, accuracy="exact_match")
    completions = ["<think>so 2 is better [[reply:1]]</think><answer>2</answer>",
                   "<think>so 1 is better [[reply:0]]</think><answer>2</answer>",
                   "<think>so 1 is better [[reply:1]]</think><answer>1</answer>",
                   "<think>no idea [[reply:banana]]</think><answer>2</answer>",
                   "<answer>2</answer>"]
    assert reward(completions, answer=["2"] * 5) == [1.0, -1.0, 0.0, 0.0, -1.0]
    assert not any("so 1 is better [[reply:1]]" in p for p in stub.prompts())
    assert reward(completions[:1], answer=[None]) == [None]
    plain = http_judge(stub, "judge_consistency")  # the defaults: 1.0 / 0.0, every row judged
    assert plain(completions, answer=["2"] * 5) == [1.0, 0.0, 1.0, 0.0, 0.0]


def test_hostile_completions_never_raise_and_unjudgeable_ones_are_not_sent(stub):
    completions = [GOOD, *HOSTILE.values(), chat(GOOD)]
    results = {}

    def work():
        for name in ("judge", "judge_equivalence", "judge_thinking", "judge_consistency"):
            results[name] = http_judge(stub, name, max_chars=2000)(
                completions, prompts=[[{"role": "user", "content": "What is 2+3?"}]] * len(completions),
                answer=["5"] * len(completions))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout=120)  # a guard against a hang, not a timing assertion
    assert not worker.is_alive()
    for name, scores in results.items():
        assert len(scores) == len(completions) and all(isinstance(s, float) for s in scores), name
        by_case = dict(zip(HOSTILE, scores[1:]))
        for case in ("empty", "none", "none_content", "no_content_key", "empty_chat", "not_text"):
            assert by_case[case] == 0.0, (name, case)
        assert scores[0] == scores[-1] == 1.0, name  # a chat-shaped completion reads like a string
    sent = stub.prompts()
    assert all(len(p) < 3 * 2000 + 1000 for p in sent)  # 100k characters: each inserted part cut to max_chars
    assert any("\ud800" not in p and "<answer>?</answer>" in p for p in sent)  # lone surrogate made valid
    assert not any(p.strip() == "" for p in sent)


def test_options_are_checked_when_the_recipe_is_read(monkeypatch):
    monkeypatch.delenv("R1KIT_UNSET_KEY", raising=False)
    url = {"url": "http://127.0.0.1:9/v1", "model": "m"}
    bad = [
        ("judge", {"template": RAW}, "needs `model`"),
        ("judge", {**url}, "template"),
        ("judge", {**url, "template": "no placeholder here"}, "template"),
        ("judge", {**url, "template": RAW, "parser": "vibes"}, "parser"),
        ("judge", {**url, "template": RAW, "scale": [5, 1]}, "scale"),
        ("judge", {**url, "template": RAW, "api_key_env": "R1KIT_UNSET_KEY"}, "not set"),
        ("judge", {**url, "template": RAW, "api_key_env": "sk-live-abcdef"}, "never the key"),
        ("judge", {**url, "template": RAW, "api_key": "sk-live-abcdef"}, "no option 'api_key'"),
        ("judge", {**url, "template": RAW, "concurrency": 0}, "concurrency"),
        ("judge", {**url, "template": RAW, "low": 1}, "low=1"),
        ("judge_consistency", {**url, "accuracy": "translation_bleu"}, "accuracy='translation_bleu'"),
        ("judge_consistency", {**url, "accuracy_kwargs": {"x": 1}}, "needs `accuracy`"),
        ("judge_equivalence", {"url": "localhost:8000", "model": "m"}, "http"),
        ("judge_equivalence", {"model": "/no/such/judge/dir"}, "no such directory"),
    ]
    for name, options, message in bad:
        with pytest.raises(UserError, match=re.escape(message)):
            resolve(name, **options)


def test_a_key_given_as_api_key_env_is_never_printed():
    token = "hf_aBcD1234eFgH5678iJkL"  # reads like a variable name, but is a key
    with pytest.raises(UserError) as err:
        resolve("judge", url="http://127.0.0.1:9/v1", model="m", template=RAW, api_key_env=token)
    assert token not in str(err.value) and "not shown" in str(err.value)


def test_judge_rewards_pickle_and_keep_their_names(stub):
    for name in ("judge", "judge_equivalence", "judge_thinking", "judge_consistency"):
        reward = http_judge(stub, name)
        clone = pickle.loads(pickle.dumps(reward))
        assert clone.__name__ == name
        assert clone(["<think>a</think><answer>5</answer>"], answer=["5"]) == reward(
            ["<think>a</think><answer>5</answer>"], answer=["5"])
