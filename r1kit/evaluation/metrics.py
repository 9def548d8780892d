"""Figures from scored samples: pass@k (unbiased), maj@k, length statistics.

pass@k follows Chen et al. (2021, Codex): with n samples of which c are correct,
pass@k = 1 - C(n-c, k) / C(n, k), the chance that k samples drawn without
replacement from the n contain a correct one. maj@k takes the most frequent
extracted answer among the first k samples (ties go to the earliest) and scores it.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one prompt with `c` correct among `n` samples."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n, got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    # 1 - prod_{i=n-c+1}^{n} (1 - k/i): the product form avoids huge binomials
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def majority_vote(answers: Sequence[str | None], correct: Sequence[bool], k: int) -> bool:
    """Whether the most frequent answer among the first k samples is correct (no answer: never)."""
    votes = [(a, ok) for a, ok in zip(answers[:k], correct[:k]) if a is not None]
    if not votes:
        return False
    counts = Counter(a for a, _ in votes)
    best = max(counts.values())
    winner = next(a for a, _ in votes if counts[a] == best)  # ties: the earliest answer wins
    return next(ok for a, ok in votes if a == winner)


def normalize_answer(text: str | None) -> str | None:
    """The form answers are compared in for voting: whitespace collapsed, empty as None."""
    if text is None:
        return None
    text = re.sub(r"\s+", " ", str(text)).strip()
    return text or None


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation; NaN for no values, where numpy would raise."""
    if not values:
        return float("nan")
    import numpy as np

    return float(np.percentile(values, q))


def mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None
