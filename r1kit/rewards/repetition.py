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
    _check_options("repetition", ngram_size, max_penalty)
    return [_penalty(completion_text(c).lower().split(), ngram_size, max_penalty) for c in completions]


@register("repetition_zh")
def repetition_zh(completions, *, ngram_size: int = 3, max_penalty: float = -1.0, **kwargs) -> list[float]:
    """N-gram repetition penalty for Chinese: `repetition` over jieba words instead of whitespace-split ones.

    Source: open-r1's `get_repetition_penalty_reward(language="zh")`, which segments the
    text with jieba (`jieba.cut`) and takes n-grams of its tokens, as Yeo et al. 2025
    (Appendix C.2) do for words. Chinese has no spaces, so `repetition` would see a whole
    paragraph as one word. Segmented with rjieba, the binding of jieba-rs (jieba's
    algorithm and dictionary, a 4 MB wheel; the `jieba` package itself is a 19 MB source
    download last released in 2020). As in open-r1, every token counts, punctuation
    included, except that whitespace tokens are dropped and Latin letters are lowercased,
    so mixed text is counted as `repetition` counts it.
    """
    _check_options("repetition_zh", ngram_size, max_penalty)
    return [_penalty(_words_zh(completion_text(c)), ngram_size, max_penalty) for c in completions]


def _words_zh(text: str) -> list[str]:
    import rjieba

    text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot cross into Rust
    return [word.lower() for word in rjieba.cut(text) if word.strip()]


def _check_options(name: str, ngram_size, max_penalty) -> None:
    if isinstance(ngram_size, bool) or not isinstance(ngram_size, int) or ngram_size < 1:
        raise UserError(f"{name} option ngram_size={ngram_size!r} must be a whole number >= 1")
    if isinstance(max_penalty, bool) or not isinstance(max_penalty, (int, float)) or max_penalty > 0:
        raise UserError(f"{name} option max_penalty={max_penalty!r} must be <= 0 (it is a penalty)")


def _penalty(words: list[str], ngram_size: int, max_penalty: float) -> float:
    if len(words) < ngram_size:
        return 0.0
    ngrams = list(zip(*(words[i:] for i in range(ngram_size))))
    repeated = 1.0 - len(set(ngrams)) / len(ngrams)
    return repeated * max_penalty if repeated else 0.0
