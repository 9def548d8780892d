"""Translation rewards: sentence BLEU and chrF against a reference (sacrebleu), and MT-R1-Zero's format-gated mix.

The reference is the row's `answer` (what the `translation` adapter fills); `lang_pair`
("en-zh") picks BLEU's tokenizer as MT-R1-Zero does: `zh` for Chinese targets,
`ja-mecab` for Japanese when its extra dependencies are installed (otherwise `char`),
`13a` for the rest. Without a language pair, a reference written in CJK characters or
kana gets `zh` or `char`, so a held-out check given only the answers still tokenizes
Chinese sensibly.
"""

import re
import threading

from r1kit.answers import answer_span, close_tag, open_tag, outside_tag
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text, single_tags

TOKENIZERS = ("13a", "intl", "zh", "char", "none", "ja-mecab", "ko-mecab")
METRICS = ("bleu", "chrf", "bleu+chrf")
# A hypothesis longer than this many times its reference (plus 200 characters) scores 0:
# it is not a translation of it, and BLEU/chrF on 100k characters takes half a second.
MAX_LENGTH_RATIO = 4

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_METRICS: dict = {}
_LOCK = threading.Lock()
_JA: dict = {}


def _metric(kind: str, tokenize: str | None = None):
    """A cached sacrebleu metric object (they keep no state between calls)."""
    key = (kind, tokenize)
    if key not in _METRICS:
        from sacrebleu.metrics import BLEU, CHRF  # imported here: `r1kit ls` stays fast

        with _LOCK:
            if key not in _METRICS:
                _METRICS[key] = BLEU(tokenize=tokenize) if kind == "bleu" else CHRF()
    return _METRICS[key]


def _ja_tokenizer() -> str:
    if "ja" not in _JA:
        try:
            _metric("bleu", "ja-mecab")
            _JA["ja"] = "ja-mecab"
        except (RuntimeError, ImportError, OSError):  # sacrebleu[ja] (mecab-python3, ipadic) is not installed
            _JA["ja"] = "char"
    return _JA["ja"]


def bleu_tokenizer(lang_pair, reference: str) -> str:
    """MT-R1-Zero's choice (`mt_score.compute_bleu`): zh -> zh, ja -> ja-mecab, else 13a."""
    target = lang_pair.rpartition("-")[2].strip().lower() if isinstance(lang_pair, str) else ""
    if target.startswith("zh"):
        return "zh"
    if target.startswith("ja") or (not target and _KANA.search(reference)):
        return _ja_tokenizer()
    if not target and _HAN.search(reference):
        return "zh"
    return "13a"


def _check_tokenize(tokenize) -> None:
    if tokenize is None:
        return
    if tokenize not in TOKENIZERS:
        raise UserError(f"translation option tokenize={tokenize!r} must be one of {', '.join(TOKENIZERS)} "
                        "(or left unset to follow the language pair)")
    try:
        _metric("bleu", tokenize)
    except (RuntimeError, ImportError, OSError, ValueError) as err:  # extras missing, or a model to download
        raise UserError(f"translation option tokenize={tokenize!r} cannot be used here: {err}") from None


def _too_long(hypothesis: str, reference: str) -> bool:
    return len(hypothesis) > MAX_LENGTH_RATIO * len(reference) + 200


def sentence_bleu(hypothesis: str, reference: str, tokenize: str) -> float:
    """BLEU of one segment, 0-100, as MT-R1-Zero computes it: `corpus_bleu([hyp], [[ref]])`."""
    if not hypothesis.strip() or _too_long(hypothesis, reference):
        return 0.0
    return float(_metric("bleu", tokenize).corpus_score([hypothesis], [[reference]]).score)


def sentence_chrf(hypothesis: str, reference: str) -> float:
    """chrF2 of one segment, 0-100 (sacrebleu defaults: character 6-grams, beta 2)."""
    if not hypothesis.strip() or _too_long(hypothesis, reference):
        return 0.0
    return float(_metric("chrf").corpus_score([hypothesis], [[reference]]).score)


def _score(hypothesis: str, reference: str, metric: str, tokenize: str) -> float:
    """The metric on a 0-1 scale per component (bleu+chrf is their sum, 0-2)."""
    total = 0.0
    if metric in ("bleu", "bleu+chrf"):
        total += sentence_bleu(hypothesis, reference, tokenize) / 100.0
    if metric in ("chrf", "bleu+chrf"):
        total += sentence_chrf(hypothesis, reference) / 100.0
    return total


def _reference(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _hypothesis(completion, require_tags: bool, think_tag: str, answer_tag: str) -> str | None:
    text = completion_text(completion)
    span = answer_span(text, think_tag=think_tag, answer_tag=answer_tag)
    if span is None and not require_tags:
        span = outside_tag(text, think_tag)
    return None if span is None else span.strip()


def _metric_reward(kind, completions, answer, lang_pair, tokenize, require_tags, think_tag, answer_tag):
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    _check_tokenize(tokenize)
    n = len(completions)
    rewards = []
    for completion, reference, pair in zip(completions, column(answer, n), column(lang_pair, n)):
        reference = _reference(reference)
        if reference is None:
            rewards.append(None)
            continue
        hypothesis = _hypothesis(completion, require_tags, think_tag, answer_tag)
        if not hypothesis:
            rewards.append(0.0)
            continue
        rewards.append(_score(hypothesis, reference, kind, tokenize or bleu_tokenizer(pair, reference)))
    return rewards


@register("translation_bleu")
def translation_bleu(
    completions,
    *,
    answer=None,
    lang_pair=None,
    tokenize: str | None = None,
    require_tags: bool = False,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Sentence BLEU / 100 of the final answer against the reference `answer`, in [0, 1].

    Source: the lexical ("Lex") metric of MT-R1-Zero (Feng et al. 2025), `mt_score.py`:
    `sacrebleu.corpus_bleu([hyp], [[ref]], tokenize=...)` on one segment (no effective
    order), divided by 100. The final answer is the last `<answer>` block outside the
    reasoning, or the text outside the reasoning when there is none (0.0 with
    `require_tags=True`). Tokenizer from `lang_pair` (zh, ja-mecab or char, 13a) unless
    `tokenize` is set. None without a reference.
    """
    return _metric_reward("bleu", completions, answer, lang_pair, tokenize, require_tags, think_tag, answer_tag)


@register("translation_chrf")
def translation_chrf(
    completions,
    *,
    answer=None,
    require_tags: bool = False,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Sentence chrF / 100 (sacrebleu chrF2: character 6-grams, beta 2) of the final answer against `answer`, in [0, 1].

    Source: Popović 2015 (chrF), as sacrebleu computes it; a tokenization-free lexical
    MT reward, useful where BLEU's tokenizer is a poor fit (Japanese without MeCab,
    morphologically rich targets). The answer is read as in `translation_bleu`. None
    without a reference.
    """
    return _metric_reward("chrf", completions, answer, None, None, require_tags, think_tag, answer_tag)


def mt_format_ok(text: str, think_tag: str, answer_tag: str) -> bool:
    """MT-R1-Zero's `validate_response_structure`: each of the four tags exactly once, in order."""
    positions = single_tags(text, think_tag, answer_tag)
    return positions is not None and positions == sorted(positions)


@register("mt_r1_zero")
def mt_r1_zero(
    completions,
    *,
    answer=None,
    lang_pair=None,
    metric: str = "bleu",
    tokenize: str | None = None,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """MT-R1-Zero rule-metric mixed reward: format (+1/-1) plus metric/100, or -2 when the format is wrong; in [-3, 2].

    Source: MT-R1-Zero (Feng et al. 2025), `verl/utils/reward_score/mt_score.py`
    `compute_score` (continuous reward, check_think on). S_format = +1 if each of
    <think>, </think>, <answer>, </answer> occurs exactly once and in that order, else -1.
    S_answer = BLEU/100 (`metric: bleu`, the paper's "Lex") if the format holds and the
    translation is not empty, else -2. Reward = S_format + S_answer: -3 for a broken
    format, -1 for an empty translation, 1 + BLEU/100 otherwise. The paper's "Sem" and
    "Mix" use COMETKiwi, a model r1kit does not run here; `metric: chrf` and
    `metric: bleu+chrf` are lexical stand-ins. MT-R1-Zero's own tag is `<translate>`
    (set `answer_tag: translate` with a prompt that asks for it). None without a reference.
    """
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    _check_tokenize(tokenize)
    if metric not in METRICS:
        raise UserError(f"mt_r1_zero option metric={metric!r} must be one of {', '.join(METRICS)}")
    n = len(completions)
    rewards = []
    for completion, reference, pair in zip(completions, column(answer, n), column(lang_pair, n)):
        reference = _reference(reference)
        if reference is None:
            rewards.append(None)
            continue
        text = completion_text(completion)
        if not mt_format_ok(text, think_tag, answer_tag):
            rewards.append(-3.0)
            continue
        start = text.find(open_tag(answer_tag)) + len(open_tag(answer_tag))
        translation = text[start : text.find(close_tag(answer_tag))].strip()
        if not translation:
            rewards.append(-1.0)
            continue
        rewards.append(1.0 + _score(translation, reference, metric, tokenize or bleu_tokenizer(pair, reference)))
    return rewards
