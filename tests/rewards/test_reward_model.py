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
