"""Repetition penalty: discourage the degenerate loops long reasoning falls into."""

from r1kit.errors import UserError
from r1kit.rewards.registry import register
from r1kit.rewards.text import completion_text


@register("repetition")
def repetition(completions, *, ngram_size: int = 3, max_penalty: float = -1.0, **kwargs) -> list[float]:
    """N-gram repetition penalty: (1 - unique n-grams / total n-grams) * max_penalty, in [max_penalty, 0].

    Source: Yeo et al. 2025, "Demystifying Long Chain-of-Thought Reasoning in LLMs"
    (Appendix C.2), as in open-r1's `get_repetition_penalty_reward`: n-grams of the
    lowercased, whitespace-split words. A text with no repeated n-gram scores 0; one that
    repeats a single n-gram approaches max_penalty. Texts shorter than `ngram_size` words
    score 0. (TRL's version counts token ids instead of words.)
    """
    if isinstance(ngram_size, bool) or not isinstance(ngram_size, int) or ngram_size < 1:
        raise UserError(f"repetition option ngram_size={ngram_size!r} must be a whole number >= 1")
    if not isinstance(max_penalty, (int, float)) or max_penalty > 0:
        raise UserError(f"repetition option max_penalty={max_penalty!r} must be <= 0 (it is a penalty)")
    rewards = []
    for c in completions:
        words = completion_text(c).lower().split()
        if len(words) < ngram_size:
            rewards.append(0.0)
            continue
        ngrams = list(zip(*(words[i:] for i in range(ngram_size))))
        repeated = 1.0 - len(set(ngrams)) / len(ngrams)
        rewards.append(repeated * max_penalty if repeated else 0.0)
    return rewards
