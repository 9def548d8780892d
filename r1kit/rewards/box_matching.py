"""Vision-R1's localization rewards: box precision and recall after one-to-one matching, and its dual format reward.

Source: Vision-R1 [alignment] (Zhan et al. 2025, arXiv 2503.18013), jefferyZhan/Griffon@9866875e,
`Vision-R1/vision_r1/visionr1_qwen.py` ("visionr1_qwen" below). Each predicted object is matched to at
most one gold object by a minimum-cost assignment (`BoxPriorMatcher`, scipy's `linear_sum_assignment`),
the cost of a pair being the L1 distance of the two boxes, minus 1 when their labels agree, minus their
GIoU; min(predicted, gold) pairs are matched and each pair's GIoU is what the rewards read.

Progressive rule refinement (the paper's Sec. 3.3; `adaptive` in the authors' trainer) tightens the rules
at a set optimizer step: the step is read from TRL's `trainer_state`, so a direct call (no state, as in
`r1kit eval`) scores by the rules of step 0.

Where r1kit differs: boxes are compared in the coordinate space of the gold `answer` (the adapter's, e.g.
Qwen's resized input) while Vision-R1 rescales predictions to the stored image first; GIoU is the same in
both spaces, only the L1 term of the matching cost is scaled. Predicted coordinates stay decimals
(Vision-R1 truncates them to integers), objects are read wherever `{...}` entries are written (Vision-R1:
a JSON list, else entries in its exact `{"bbox_2d": [...], "label": "..."}` spelling), and the whole
matching is written out here (an O(n^2 m) Hungarian method) because scipy is not a dependency.
"""

import json
import re

from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.boxes import answer_region, area, gold_detections, parse_detections
from r1kit.rewards.boxes import giou as giou_value
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text

FENCE = re.compile(r"```json\n|\n```")  # what Vision-R1's dual format reward strips before json.loads


def assignment(cost: list[list[float]]) -> list[tuple[int, int]]:
    """The minimum-cost one-to-one assignment of a rows x cols cost matrix, as min(rows, cols) (row, col) pairs
    sorted by row (what scipy's `linear_sum_assignment` returns). Kuhn-Munkres with potentials, O(n^2 m)."""
    n = len(cost)
    m = len(cost[0]) if n else 0
    if not n or not m:
        return []
    if n > m:
        return sorted((i, j) for j, i in assignment([list(col) for col in zip(*cost)]))
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    owner, way = [0] * (m + 1), [0] * (m + 1)  # owner[j]: the row (1-based) holding column j; 0 = free
    for i in range(1, n + 1):
        owner[0], j0 = i, 0
        slack, used = [inf] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if reduced < slack[j]:
                        slack[j], way[j] = reduced, j0
                    if slack[j] < delta:
                        delta, j1 = slack[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    slack[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    return sorted((owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j])


def matched_gious(predicted, gold) -> list[float]:
    """The GIoU of each matched (prediction, gold object) pair, by Vision-R1's matching cost."""
    cost = [[sum(abs(a - b) for a, b in zip(p.box, g_box)) - (1.0 if p.label and p.label == g_label else 0.0)
             - giou_value(p.box, g_box) for g_box, g_label in gold] for p in predicted]
    return [giou_value(predicted[i].box, gold[j][0]) for i, j in assignment(cost)]


def _objects(completion, think_tag: str, answer_tag: str) -> list:
    """The predicted objects with a box of positive area; an entry Vision-R1 cannot read is left out."""
    found = parse_detections(answer_region(completion, think_tag, answer_tag), skip_invalid=True) or []
    return [d for d in found if area(d.box) > 0]


def _step(trainer_state) -> int:
    step = getattr(trainer_state, "global_step", 0)
    return step if isinstance(step, int) else 0


def _rule(value, refined, refine_step, step: int):
    """The value of a refined rule at `step`: `refined` from `refine_step` on."""
    return refined if refine_step is not None and step >= refine_step else value


def _check_bounds(name: str, option: str, value) -> tuple[float, float]:
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            or not 0 <= value[0] <= value[1] <= 1):
        raise UserError(f"{name} option {option}={value!r} must be [low, high] with 0 <= low <= high <= 1 "
                        "(below low scores 0, above high scores 1; [0, 1] keeps the value)")
    return float(value[0]), float(value[1])


def _check_common(name: str, refine_step, think_tag: str, answer_tag: str) -> None:
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    if refine_step is not None and (isinstance(refine_step, bool) or not isinstance(refine_step, int)
                                    or refine_step < 0):
        raise UserError(f"{name} option refine_step={refine_step!r} must be a step count (>= 0) or null (never)")


def _clip(value: float, low: float, high: float) -> float:
    """Vision-R1's `modify_list`/`modify_tensor`: below `low` 0, above `high` 1, else the value itself."""
    return 0.0 if value < low else 1.0 if value > high else value


@register("box_precision")
def box_precision(
    completions,
    *,
    answer=None,
    trainer_state=None,
    bounds=(0.5, 0.75),
    refined_bounds=(0.75, 0.9),
    refine_step: int | None = 1500,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Vision-R1 precision: mean over matched boxes of their GIoU, 0 below and 1 above `bounds` (tightened at refine_step).

    Source: visionr1_qwen.py:316-404 (`precision_reward`). Predictions and gold objects are matched one
    to one (see the module docstring); each matched pair scores its GIoU, set to 0 below `bounds[0]` and
    to 1 above `bounds[1]`; the reward is their mean, so predictions beyond the gold count go unmatched
    and cost nothing (recall's job). From optimizer step `refine_step` on, `refined_bounds` apply: the
    paper's progressive rule refinement, 0.5/0.75 then 0.75/0.9 after step 1500. Vision-R1's released
    script runs without it (no `--adaptive`): `bounds: [0, 1]`, `refine_step: null`, the GIoU clipped at 0.

    An answer with no readable box scores 0 (1 if the gold is empty too); an empty gold with boxes
    predicted scores 0. None when the gold is unreadable.
    """
    low, high = _check_bounds("box_precision", "bounds", bounds)
    refined = _check_bounds("box_precision", "refined_bounds", refined_bounds)
    _check_common("box_precision", refine_step, think_tag, answer_tag)
    low, high = _rule((low, high), refined, refine_step, _step(trainer_state))

    def score(predicted, gold):
        values = [_clip(g, low, high) for g in matched_gious(predicted, gold)]
        return sum(values) / len(values)

    return _per_answer(completions, answer, think_tag, answer_tag, score)


@register("box_recall")
def box_recall(
    completions,
    *,
    answer=None,
    trainer_state=None,
    match_threshold: float = 0.5,
    refined_match_threshold: float = 0.75,
    refine_step: int | None = 1500,
    bounds=(0.5, 0.75),
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Vision-R1 recall: share of gold objects whose matched box has GIoU > match_threshold, 0 below and 1 above `bounds`.

    Source: visionr1_qwen.py:241-314 (`recall_reward`). After the one-to-one matching, a gold object is
    found when its matched prediction's GIoU exceeds `match_threshold` (`refined_match_threshold` from
    optimizer step `refine_step` on: 0.5 then 0.75 after step 1500 in the paper's progressive rule
    refinement); recall = found / gold objects, then set to 0 below `bounds[0]` and to 1 above
    `bounds[1]`. Vision-R1's released script (no `--adaptive`) keeps the threshold at 0.5 and the raw
    recall: `bounds: [0, 1]`, `refine_step: null`.

    An answer with no readable box scores 0 (1 if the gold is empty too). None when the gold is unreadable.
    """
    for option, value in (("match_threshold", match_threshold), ("refined_match_threshold", refined_match_threshold)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1 <= value < 1:
            raise UserError(f"box_recall option {option}={value!r} must be a GIoU in [-1, 1)")
    low, high = _check_bounds("box_recall", "bounds", bounds)
    _check_common("box_recall", refine_step, think_tag, answer_tag)
    threshold = _rule(match_threshold, refined_match_threshold, refine_step,
                      _step(trainer_state))

    def score(predicted, gold):
        found = sum(1.0 if g > threshold else threshold if g == threshold else 0.0
                    for g in matched_gious(predicted, gold))
        return _clip(found / len(gold), low, high)

    return _per_answer(completions, answer, think_tag, answer_tag, score)


def _per_answer(completions, answer, think_tag: str, answer_tag: str, score) -> list[float | None]:
    """`score(predicted, gold)` per completion with boxes on both sides; None for an unreadable gold; with boxes
    on one side only, 0 (1 when neither has any)."""
    rewards = []
    for completion, gold_value in zip(completions, column(answer, len(completions))):
        gold = gold_detections(gold_value)
        if gold is None:
            rewards.append(None)
            continue
        predicted = _objects(completion, think_tag, answer_tag)
        if not predicted or not gold:
            rewards.append(1.0 if not predicted and not gold else 0.0)
            continue
        rewards.append(score(predicted, gold))
    return rewards


@register("box_json_format")
def box_json_format(completions, *, answer=None, **kwargs) -> list[float]:
    """Vision-R1 dual format: 1.0 iff the reply (a ```json fence removed) is JSON whose bbox_2d entries hold 4 values.

    Source: visionr1_qwen.py:198-230 (`dual_format_reward`): the whole reply, once a ```json fence is
    taken off, must parse as JSON (the template format), and every `{"bbox_2d", "label"}` entry of a
    list must hold a list of four coordinates (the content format). As in Vision-R1, any other JSON
    value passes (its box rewards then score 0). For an image with no gold objects (an empty `answer`
    list) the score is inverted: 1.0 for a reply that is not such JSON.
    """
    rewards = []
    for completion, gold_value in zip(completions, column(answer, len(completions))):
        text = FENCE.sub("", completion_text(completion)).strip()
        try:
            data = json.loads(text)
            ok = not isinstance(data, list) or all(
                not (isinstance(item, dict) and "bbox_2d" in item and "label" in item)
                or (isinstance(item["bbox_2d"], list) and len(item["bbox_2d"]) == 4) for item in data)
        except (ValueError, RecursionError):
            ok = False
        empty = gold_detections(gold_value) == []
        rewards.append(float(ok != empty))
    return rewards
