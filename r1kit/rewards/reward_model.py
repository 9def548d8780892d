"""Score completions with a trained reward model: a sequence classifier with one output, such as the final/
of a `reward_model` stage (`model: stage:<name>`) or any saved one.

The classifier reads the prompt and the completion through its chat template, as it was
trained by trl.RewardTrainer, and its output is the reward. It is loaded once per process.
With `judge_prompt` it reads the completion's reasoning alone, as the answer to that fixed
user turn (a judge of thinking style, SketchThinker-R1's SketchJudge, trained on pairs with
that prompt); with `threshold` the score becomes a verdict, 1.0 above it and 0.0 otherwise.
"""

from functools import cache
from pathlib import Path

from r1kit.answers import last_tag_block
from r1kit.errors import UserError
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text


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


def reasoning_text(text: str, think_tag: str = "think", answer_tag: str = "answer") -> str:
    """The last reasoning block, or (none) the text before the answer block."""
    reasoning = last_tag_block(text, think_tag)
    if reasoning is None:
        cut = text.find(f"<{answer_tag}>")
        reasoning = text[:cut] if cut >= 0 else text
    return reasoning.strip()


@register("reward_model")
def reward_model(completions, prompts=None, *, model: str, batch_size: int = 16, max_length: int = 2048,
                 judge_prompt: str | None = None, threshold: float | None = None, think_tag: str = "think",
                 answer_tag: str = "answer", **_):
    """A trained reward model's score of prompt + completion (a reward_model stage's final/, or a folder); of the
    reasoning alone under a fixed `judge_prompt`; a 1/0 verdict with `threshold`."""
    if not completions:  # the check when a recipe is read: a stage's final/ exists only once that stage has run
        if not str(model).startswith("stage:"):
            _check_folder(str(model))
        if judge_prompt is not None and (not isinstance(judge_prompt, str) or not judge_prompt.strip()):
            raise UserError(f"reward_model: judge_prompt={judge_prompt!r} must be a non-empty text (the user turn "
                            "the classifier was trained to read the reasoning after)")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))):
            raise UserError(f"reward_model: threshold={threshold!r} must be a number (the score above which the "
                            "verdict is 1)")
        check_tag("think_tag", think_tag)
        check_tag("answer_tag", answer_tag)
        return []
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    scorer, tokenizer = _load(str(model), device)
    texts = [completion_text(c) for c in completions]
    if judge_prompt is not None:  # the reasoning alone; a completion without any scores 0.0 unasked
        texts = [reasoning_text(t, think_tag, answer_tag) for t in texts]
        asked = [i for i, t in enumerate(texts) if t]
        scores = [0.0] * len(texts)
        if asked:
            found = reward_model([texts[i] for i in asked], [[{"role": "user", "content": judge_prompt}]] * len(asked),
                                 model=model, batch_size=batch_size, max_length=max_length, threshold=threshold)
            for i, score in zip(asked, found):
                scores[i] = score
        return scores
    prompts = prompts if prompts is not None else [""] * len(completions)
    texts = [_text(tokenizer, p, t).encode("utf-8", "replace").decode("utf-8")  # lone surrogates
             for p, t in zip(prompts, texts)]
    scores = []
    for start in range(0, len(texts), batch_size):
        batch = tokenizer(texts[start:start + batch_size], return_tensors="pt", padding=True, truncation=True,
                          max_length=max_length, add_special_tokens=False).to(device)
        with torch.no_grad():
            scores += scorer(**batch).logits[:, 0].float().tolist()
    if threshold is not None:
        scores = [1.0 if score > threshold else 0.0 for score in scores]
    return scores
