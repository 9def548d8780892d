"""String answers: normalised exact match, and multiple-choice letters."""

import re
import string
from decimal import Decimal, InvalidOperation

from r1kit.answers import answer_span, last_boxed, outside_tag
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text


def _final_answer(completion, require_tags: bool, think_tag: str, answer_tag: str) -> str | None:
    """The last `<answer>` block outside the reasoning; without one, everything outside
    the reasoning, unless tags are required."""
    text = completion_text(completion)
    span = answer_span(text, think_tag=think_tag, answer_tag=answer_tag)
    if span is None and not require_tags:
        span = outside_tag(text, think_tag)
    return span


def _gold(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value)


def _check_options(think_tag, answer_tag) -> None:
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)


# --- exact_match ---------------------------------------------------------------------

_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def normalize(text: str) -> str:
    """Case, surrounding and repeated whitespace, surrounding `$` and a trailing period
    do not matter."""
    text = " ".join(text.split()).casefold()
    text = text.strip("$").strip()
    if text.endswith("."):
        text = text[:-1].rstrip()
    return text.strip("$").strip()


def _as_number(text: str) -> Decimal | None:
    """`text` as an exact number if it is one ("1,000", "3.0", "-2.5e3"), else None."""
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def same_answer(predicted: str, gold: str) -> bool:
    """Normalised string equality, or numeric equality when both sides are numbers."""
    predicted, gold = normalize(predicted), normalize(gold)
    a, b = _as_number(predicted), _as_number(gold)
    if a is not None and b is not None:
        return a == b
    return predicted == gold


@register("exact_match")
def exact_match(
    completions,
    *,
    answer=None,
    require_tags: bool = False,
    think_tag: str = "think",
    answer_tag: str = "answer",
    delimiters: list | None = None,
    normalization: str = "r1kit",
    golds: str | None = None,
    **kwargs,
) -> list[float | None]:
    """Normalised exact match of the final answer with `answer`: 1.0 or 0.0 (None without a gold answer).

    Source: the string fallback of R1-V's accuracy reward and the exact-match scoring of
    QA benchmarks. The final answer is the last `<answer>` block outside `<think>…</think>`;
    without one, the whole text outside the reasoning (or 0.0 when `require_tags=True`).
    Both sides are normalised (case, whitespace runs, surrounding `$`, a trailing period);
    numbers compare by value, so "1,000" equals "1000" and "3.0" equals "3".

    Options for systems that answer or score otherwise: `delimiters: ["<<<", ">>>"]` reads the
    last span between the two strings instead (R1-Code-Interpreter's `<<<answer>>>`; none: 0.0);
    `normalization: squad` compares as SQuAD/Search-R1's `normalize_answer` does (lower case,
    punctuation and the articles a/an/the removed); `golds: <column>` names a column holding a
    list of accepted answers per row (any one matches; NQ/HotpotQA's golden answers).
    """
    _check_options(think_tag, answer_tag)
    if normalization not in NORMALIZERS:
        raise UserError(f"exact_match normalization={normalization!r}: use one of {', '.join(NORMALIZERS)}.")
    pattern = _delimited(delimiters)
    accepted = column(kwargs.get(golds) if golds else answer, len(completions))
    rewards = []
    for completion, gold in zip(completions, accepted):
        listed = golds and isinstance(gold, (list, tuple))  # only a `golds` column holds lists
        options = [g for g in (gold if listed else [gold]) if _gold(g) is not None]
        if not options:
            rewards.append(None)
            continue
        if pattern is None:
            span = _final_answer(completion, require_tags, think_tag, answer_tag)
        else:
            found = pattern.findall(completion_text(completion))
            span = found[-1] if found else None
        same = NORMALIZERS[normalization]
        rewards.append(1.0 if span is not None and any(same(span, _gold(g)) for g in options) else 0.0)
    return rewards


def _delimited(delimiters) -> re.Pattern | None:
    if delimiters is None:
        return None
    if not (isinstance(delimiters, (list, tuple)) and len(delimiters) == 2
            and all(isinstance(d, str) and d for d in delimiters)):
        raise UserError(f"exact_match delimiters={delimiters!r}: give two non-empty strings, the opening and the "
                        'closing one, e.g. ["<<<", ">>>"].')
    return re.compile(re.escape(delimiters[0]) + r"(.*?)" + re.escape(delimiters[1]), re.DOTALL)


def squad_normalize(text: str) -> str:
    """SQuAD's `normalize_answer` (as Search-R1 and SSRL score QA): lower case, no punctuation, no a/an/the."""
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


NORMALIZERS = {"r1kit": same_answer, "squad": lambda a, b: squad_normalize(a) == squad_normalize(b)}


# --- choice --------------------------------------------------------------------------

_DECORATION = "*_`'\"$ \t\n"


def choice_letter(text: str, letters: str, loose: bool = True) -> str | None:
    """The option letter an answer names, or None.

    Understood: "B", "(B)", "B.", "B) text", "**B**", "\\text{B}", "The answer is B",
    "Option (B)". With `loose`, a text that mentions exactly one option letter standing
    alone (uppercase) also counts; answers naming two letters name none.
    """
    text = re.sub(r"\\(?:text|textbf|mathrm|boxed)\s*\{([^{}]*)\}", r"\1", text).strip(_DECORATION)
    letter_class = "[" + re.escape(letters) + "]"
    # The whole answer is the letter: "B", "(B)", "B.", "[b]".
    whole = re.fullmatch(r"[(\[]?(" + letter_class + r")[)\].:]?", text, flags=re.IGNORECASE)
    if whole:
        return whole.group(1).upper()
    # The answer starts with the letter and a delimiter: "B. 42", "(B) 42", "B: 42".
    lead = re.match(r"(?:\((" + letter_class + r")\)|(" + letter_class + r")[).:])\s", text)
    if lead:
        return lead.group(1) or lead.group(2)
    # The letter is announced: "the answer is (B)", "Answer: B", "option B".
    announced = re.findall(r"(?i:answer|option|choice)\s*(?i:is)?\s*:?\s*[(\[*]*(" + letter_class + r")(?![\w'])", text)
    if announced:
        return announced[-1].upper()
    if loose:
        standing = set(re.findall(r"(?<![\w'])(" + letter_class + r")(?![\w'])", text))
        if len(standing) == 1:
            return standing.pop()
    return None


@register("choice")
def choice(
    completions,
    *,
    answer=None,
    letters: str = "ABCD",
    multiple: bool = False,
    require_tags: bool = False,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Multiple choice: 1.0 if the final answer names the gold option letter, else 0.0.

    Source: the MCQ rewards of VLM-R1 and the letter matching of MMLU/GPQA-style
    evaluations. The final answer is read as in `exact_match`; the letter is taken from
    "B", "(B)", "B.", "**B**", "The answer is B" and the like (see `choice_letter`). The
    gold `answer` may be a letter or a letter with its text ("B. 42"). Only `letters`
    (default "ABCD") count; the option is not called `choices` because datasets often
    have a `choices` column, which TRL would pass in its place. None when the gold names
    no letter (an index or free text: use `exact_match`).

    `multiple: true` scores questions with several right options (DianJin-R1's CFLUE reward,
    `reward_score_cflue.py`): the answer's last `\\boxed{}` (or, without one, the whole answer)
    names every option letter written in it, "AC" or "A, C", and must name the gold's set
    exactly. As in DianJin-R1, every uppercase option letter counts, so "\\boxed{Answer: C}"
    names A and C.
    """
    _check_options(think_tag, answer_tag)
    if not isinstance(letters, str) or not re.fullmatch(r"[A-Z]+", letters):
        raise UserError(f"choice option letters={letters!r} must be uppercase letters such as 'ABCD'")
    if multiple:
        return _letter_sets(completions, answer, letters, require_tags, think_tag, answer_tag)
    rewards = []
    for completion, gold in zip(completions, column(answer, len(completions))):
        gold = _gold(gold)
        gold_letter = None if gold is None else choice_letter(gold, letters, loose=False)
        if gold_letter is None:
            rewards.append(None)
            continue
        span = _final_answer(completion, require_tags, think_tag, answer_tag)
        predicted = None if span is None else choice_letter(span, letters)
        rewards.append(1.0 if predicted == gold_letter else 0.0)
    return rewards


def letter_set(text: str, letters: str) -> str:
    """The option letters written in `text`, in the order of `letters`: "C, A" -> "AC"."""
    return "".join(c for c in letters if c in text)


def _letter_sets(completions, answer, letters, require_tags, think_tag, answer_tag) -> list[float | None]:
    rewards = []
    for completion, gold in zip(completions, column(answer, len(completions))):
        gold = _gold(gold)
        gold_letters = None if gold is None else letter_set(gold.strip(), letters)
        if not gold_letters:
            rewards.append(None)
            continue
        span = _final_answer(completion, require_tags, think_tag, answer_tag)
        if span is not None:
            boxed = last_boxed(span)
            span = boxed if boxed is not None else span
        rewards.append(1.0 if span is not None and letter_set(span, letters) == gold_letters else 0.0)
    return rewards
