"""Ranking rewards: Rank-R1's setwise pick and ReasonRank's listwise permutation, scored on graded relevance.

Both read the relevance grade of every passage from `relevance` (or, without that
column, `answer`, which is what the `rerank` adapter fills): a list whose i-th value is
the grade of passage [i+1] (TREC-DL style: 0 not relevant ... 3 perfectly relevant), or
a mapping from passage id (1-based, int or digit string) to grade. A string such as
"[3]" (Rank-R1's own `ground_truth`) names the relevant passage(s), each of grade 1.
"""

import math
import re
from collections.abc import Mapping

from r1kit.answers import close_tag, open_tag
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text

_SPACE = re.compile(r"\s*")
_INT = re.compile(r"\d+")
_LABEL = re.compile(r"\[(\d{1,6})\]")
MAX_PASSAGES = 10_000  # a gold with more passages than this is misread data, not a ranking


def think_then_answer(text: str, think_tag: str = "think", answer_tag: str = "answer") -> str | None:
    """What `re.search(r"<think>.*?</think>\\s*<answer>(.*?)</answer>", text, re.DOTALL)` captures, or None.

    This is the format check of Rank-R1 (`train_grpo.py`) and ReasonRank
    (`listwise_prompt_r1.toml`): a reasoning block, then, after whitespace only, an
    answer block; text around them is allowed. Computed in linear time (the regex is
    quadratic on text such as 20,000 `<think>` with no `</think>`).
    """
    t_open, t_close = open_tag(think_tag), close_tag(think_tag)
    a_open, a_close = open_tag(answer_tag), close_tag(answer_tag)
    start = text.find(t_open)
    if start < 0:
        return None
    pos = start + len(t_open)
    while True:
        end_think = text.find(t_close, pos)
        if end_think < 0:
            return None
        after = _SPACE.match(text, end_think + len(t_close)).end()
        if text.startswith(a_open, after):
            body = after + len(a_open)
            end = text.find(a_close, body)
            # A later </think> cannot help: its <answer> would come later still.
            return None if end < 0 else text[body:end]
        pos = end_think + 1


def grades(value) -> dict[int, float] | None:
    """Passage id (1-based) -> relevance grade, from a list, a mapping or a label string; None if unreadable."""
    if isinstance(value, str):
        ids = [int(i) for i in _LABEL.findall(value)]
        return {i: 1.0 for i in ids if 1 <= i <= MAX_PASSAGES} or None
    if isinstance(value, Mapping):
        items = value.items()
    elif isinstance(value, (list, tuple)):
        items = ((i + 1, g) for i, g in enumerate(value))
    else:
        return None
    out = {}
    for key, grade in items:
        key = key.strip().strip("[]") if isinstance(key, str) else key
        if isinstance(key, str) and key.isdigit():
            key = int(key)
        if isinstance(key, bool) or not isinstance(key, int) or not 1 <= key <= MAX_PASSAGES:
            return None
        if grade is None:  # a mapping stored by Arrow fills ids absent from a row with None
            grade = 0.0
        if isinstance(grade, bool) or not isinstance(grade, (int, float)) or not math.isfinite(grade):
            return None
        out[key] = max(float(grade), 0.0)  # trec_eval counts negative judgments as 0
    return out or None


def _gold_grades(relevance, answer) -> dict[int, float] | None:
    return grades(relevance) if relevance is not None else grades(answer)


def ndcg_at_k(ranking: list[int], gold: dict[int, float], k: int, gain: str = "linear") -> float:
    """NDCG@k of `ranking` (passage ids, best first) as trec_eval computes it: linear gain
    (grade) or exponential (2**grade - 1), discount log2(rank + 1), ideal from the gold grades."""
    to_gain = (lambda g: g) if gain == "linear" else (lambda g: 2.0**g - 1.0)
    dcg = sum(to_gain(gold.get(pid, 0.0)) / math.log2(rank + 2) for rank, pid in enumerate(ranking[:k]))
    ideal = sorted((to_gain(g) for g in gold.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranking: list[int], gold: dict[int, float], k: int) -> float:
    """Share of the relevant passages (grade > 0) found in the first k."""
    relevant = {pid for pid, g in gold.items() if g > 0}
    return len(relevant.intersection(ranking[:k])) / len(relevant) if relevant else 0.0


def average_overlap(s: list, t: list) -> float:
    """Rank-biased overlap with p = 1 (average overlap), as `rbo.RankingSimilarity(s, t).rbo()`:
    the mean over depths d = 1..min(len) of |s[:d] & t[:d]| / d."""
    depth = min(len(s), len(t))
    if depth == 0:
        return 0.0
    seen_s, seen_t, overlap, total = set(), set(), 0, 0.0
    for d in range(depth):
        a, b = s[d], t[d]
        overlap += (a in seen_t) + (b in seen_s) + (a == b)
        seen_s.add(a)
        seen_t.add(b)
        total += overlap / (d + 1)
    return total / depth


def _check_tags(think_tag, answer_tag):
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)


# --- setwise (Rank-R1) ----------------------------------------------------------------


@register("rerank_setwise")
def rerank_setwise(
    completions,
    *,
    relevance=None,
    answer=None,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Rank-R1 setwise: 1.0 if <think>…</think><answer>[k]</answer> names a passage of the highest grade, else 0.0.

    Source: Rank-R1 (Zhuang et al. 2025), `Rank-R1/train_grpo.py` `reward_func_setwise`:
    the completion must contain `<think>.*?</think>\\s*<answer>(.*?)</answer>` (searched,
    first match), and the answer, stripped, must equal the label of the relevant
    passage, e.g. "[3]"; otherwise 0. Rank-R1's rows have exactly one relevant passage;
    with graded labels any passage of the highest grade counts. None when no passage is
    relevant (highest grade 0) or the gold is unreadable.
    """
    _check_tags(think_tag, answer_tag)
    n = len(completions)
    rewards = []
    for completion, rel, gold_answer in zip(completions, column(relevance, n), column(answer, n)):
        gold = _gold_grades(rel, gold_answer)
        best = max(gold.values()) if gold else 0.0
        if best <= 0:
            rewards.append(None)
            continue
        span = think_then_answer(completion_text(completion), think_tag, answer_tag)
        label = _LABEL.fullmatch(span.strip()) if span is not None else None
        rewards.append(1.0 if label and gold.get(int(label.group(1)), 0.0) == best else 0.0)
    return rewards


# --- listwise (ReasonRank) ------------------------------------------------------------


def _repair(ids: list[int], n: int) -> list[int]:
    """RankGPT's post-processing: drop unknown and repeated ids, append the missing ones in order."""
    seen, out = set(), []
    for pid in ids:
        if 1 <= pid <= n and pid not in seen:
            seen.add(pid)
            out.append(pid)
    return out + [pid for pid in range(1, n + 1) if pid not in seen]


def _ideal_order(gold: dict[int, float], n: int, predicted: list[int]) -> list[int]:
    """The passages by grade, best first; equal grades in the order the prediction gives them
    (then by id), so that RBO only counts disagreements the grades can see."""
    position = {}
    for i, pid in enumerate(predicted):
        position.setdefault(pid, i)
    return sorted(range(1, n + 1), key=lambda pid: (-gold.get(pid, 0.0), position.get(pid, len(predicted)), pid))


@register("rerank_listwise")
def rerank_listwise(
    completions,
    *,
    relevance=None,
    answer=None,
    k: int = 10,
    recall_weight: float = 0.2,
    rbo_weight: float = 0.1,
    gain: str = "linear",
    strict: bool = True,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """ReasonRank listwise: NDCG@k + 0.2 Recall@k + 0.1 RBO of the ranking "[2] > [1] > [3]"; 0 if not a full list; -1 without format.

    Source: ReasonRank (Liu et al. 2025), `verl/utils/reward_score/ranking.py`
    `compute_score`, its "multi-view ranking reward": -1 unless the completion contains
    `<think>.*?</think>\\s*<answer>(.*?)</answer>`; the ids are every digit run of the
    answer; if they are not exactly n distinct ids (n = number of passages) the reward
    is 0; otherwise NDCG@10 + 0.2 * Recall@10 (pytrec_eval, ids outside 1..n dropped) +
    0.1 * RBO (the `rbo` package's default, p = 1: average overlap) against the gold
    ranking. ReasonRank's relevance is binary; here grades are graded gains (`gain`:
    linear as trec_eval, or exponential), the gold ranking is the passages by grade with
    ties ordered as the prediction orders them, and `strict=False` repairs a ranking
    RankGPT-style (unknown and repeated ids dropped, missing ones appended) instead of
    scoring 0. None when no passage is relevant or the gold is unreadable.
    """
    _check_tags(think_tag, answer_tag)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise UserError(f"rerank_listwise option k={k!r} must be a positive integer (NDCG@k)")
    if gain not in ("linear", "exponential"):
        raise UserError(f"rerank_listwise option gain={gain!r} must be 'linear' or 'exponential'")
    for name, weight in (("recall_weight", recall_weight), ("rbo_weight", rbo_weight)):
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise UserError(f"rerank_listwise option {name}={weight!r} must be a number")
    n_rows = len(completions)
    rewards = []
    for completion, rel, gold_answer in zip(completions, column(relevance, n_rows), column(answer, n_rows)):
        # A label string ("[3]") names relevant passages but not how many there are.
        gold = None if isinstance(rel if rel is not None else gold_answer, str) else _gold_grades(rel, gold_answer)
        if not gold or max(gold.values()) <= 0:
            rewards.append(None)
            continue
        n = max(gold)
        span = think_then_answer(completion_text(completion), think_tag, answer_tag)
        if span is None:
            rewards.append(-1.0)
            continue
        # At most 2n ids are read: a longer list is not a permutation of n passages.
        ids = [int(m.group()[:7]) for _, m in zip(range(2 * n + 1), _INT.finditer(span))]
        if strict:
            if len(ids) != n or len(set(ids)) != n:
                rewards.append(0.0)
                continue
            predicted = ids
            ranking = [pid for pid in ids if 1 <= pid <= n]
        else:
            predicted = ranking = _repair(ids, n)
        ideal = _ideal_order(gold, n, predicted)
        score = ndcg_at_k(ranking, gold, k, gain) + recall_weight * recall_at_k(ranking, gold, k)
        rewards.append(score + rbo_weight * average_overlap(predicted, ideal))
    return rewards
