"""A saved one-output classifier (the tiny model with a reward head) for the reward_model reward's tests."""

import tempfile
from functools import cache
from pathlib import Path


@cache
def tiny_reward_model() -> str:
    from transformers import AutoModelForSequenceClassification

    from r1kit.models.tiny import build_tiny

    root = Path(tempfile.mkdtemp(prefix="r1kit-reward-model-"))
    model, tokenizer = build_tiny(seed=0)
    model.save_pretrained(root / "lm")
    scorer = AutoModelForSequenceClassification.from_pretrained(root / "lm", num_labels=1)
    scorer.config.pad_token_id = tokenizer.pad_token_id
    scorer.save_pretrained(root / "rm")
    tokenizer.save_pretrained(root / "rm")
    return str(root / "rm")


CASES = {"reward_model": {"options": {"model": tiny_reward_model()}}}
