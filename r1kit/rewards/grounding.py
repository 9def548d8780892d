"""Grounding and detection rewards: IoU (VLM-R1, R1-V), GIoU + 1 (Visual-RFT), Visual-RFT's detection reward.

The gold `answer` is in the coordinate space the model answers in (the adapter rescaled
it); these rewards compare boxes as they are and never rescale. Boxes are read as
`r1kit.rewards.boxes` describes: from the last `<answer>` block outside `<think>…</think>`
(else all the text outside the reasoning); for a single box, the LAST box written; a box
with reversed corners, NaN, inf or a coordinate beyond 1e6 is invalid and scores 0.
"""

import math

from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.boxes import answer_region, box_of, gold_detections, last_box, parse_detections
from r1kit.rewards.boxes import giou as giou_value
from r1kit.rewards.boxes import iou as iou_value
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag


def _check_tags(think_tag, answer_tag) -> None:
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)


def _fraction(name: str, option: str, value, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise UserError(f"{name} option {option}={value!r} must be a number in [0, 1)"
                        + (" or null" if allow_none else ""))


def _single_box_scores(completions, answer, score, think_tag, answer_tag) -> list[float | None]:
    rewards = []
    for completion, gold in zip(completions, column(answer, len(completions))):
        gold_box = box_of(gold)
        if gold_box is None or not gold_box[2] > gold_box[0] or not gold_box[3] > gold_box[1]:
            rewards.append(None)  # no gold, or a gold box without area: the reward does not apply
            continue
        predicted = last_box(answer_region(completion, think_tag, answer_tag))
        rewards.append(0.0 if predicted is None else score(predicted, gold_box))
    return rewards


@register("iou")
def iou(
    completions,
    *,
    answer=None,
    threshold: float | None = None,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """IoU of the last predicted box with the gold box, in [0, 1]; with `threshold`, 1.0 if IoU > threshold else 0.0.

    Source: VLM-R1 (Shen et al. 2025) REC `iou_reward` in `vlm_modules/qwen_module.py`
    is the continuous IoU (its `> 0.5 → 1.0` line is commented out); R1-V-style
    accuracy rewards use the 0.5 threshold (`threshold: 0.5`). IoU is computed on
    continuous coordinates (area = (x2 - x1)(y2 - y1), as torchvision); VLM-R1's
    pixel-inclusive intersection (`min(x2 - 1, ...) + 1`) is not reproduced. The gold
    `answer` is [x1, y1, x2, y2], `{"bbox_2d": [...]}` or a string holding one box;
    None when it is missing or has no area. Output: `[x1, y1, x2, y2]`,
    `{"bbox_2d": [...], "label": ...}` (or a list of those), `(x1, y1), (x2, y2)`.
    """
    _check_tags(think_tag, answer_tag)
    _fraction("iou", "threshold", threshold, allow_none=True)

    def score(predicted, gold):
        value = iou_value(predicted, gold)
        return value if threshold is None else (1.0 if value > threshold else 0.0)

    return _single_box_scores(completions, answer, score, think_tag, answer_tag)


@register("giou")
def giou(
    completions,
    *,
    answer=None,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """GIoU + 1 of the last predicted box with the gold box, in [0, 2]; 0.0 without a readable box.

    Source: Visual-RFT (Liu et al. 2025) reasoning grounding on LISA, `grpo_lisa.py`
    `compute_giou`: GIoU = IoU - (C - U)/C (C the enclosing box, U the union), shifted
    by +1 so that the reward is in [0, 2]: 2 for the exact box, 1 for boxes that touch
    without overlapping, towards 0 as a disjoint box moves away. An unreadable answer
    scores 0 (Visual-RFT: 0.0 on a parse failure; its exact-string match scores 2.0,
    which the exact box also gets here). Visual-RFT divides the 0-1000 coordinates by
    1000 first; GIoU does not depend on the scale, so boxes are used as they are. The
    gold and the accepted outputs are as for `iou`; None without a gold box.
    """
    _check_tags(think_tag, answer_tag)
    return _single_box_scores(completions, answer, lambda p, g: giou_value(p, g) + 1.0, think_tag, answer_tag)


# --- detection ---------------------------------------------------------------------------


def match_detections(predicted, gold, iou_threshold: float = 0.5, match_labels: bool = True) -> list[tuple[float, float]]:
    """Visual-RFT's greedy matching: (IoU if matched else 0, confidence) for each prediction.

    Predictions are visited by decreasing confidence (ties keep the written order, as a
    stable sort does); each takes the unmatched gold box of highest IoU, and keeps it
    when that IoU > `iou_threshold`. With `match_labels`, a prediction and a gold box
    that both carry a label must have the same label to match.
    """
    taken = set()
    results = []
    for det in sorted(predicted, key=lambda d: -d.confidence):
        best, best_j = 0.0, -1
        for j, (box, label) in enumerate(gold):
            if j in taken or (match_labels and det.label and label and det.label != label):
                continue
            value = iou_value(det.box, box)
            if value > best:
                best, best_j = value, j
        if best > iou_threshold:
            taken.add(best_j)
            results.append((best, det.confidence))
        else:
            results.append((0.0, det.confidence))
    return results


def detection_rewards(predicted, gold, iou_threshold: float = 0.5, match_labels: bool = True) -> tuple[float, float]:
    """(R_IoU, R_conf) of Visual-RFT for deduplicated predictions against the gold objects."""
    seen, unique = set(), []
    for det in predicted:  # Visual-RFT's remove_duplicates: the same box written twice counts once
        if det.box not in seen:
            seen.add(det.box)
            unique.append(det)
    if not unique:
        return (1.0, 1.0) if not gold else (0.0, 0.0)
    results = match_detections(unique, gold, iou_threshold, match_labels)
    r_iou = sum(value for value, _ in results) / max(len(gold), len(results))
    r_conf = sum(conf if value > 0 else 1.0 - conf for value, conf in results) / len(results)
    return r_iou, r_conf


DETECTION_COMPONENTS = ("sum", "iou", "confidence")


@register("detection")
def detection(
    completions,
    *,
    answer=None,
    component: str = "sum",
    iou_threshold: float = 0.5,
    match_labels: bool = True,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Visual-RFT detection: R_IoU + R_conf in [0, 2] (greedy confidence-ordered matching at IoU > 0.5).

    Source: Visual-RFT (Liu et al. 2025), `src/virft/src/open_r1/grpo.py`
    (`sort_and_calculate_iou`, `compute_reward_iou_v2`, `compute_reward_confidence`).
    Exact duplicates among the predicted boxes are dropped; predictions are visited by
    decreasing confidence, each matched to the unmatched gold box of highest IoU when
    that IoU > `iou_threshold`. Then, over the N predictions and G gold objects:
        R_IoU  = (sum of the matched IoUs) / max(G, N)     (missed and extra boxes both cost)
        R_conf = mean over predictions of (c if matched else 1 - c)
    `component: iou` or `confidence` returns one of them (Visual-RFT registers them as
    two rewards, `accuracy_iou` and `accuracy_confidence`, each weight 1).

    The answer is a list of objects such as `[{'Position': [x1, y1, x2, y2],
    'Confidence': 0.9}, ...]` (Visual-RFT) or `[{"bbox_2d": [...], "label": "cat"}]`
    (Qwen2.5-VL); a missing confidence counts as 1.0. With `match_labels` (default),
    labels are compared where both sides carry one. An entry without a valid box, or
    more than 300 entries, makes the answer unreadable: 0. The gold `answer` is a list
    of boxes or `{"bbox_2d", "label"}` mappings; an empty gold list means "no objects",
    for which an answer with no box ("No Objects", `[]`) scores 1 + 1 and any box scores
    R_IoU = 0, R_conf = mean(1 - c). None when the gold is unreadable.
    """
    _check_tags(think_tag, answer_tag)
    if component not in DETECTION_COMPONENTS:
        raise UserError(f"detection option component={component!r} must be one of {', '.join(DETECTION_COMPONENTS)}")
    _fraction("detection", "iou_threshold", iou_threshold)
    if not isinstance(match_labels, bool):
        raise UserError(f"detection option match_labels={match_labels!r} must be true or false")
    rewards = []
    for completion, gold_value in zip(completions, column(answer, len(completions))):
        gold = gold_detections(gold_value)
        if gold is None:
            rewards.append(None)
            continue
        predicted = parse_detections(answer_region(completion, think_tag, answer_tag))
        if predicted is None:
            rewards.append(0.0)
            continue
        r_iou, r_conf = detection_rewards(predicted, gold, iou_threshold, match_labels)
        value = {"sum": r_iou + r_conf, "iou": r_iou, "confidence": r_conf}[component]
        rewards.append(value if math.isfinite(value) else 0.0)
    return rewards
