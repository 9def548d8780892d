"""Score completions with a trained reward model: a sequence classifier with one output, such as the final/
of a `reward_model` stage (`model: stage:<name>`) or any saved one.

The classifier reads the prompt and the completion through its chat template, as it was
trained by trl.RewardTrainer, and its output is the reward. It is loaded once per process.
"""

from functools import cache
from pathlib import Path

from r1kit.errors import UserError
from r1kit.rewards.registry import register
from r1kit.rewards.text import completion_text


def _check_folder(path: str):
    if not (Path(path) / "config.json").is_file():
        raise UserError(f"reward_model: model={path!r} is not a saved model folder (no config.json). Name a "
                        "reward_model stage of this recipe as `model: stage:<name>`, or a folder")


@cache
def _load(path: str, device: str):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    _check_folder(path)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path).eval().to(device)
    if getattr(model.config, "num_labels", 1) != 1:
        raise UserError(f"reward_model: {path} has {model.config.num_labels} outputs; a reward model has one.")
    return model, tokenizer


def _text(tokenizer, prompt, completion: str) -> str:
    if isinstance(prompt, list) and getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template([*prompt, {"role": "assistant", "content": completion}], tokenize=False)
    prompt_text = prompt if isinstance(prompt, str) else completion_text(prompt)
    return prompt_text + completion


@register("reward_model")
def reward_model(completions, prompts=None, *, model: str, batch_size: int = 16, max_length: int = 2048, **_):
    """A trained reward model's score of prompt + completion (a reward_model stage's final/, or a folder)."""
    if not completions:  # the check when a recipe is read: a stage's final/ exists only once that stage has run
        if not str(model).startswith("stage:"):
            _check_folder(str(model))
        return []
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    scorer, tokenizer = _load(str(model), device)
    prompts = prompts if prompts is not None else [""] * len(completions)
    texts = [_text(tokenizer, p, completion_text(c)).encode("utf-8", "replace").decode("utf-8")  # lone surrogates
             for p, c in zip(prompts, completions)]
    scores = []
    for start in range(0, len(texts), batch_size):
        batch = tokenizer(texts[start:start + batch_size], return_tensors="pt", padding=True, truncation=True,
                          max_length=max_length, add_special_tokens=False).to(device)
        with torch.no_grad():
            scores += scorer(**batch).logits[:, 0].float().tolist()
    return scores
