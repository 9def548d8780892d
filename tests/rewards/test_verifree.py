"""VeriFree: the policy's probability of the reference answer, checked against a manual forward pass of the tiny model."""

import math
import pickle
import threading
from types import SimpleNamespace

import pytest
import torch
from reward_cases import GOOD, HOSTILE, chat

from r1kit.errors import UserError
from r1kit.models.tiny import build_tiny
from r1kit.rewards import resolve
from r1kit.rewards.verifree import verifree as VERIFREE

QUESTION = [{"role": "user", "content": "What is 2+3?"}]


@pytest.fixture
def policy():
    model, tok = build_tiny(seed=0)
    VERIFREE.bind_policy(model, tok)
    yield model, tok
    VERIFREE.bind_policy(None, None)


def manual(model, tok, prompt, reasoning: str, answer: str, temperature: float = 1.0) -> float:
    """exp(sum log p(answer tokens)) from one unpadded forward pass over prompt + reasoning + answer."""
    if isinstance(prompt, list):
        prompt_text = tok.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
        prompt_ids = tok(prompt_text, add_special_tokens=False)["input_ids"]
    else:
        prompt_ids = tok(prompt)["input_ids"]
    context = prompt_ids + tok(reasoning, add_special_tokens=False)["input_ids"]
    target = tok(answer, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = model(torch.tensor([context + target])).logits[0].float() / temperature
    logprobs = torch.log_softmax(logits, dim=-1)
    return math.exp(sum(logprobs[len(context) - 1 + i, t].item() for i, t in enumerate(target)))


def test_reward_is_the_reference_probability_after_the_reasoning(policy):
    model, tok = policy
    completions = ["<think>2+3=5</think><answer>7</answer>",  # the model's own answer is replaced
                   "<think>a much longer line of reasoning, " + "so " * 30 + "five</think>\n<answer>5</answer>",
                   chat("<think>chat-shaped</think><answer>5</answer>")]
    prompts = [QUESTION, "What is 2+3?", QUESTION]
    scores = resolve("verifree", batch_size=2)(completions, prompts=prompts, answer=["5", 5, "5"])
    expected = [manual(model, tok, QUESTION, "<think>2+3=5</think><answer>", "5</answer>"),
                manual(model, tok, "What is 2+3?", completions[1].split("<answer>")[0] + "<answer>", "5</answer>"),
                manual(model, tok, QUESTION, "<think>chat-shaped</think><answer>", "5</answer>")]
    assert scores == pytest.approx(expected, rel=1e-4)
    assert all(0.0 < s < 1.0 for s in scores)
    assert scores[0] != scores[2]  # the reasoning it conditions on matters


def test_longer_references_are_less_likely_and_temperature_divides_logits(policy):
    model, tok = policy
    completion = ["<think>x</think><answer>"]
    short, long = (resolve("verifree")(completion, prompts=[QUESTION], answer=[a])[0] for a in ("5", "55555"))
    assert long < short
    hot = resolve("verifree", temperature=2.0)(completion, prompts=[QUESTION], answer=["5"])[0]
    assert hot == pytest.approx(manual(model, tok, QUESTION, "<think>x</think><answer>", "5</answer>", 2.0), rel=1e-4)
    VERIFREE.bind_policy(model, tok, SimpleNamespace(temperature=2.0, chat_template_kwargs=None))
    assert resolve("verifree")(completion, prompts=[QUESTION], answer=["5"])[0] == pytest.approx(hot, rel=1e-6)


def test_without_an_answer_it_scores_zero_or_conditions_on_the_whole_completion(policy):
    model, tok = policy
    completions = ["<think>never answers</think>", "", None]
    assert resolve("verifree")(completions, prompts=[QUESTION] * 3, answer=["5"] * 3) == [0.0, 0.0, 0.0]
    appended = resolve("verifree", if_no_answer="append")(completions[:1], prompts=[QUESTION], answer=["5"])
    assert appended == pytest.approx(
        [manual(model, tok, QUESTION, "<think>never answers</think><answer>", "5</answer>")], rel=1e-4)


def test_the_papers_split_and_answer_template(policy):
    model, tok = policy
    reward = resolve("verifree", split_at="<answer", answer_template="> \\boxed{{reference}} </answer>")
    score = reward(["<think>ok</think><answer>4</answer>"], prompts=[QUESTION], answer=["5"])[0]
    assert score == pytest.approx(manual(model, tok, QUESTION, "<think>ok</think><answer", "> \\boxed{5} </answer>"),
                                  rel=1e-4)


def test_rows_without_a_reference_score_none(policy):
    reward = resolve("verifree")
    assert reward([GOOD] * 4, prompts=[QUESTION] * 4, answer=[None, "", float("nan"), "5"])[:3] == [None] * 3
    assert reward([GOOD], prompts=[QUESTION]) == [None]


def test_batches_and_padding_do_not_change_the_scores(policy):
    completions = [f"<think>{'step ' * k}</think><answer>5</answer>" for k in range(7)]
    one = resolve("verifree", batch_size=1)(completions, prompts=[QUESTION] * 7, answer=["5"] * 7)
    many = resolve("verifree", batch_size=8)(completions, prompts=[QUESTION] * 7, answer=["5"] * 7)
    assert many == pytest.approx(one, rel=1e-4)


def test_scoring_leaves_the_policy_as_it_was(policy):
    model, _ = policy
    model.train()
    resolve("verifree")([GOOD], prompts=[QUESTION], answer=["5"])
    assert model.training and all(p.grad is None for p in model.parameters())


def test_hostile_completions_score_in_range_without_raising(policy):
    completions = [GOOD, *HOSTILE.values(), chat(GOOD)]
    result = {}

    def work():
        for mode in ("zero", "append"):
            result[mode] = resolve("verifree", if_no_answer=mode)(
                completions, prompts=[QUESTION] * len(completions), answer=["5"] * len(completions))

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout=300)  # a guard against a hang, not a timing assertion
    assert not worker.is_alive()
    for mode, scores in result.items():
        assert len(scores) == len(completions)
        assert all(isinstance(s, float) and 0.0 <= s <= 1.0 for s in scores), mode
        assert scores[0] == pytest.approx(scores[-1])
    by_case = dict(zip(HOSTILE, result["zero"][1:]))
    assert by_case["empty"] == by_case["none"] == by_case["huge"] == 0.0  # no answer started
    assert result["append"][1 + list(HOSTILE).index("huge")] > 0.0  # 100k characters: the end is kept


def test_unbound_it_refuses_to_score_with_a_clear_error():
    reward = resolve("verifree")  # the recipe check works without a policy
    assert reward([]) == []
    with pytest.raises(UserError, match="bind_policy"):
        reward([GOOD], answer=["5"])


@pytest.mark.parametrize(("options", "message"), [
    ({"if_no_answer": "skip"}, "if_no_answer"),
    ({"answer_template": "<answer>5</answer>"}, "{reference}"),
    ({"split_at": ""}, "split_at"),
    ({"temperature": 0}, "temperature"),
    ({"batch_size": 0}, "batch_size"),
    ({"policy": "x"}, "no option 'policy'"),
])
def test_options_are_checked_when_the_recipe_is_read(options, message):
    with pytest.raises(UserError, match=message.replace("{", r"\{").replace("}", r"\}")):
        resolve("verifree", **options)


def test_pickles_without_the_model(policy):
    reward = resolve("verifree")
    data = pickle.dumps(reward)
    assert len(data) < 2000
    clone = pickle.loads(data)
    assert clone.fn is VERIFREE and clone([GOOD], prompts=[QUESTION], answer=["5"]) == reward(
        [GOOD], prompts=[QUESTION], answer=["5"])


def test_the_grpo_stage_hook_binds_only_rewards_that_need_the_policy():
    from r1kit.rewards.stack import RewardStack

    model, tok = build_tiny(seed=0)
    stack = RewardStack(["think_format", {"name": "verifree", "weight": 0.5}, "exact_match"])
    try:
        assert stack.bind_policy(model, tok, SimpleNamespace(temperature=0.7)) == ["verifree"]
        assert VERIFREE.model is model and VERIFREE.sampling_temperature == 0.7
        scores = stack.functions[1]([GOOD], prompts=[QUESTION], answer=["5"])
        assert 0.0 < scores[0] < 1.0 and stack.errors["verifree"] == 0
    finally:
        VERIFREE.bind_policy(None, None)
