"""reward_model: a saved classifier's score of prompt + completion."""

import pytest
from cases_reward_model import tiny_reward_model

from r1kit.errors import UserError
from r1kit.rewards import resolve

PROMPT = [{"role": "user", "content": "What is 2 + 2?"}]


def test_scores_are_the_classifiers_output_for_prompt_and_completion():
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    reward = resolve("reward_model", model=tiny_reward_model(), batch_size=2)
    completions = [[{"role": "assistant", "content": t}] for t in ("4", "The answer is 4.", "five")]
    scores = reward(completions, prompts=[PROMPT] * 3)
    assert len(set(scores)) == 3  # the completion matters
    model = AutoModelForSequenceClassification.from_pretrained(tiny_reward_model()).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_reward_model())
    text = tokenizer.apply_chat_template([*PROMPT, {"role": "assistant", "content": "five"}], tokenize=False)
    with torch.no_grad():
        expected = model(**tokenizer(text, return_tensors="pt", add_special_tokens=False)).logits[0, 0].item()
    assert scores[2] == pytest.approx(expected, rel=1e-5)  # batching and padding change nothing


def test_a_folder_that_is_not_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(UserError, match="is not a saved model folder"):
        resolve("reward_model", model=str(tmp_path))(["x"], prompts=["p"])


JUDGE_PROMPT = "Is this thinking sketch-style?"


def test_judge_prompt_scores_the_reasoning_alone_after_that_user_turn():
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    reward = resolve("reward_model", model=tiny_reward_model(), judge_prompt=JUDGE_PROMPT)
    completions = ["<think>1. 2 + 2 = 4.</think><answer>4</answer>", "1. 2 + 2 = 4.<answer>5</answer>",
                   "<answer>4</answer>"]
    scores = reward(completions, prompts=[PROMPT] * 3)
    assert scores[0] == pytest.approx(scores[1], rel=1e-5)  # the same reasoning, whatever the answer and the question
    assert scores[2] == 0.0  # no reasoning: not asked
    model = AutoModelForSequenceClassification.from_pretrained(tiny_reward_model()).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_reward_model())
    text = tokenizer.apply_chat_template([{"role": "user", "content": JUDGE_PROMPT},
                                         {"role": "assistant", "content": "1. 2 + 2 = 4."}], tokenize=False)
    with torch.no_grad():
        expected = model(**tokenizer(text, return_tensors="pt", add_special_tokens=False)).logits[0, 0].item()
    assert scores[0] == pytest.approx(expected, rel=1e-5)


def test_threshold_turns_the_score_into_a_verdict():
    completions = [f"<think>{t}</think><answer>4</answer>" for t in ("1. add.", "First I will add two and two.")]
    raw = resolve("reward_model", model=tiny_reward_model(), judge_prompt=JUDGE_PROMPT)(completions)
    between = (raw[0] + raw[1]) / 2
    assert raw[0] != raw[1]
    verdicts = resolve("reward_model", model=tiny_reward_model(), judge_prompt=JUDGE_PROMPT,
                       threshold=between)(completions)
    assert verdicts == [float(raw[0] > between), float(raw[1] > between)]
    assert sorted(verdicts) == [0.0, 1.0]


@pytest.mark.parametrize("options, message", [({"judge_prompt": " "}, "judge_prompt"),
                                              ({"threshold": "high"}, "threshold")])
def test_bad_judge_options_are_refused_when_the_recipe_is_read(options, message):
    with pytest.raises(UserError, match=message):
        resolve("reward_model", model=tiny_reward_model(), **options)([])
