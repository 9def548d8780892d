"""VeriFree: the policy's own probability of the reference answer, given the prompt and its reasoning.

VeriFree (Zhou et al. 2025, "Reinforcing General Reasoning without Verifiers") drops the
verifier: the completion is cut where the answer starts, the reference answer is put in its
place, and the reward is the probability the policy gives it, pi(reference | prompt,
reasoning) = exp(sum of the reference tokens' log-probabilities), computed without gradient.
A completion that never starts an answer scores 0 (the paper's -inf log-probability).

The reward needs the model being trained. A reward says so with `needs_policy = True`, and
r1kit's GRPO stage calls its `bind_policy(model, processing_class, args)` once the trainer
is built (`RewardStack.bind_policy`). Unbound, it refuses to score.
"""

import math
import threading

from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import completion_text

MODES = ("zero", "append")


class VeriFree:
    """Self-likelihood reward (VeriFree): the policy's probability of the reference answer after its own reasoning.

    The completion is cut after the first `split_at` ("<answer>"); `answer_template` with
    the reference ("{reference}</answer>") is appended, and the reward is
    exp(sum log p(reference tokens)) under the current policy, logits divided by
    `temperature` (default: the stage's sampling temperature, as the paper does). A
    completion without `split_at` scores 0.0 (`if_no_answer: zero`, the paper) or is
    conditioned on whole (`append`). Rows without a reference score None. Bound to the
    policy by the GRPO stage; text prompts only. The paper's own split for BPE tokenizers
    is `split_at: "<answer"` with `answer_template: "> \\boxed{{reference}} </answer>"`.
    """

    needs_policy = True

    def __init__(self, name: str):
        self.name = name
        self.model = self.processing_class = None
        self.chat_template_kwargs: dict = {}
        self.sampling_temperature = 1.0
        self.lock = threading.Lock()

    def bind_policy(self, model, processing_class, args=None) -> None:
        """Score with `model` from now on (the GRPO stage calls this; None unbinds)."""
        self.model, self.processing_class = model, processing_class
        self.chat_template_kwargs = dict(getattr(args, "chat_template_kwargs", None) or {})
        self.sampling_temperature = float(getattr(args, "temperature", None) or 1.0)

    def __reduce__(self):  # pickled by reference: the policy never travels with the reward
        return self.name

    def __call__(
        self,
        completions,
        *,
        prompts=None,
        answer=None,
        split_at: str = "<answer>",
        answer_template: str = "{reference}</answer>",
        if_no_answer: str = "zero",
        temperature: float | None = None,
        batch_size: int = 8,
        max_length: int | None = None,
        **kwargs,
    ) -> list[float | None]:
        _check(split_at, answer_template, if_no_answer, temperature, batch_size, max_length)
        n = len(completions)
        if n == 0:
            return []
        if self.model is None:
            raise UserError(f"reward {self.name} scores with the policy being trained; r1kit's grpo stage binds it. "
                            "In Python, call its bind_policy(model, tokenizer) first.")
        with self.lock:
            return self._score(completions, column(prompts, n), column(answer, n), split_at, answer_template,
                               if_no_answer, temperature or self.sampling_temperature, batch_size, max_length)

    def _score(self, completions, prompts, golds, split_at, answer_template, if_no_answer, temperature,
               batch_size, max_length) -> list[float | None]:
        import torch

        model, processor = self.model, self.processing_class
        tokenizer = getattr(processor, "tokenizer", processor)
        limit = max_length or getattr(getattr(model, "config", None), "max_position_embeddings", None) or 1 << 20
        rows, scores = [], [None] * len(completions)
        for completion, prompt, gold in zip(completions, prompts, golds):
            rows.append(None)
            reference = _reference(gold)
            if reference is None:
                continue
            text = _utf8(completion_text(completion))
            cut = text.find(split_at)
            if cut < 0 and if_no_answer == "zero":
                rows[-1] = 0.0
                continue
            reasoning = text[:cut + len(split_at)] if cut >= 0 else text + split_at
            answer_ids = _ids(tokenizer, answer_template.replace("{reference}", _utf8(reference)))
            context = self._prompt_ids(prompt) + _ids(tokenizer, reasoning)
            if not answer_ids or len(answer_ids) >= limit:
                rows[-1] = 0.0
                continue
            context = context[-(limit - len(answer_ids)):]  # over-long: keep the end of the reasoning
            rows[-1] = (context, answer_ids)
        # Every row takes a place in a forward batch (skipped rows as a 1-token dummy), so that each process of
        # a multi-GPU run makes the same number of forward calls: ZeRO-3 gathers parameters in lock-step.
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        was_training = getattr(model, "training", False)
        model.eval()
        try:
            for start in range(0, len(rows), batch_size):
                chunk = rows[start:start + batch_size]
                seqs = [row if isinstance(row, tuple) else ([pad], [pad]) for row in chunk]
                probs = _answer_probabilities(model, seqs, pad, temperature, torch)
                for i, row in enumerate(chunk):
                    scores[start + i] = probs[i] if isinstance(row, tuple) else row
        finally:
            model.train(was_training)
        return scores

    def _prompt_ids(self, prompt) -> list[int]:
        """The prompt's tokens as TRL renders them: the chat template with the generation prompt, or plain text."""
        processor = self.processing_class
        if isinstance(prompt, (list, tuple)) and prompt:
            ids = processor.apply_chat_template(list(prompt), add_generation_prompt=True, tokenize=True,
                                                return_dict=True, **self.chat_template_kwargs)["input_ids"]
            return list(ids[0] if ids and isinstance(ids[0], list) else ids)
        if isinstance(prompt, str) and prompt:
            return list(getattr(processor, "tokenizer", processor)(text=_utf8(prompt))["input_ids"])
        return []


def _answer_probabilities(model, seqs, pad: int, temperature: float, torch) -> list[float]:
    """exp(sum log p(answer | context)) per (context, answer) pair, in one left-padded forward pass."""
    full = [context + answer for context, answer in seqs]
    width, keep = max(map(len, full)), max(len(answer) for _, answer in seqs) + 1
    device = getattr(model, "device", None) or next(model.parameters()).device
    input_ids = torch.tensor([[pad] * (width - len(s)) + s for s in full], device=device)
    mask = torch.tensor([[0] * (width - len(s)) + [1] * len(s) for s in full], device=device)
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        try:
            logits = model(input_ids=input_ids, attention_mask=mask, position_ids=positions,
                           logits_to_keep=keep, use_cache=False).logits
        except TypeError:  # a model without logits_to_keep
            logits = model(input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=False).logits
        logits = logits[:, -keep:].float() / temperature
        logprobs = torch.log_softmax(logits, dim=-1)
    out = []
    for i, (_, answer) in enumerate(seqs):
        # logits at position t predict token t + 1: the answer's tokens are predicted by the `len(answer)`
        # positions just before the last one.
        rows = logprobs[i, -len(answer) - 1:-1]
        total = rows.gather(-1, torch.tensor(answer, device=rows.device)[:, None]).sum().item()
        out.append(math.exp(total) if math.isfinite(total) else 0.0)
    return out


def _ids(tokenizer, text: str) -> list[int]:
    return list(tokenizer(text=text, add_special_tokens=False)["input_ids"]) if text else []


def _utf8(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def _reference(value) -> str | None:
    if value is None or isinstance(value, bool) or isinstance(value, float) and not math.isfinite(value):
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def _check(split_at, answer_template, if_no_answer, temperature, batch_size, max_length) -> None:
    if not isinstance(split_at, str) or not split_at:
        raise UserError(f"verifree option split_at={split_at!r} must be the text where the answer starts, "
                        "e.g. '<answer>'")
    if not isinstance(answer_template, str) or "{reference}" not in answer_template:
        raise UserError(f"verifree option answer_template={answer_template!r} must contain {{reference}}")
    if if_no_answer not in MODES:
        raise UserError(f"verifree option if_no_answer={if_no_answer!r} must be one of {', '.join(MODES)}")
    if temperature is not None and (isinstance(temperature, bool) or not isinstance(temperature, (int, float))
                                    or temperature <= 0):
        raise UserError(f"verifree option temperature={temperature!r} must be a positive number or null")
    for name, value in (("batch_size", batch_size), ("max_length", max_length)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise UserError(f"verifree option {name}={value!r} must be a positive integer")
    if batch_size is None:
        raise UserError("verifree option batch_size must be a positive integer")


verifree = register("verifree")(VeriFree("verifree"))
