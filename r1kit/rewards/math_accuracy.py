"""Math accuracy with math-verify: is the final answer mathematically equal to the gold one?

math-verify (and sympy beneath it) is imported on first use, not with this module, so
`r1kit ls` stays instant. It can be slow on hostile input, so three bounds apply:
only the final answer span is parsed (at most `MAX_SPAN_CHARS`, bracket depth at most
`MAX_DEPTH`); in the main thread math-verify's own signal-based timeouts are used; and
numbers too big to evaluate (towers of powers, huge factorials) are refused before
comparison, which is what protects a worker thread, where signals cannot be used.
"""

import threading

from r1kit.answers import last_boxed, last_tag_block, outside_tag
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.parallel import map_rows
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text

MAX_SPAN_CHARS = 1000
MAX_DEPTH = 12
MAX_DIGITS = 10**5
MODES = ("either", "answer_tag", "boxed")


@register("math_accuracy")
def math_accuracy(
    completions,
    *,
    answer=None,
    mode: str = "either",
    think_tag: str = "think",
    answer_tag: str = "answer",
    timeout_seconds: int = 2,
    workers: int | None = None,
    **kwargs,
) -> list[float | None]:
    """Math correctness via math-verify: 1.0 if the final answer equals the gold `answer`, else 0.0.

    Source: DeepSeek-R1's rule-based accuracy reward as done by open-r1 / TRL
    (`accuracy_reward`) and LMM-R1 (`math_verifier.py`): parse gold and prediction with
    math-verify, reward = float(verify(gold, prediction)). The prediction is read outside
    `<think>…</think>`: with `mode="either"` (default) the last `<answer>` block, else the
    last `\\boxed{}`; `mode="answer_tag"` or `"boxed"` allow only one of them. A box that
    only appears inside the reasoning does not count. None where the gold answer is missing
    or is not math (the row is skipped, as in TRL): prose such as "forty two", which
    math-verify returns as the text itself or as a product of single letters.

    A (gold, answer) pair seen twice in a batch (a group agreeing on an answer) is checked
    once; big batches are checked in `workers` processes (default: the CPU count, at most 8).
    """
    if mode not in MODES:
        raise UserError(f"math_accuracy option mode={mode!r} must be one of {', '.join(MODES)}")
    if isinstance(timeout_seconds, bool) or not isinstance(timeout_seconds, int) or timeout_seconds < 1:
        raise UserError(f"math_accuracy option timeout_seconds={timeout_seconds!r} must be a whole number >= 1")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise UserError(f"math_accuracy option workers={workers!r} must be a whole number >= 1 (or null)")
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    golds = column(answer, len(completions))
    pairs = []  # (gold, predicted span) per row; None where the gold is missing
    for completion, gold in zip(completions, golds):
        gold_text = _gold_text(gold)
        span = None if gold_text is None else _prediction(completion_text(completion), mode, think_tag, answer_tag)
        pairs.append(None if gold_text is None else (gold_text, span))
    unique = sorted({p for p in pairs if p is not None}, key=str)
    scores = dict(zip(unique, map_rows(_score, [(g, s, timeout_seconds) for g, s in unique], workers)))
    return [None if p is None else scores[p] for p in pairs]


def _score(gold_text: str, span: str | None, timeout_seconds: int) -> float | None:
    """One (gold, prediction) pair: None if the gold does not parse; never raises."""
    gold_parsed = _cached_gold(gold_text, timeout_seconds)
    if not gold_parsed:
        return None
    return _safe(0.0, _verify, gold_parsed, span, timeout_seconds)


_GOLDS: dict[tuple[str, int], list] = {}


def _cached_gold(gold_text: str, timeout_seconds: int) -> list:
    key = (gold_text, timeout_seconds)
    if key not in _GOLDS:
        if len(_GOLDS) > 10_000:
            _GOLDS.clear()
        parsed = _safe([], _parse, gold_text, timeout_seconds)
        _GOLDS[key] = parsed if _is_math(parsed) else []
    return _GOLDS[key]


def _is_math(parsed: list) -> bool:
    """Whether math-verify found math in a gold answer, not just words.

    math-verify falls back to the text itself when it finds nothing (`["Answer is forty
    three."]`), and reads prose wrapped as LaTeX as a product of its letters ("forty two"
    -> f*o*o*r*t*t*w*y). Neither is a gold answer: the row is skipped, as TRL skips a gold
    that does not parse. One letter (`x`) or a product with a number or a constant
    (`2xy`, `2\\pi`) is still math.
    """
    import sympy

    exprs = [expr for expr in parsed if not isinstance(expr, str)]
    if not exprs:
        return False
    return not all(_letters_product(expr, sympy) for expr in exprs)


def _letters_product(expr, sympy) -> bool:
    """A product of two or more different single letters, each maybe to a whole power
    ("three" -> t*h*r*e**2; math-verify reads `e` as Euler's number and `i` as the
    imaginary unit)."""
    factors = sympy.Mul.make_args(expr)
    if len(factors) < 2:
        return False
    for factor in factors:
        base, exponent = factor.as_base_exp()
        letter = base in (sympy.E, sympy.I) or (isinstance(base, sympy.Symbol) and len(base.name) == 1)
        if not letter or not (exponent.is_Integer and exponent > 0):
            return False
    return True


def _gold_text(gold) -> str | None:
    if isinstance(gold, bool) or gold is None:
        return None
    if isinstance(gold, (int, float)):
        return str(gold)
    if isinstance(gold, str) and gold.strip():
        return gold.strip()
    return None


def _prediction(text: str, mode: str, think_tag: str, answer_tag: str) -> str | None:
    visible = outside_tag(text, think_tag)
    span = None
    if mode in ("either", "answer_tag"):
        span = last_tag_block(visible, answer_tag)
    if span is None and mode in ("either", "boxed"):
        boxed = last_boxed(visible, max_chars=MAX_SPAN_CHARS)
        span = None if boxed is None else f"\\boxed{{{boxed}}}"
    return span


def _verify(gold_parsed: list, span: str | None, timeout_seconds: int) -> float:
    if span is None or not span.strip() or len(span) > MAX_SPAN_CHARS or _depth(span) > MAX_DEPTH:
        return 0.0
    predicted = _parse(span, timeout_seconds)
    if not predicted:
        return 0.0
    if any(_too_costly(expr) for expr in predicted):
        return 0.0
    from math_verify import verify

    return float(verify(gold_parsed, predicted, timeout_seconds=_timeout(timeout_seconds)))


def _parse(text: str, timeout_seconds: int) -> list:
    """Parse an answer with math-verify.

    A bare answer such as `2\\pi`, `10^{10}` or `3\\sqrt{2}` is read as LaTeX math
    (wrapped in `$…$`): parsed as plain text, math-verify stops at the leading number.
    Text that already delimits its math (`$`, `\\(`, `\\[`, `\\boxed`) is parsed as it is.
    """
    from math_verify import parse

    timeout = _timeout(timeout_seconds)
    if any(mark in text for mark in ("$", "\\(", "\\[", "\\boxed", "\\fbox")):
        return parse(text, parsing_timeout=timeout)
    return parse(f"${text}$", parsing_timeout=timeout) or parse(text, parsing_timeout=timeout)


def _timeout(seconds: int) -> int | None:
    """math-verify's timeouts use SIGALRM, which only the main thread may set."""
    if threading.current_thread() is not threading.main_thread():
        _quiet_math_verify()
        return None
    return seconds


def _quiet_math_verify() -> None:
    """Without a timeout math-verify warns that it has none; here the input bounds replace it."""
    import logging

    for name in ("math_verify.parser", "math_verify.grader"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _depth(text: str) -> int:
    """Deepest bracket nesting; math-verify's parser slows down sharply with depth."""
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth = max(0, depth - 1)
    return deepest


def _too_costly(expr) -> bool:
    """True if evaluating `expr` could take forever: a number of more than `MAX_DIGITS`
    digits made by a power or factorial (`10^{10^{10}}`, `(10^9)!`), or a symbolic power
    with an exponent above 10**4. Symbolic exponents (`2^{n-1}`) are fine."""
    import sympy

    if not isinstance(expr, sympy.Basic):
        return False
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (sympy.Pow, sympy.factorial)) and not node.free_symbols:
            if _log10(node) > MAX_DIGITS:
                return True
        elif isinstance(node, sympy.Pow) and not node.exp.free_symbols and _log10(node.exp) > 4:
            return True  # (x+1)^{10^{9}}: expanding it would never end
    return False


def _log10(value) -> float:
    """An upper bound on log10 of the size of a symbol-free expression, worked out from
    its structure without evaluating it (inf when it cannot tell)."""
    import math

    import sympy

    if value.free_symbols:
        return math.inf
    if isinstance(value, sympy.Rational):  # Integer too; the denominator matters for x^(-n)
        return max(math.log10(abs(value.p) or 1), math.log10(value.q))
    if value.is_Number:
        return math.log10(abs(float(value)) + 1) if value.is_finite else math.inf
    if isinstance(value, sympy.Pow):
        exponent = _log10(value.exp)
        return math.inf if exponent > 7 else _log10(value.base) * 10**exponent
    if isinstance(value, sympy.factorial):
        arg = _log10(value.args[0])
        return math.inf if arg > 7 else 10**arg * (arg + 1)
    if isinstance(value, sympy.Mul):
        return sum(_log10(arg) for arg in value.args)
    if value.args:
        return max(_log10(arg) for arg in value.args) + 1
    return 1.0


def _safe(fallback, fn, *args):
    """Model output must never crash a reward: any failure scores as `fallback`."""
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001 - sympy and math-verify can fail in many ways on junk
        return fallback
    except BaseException as err:  # math-verify's TimeoutException is a BaseException
        if type(err).__module__.startswith("math_verify"):
            return fallback
        raise
