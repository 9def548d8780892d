"""VLM-R1's object-detection reward: COCO mAP of the predicted objects, times a penalty for listing too many.

COCO's box AP is written out here (about forty lines) rather than taken from pycocotools,
which would be a compiled dependency for this one reward, prints its summary to stdout on
every call, and wants an annotation file's structures built for each row.
"""

from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.boxes import answer_region, gold_detections, iou, parse_detections
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag

IOU_THRESHOLDS = tuple(0.5 + 0.05 * i for i in range(10))  # COCO's .50:.05:.95
RECALL_POINTS = tuple(i / 100 for i in range(101))  # COCO's 101-point interpolation
MAX_DETS = 100  # COCO's maxDets for AP: the first 100 detections of each category
NONE = "none"  # VLM-R1's gold and answer for "no objects" is the word None


@register("od_map")
def od_map(
    completions,
    *,
    answer=None,
    count_penalty: bool = True,
    think_tag: str = "think",
    answer_tag: str = "answer",
    **kwargs,
) -> list[float | None]:
    """Object detection: COCO mAP@[.5:.95] of the answer's objects, times min(1, gold count / predicted count).

    Source: VLM-R1 (Shen et al. 2025), `src/open-r1-multimodal/src/open_r1/vlm_modules/`
    reward functions `odLength_reward` (this, the default) and `od_reward`
    (`count_penalty: false`): `map_reward` scores the predicted `{"bbox_2d", "label"}`
    list with pycocotools' COCOeval, every prediction at score 1.0, and `stats[0]` is
    AP averaged over IoU thresholds .50:.05:.95 and over the gold labels (categories),
    each AP the 101-point interpolated precision. The count penalty is 1 when the
    prediction lists at most as many objects as the gold, else gold / predicted: extra
    boxes cost even when each one is a correct duplicate, which COCO's AP alone forgives
    when they come last. Both empty (`[]`, "None", "no objects") scores 1; one empty, 0.

    As in VLM-R1, all predictions rank equally, so their written order breaks ties (a
    wrong box first lowers AP), and a prediction whose label is no gold label is left
    out of AP but counted by the penalty. Where r1kit differs: the objects are read as
    `detection` reads them (any box key, no ```json fence needed); a gold list without
    labels is one category and predicted labels are then ignored; an unreadable answer
    scores 0 (VLM-R1 reads it as an empty list, which scores 1 against an empty gold).
    None when the gold is unreadable.
    """
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    if not isinstance(count_penalty, bool):
        raise UserError(f"od_map option count_penalty={count_penalty!r} must be true or false")
    rewards = []
    for completion, gold_value in zip(completions, column(answer, len(completions))):
        gold = [] if _says_none(gold_value) else gold_detections(gold_value)
        if gold is None:
            rewards.append(None)
            continue
        region = answer_region(completion, think_tag, answer_tag)
        predicted = [] if _says_none(region) else parse_detections(region)
        if predicted is None:
            rewards.append(0.0)
            continue
        if not predicted or not gold:
            rewards.append(1.0 if not predicted and not gold else 0.0)
            continue
        labelled = any(label is not None for _, label in gold)
        score = coco_map(
            [(d.box, d.label if labelled else None) for d in predicted],
            [(box, label if labelled else None) for box, label in gold],
        )
        if count_penalty and len(predicted) > len(gold):
            score *= len(gold) / len(predicted)
        rewards.append(score)
    return rewards


def _says_none(value) -> bool:
    return isinstance(value, str) and value.strip().lower() == NONE


def coco_map(predicted, gold) -> float:
    """COCO box AP (pycocotools' `stats[0]`) for one image: (box, label) pairs, predictions in rank order.

    Per gold label and IoU threshold t, predictions of that label are visited in order,
    each taking the unmatched gold box of highest IoU >= t; AP is the mean over 101 recall
    points r of the best precision at recall >= r (0 where recall never reaches r). The
    result is the mean over thresholds and gold labels.
    """
    labels = list(dict.fromkeys(label for _, label in gold))
    total = 0.0
    for label in labels:
        gold_boxes = [box for box, lab in gold if lab == label]
        boxes = [box for box, lab in predicted if lab == label][:MAX_DETS]
        ious = [[iou(p, g) for g in gold_boxes] for p in boxes]
        for threshold in IOU_THRESHOLDS:
            total += _average_precision(ious, len(gold_boxes), threshold)
    return total / (len(labels) * len(IOU_THRESHOLDS))


def _average_precision(ious: list[list[float]], n_gold: int, threshold: float) -> float:
    taken: set[int] = set()
    hits = []
    for row in ious:
        best, best_j = min(threshold, 1 - 1e-10), -1  # COCOeval's start: an IoU must reach it
        for j, value in enumerate(row):
            if j not in taken and value >= best:
                best, best_j = value, j
        if best_j >= 0:
            taken.add(best_j)
        hits.append(best_j >= 0)
    recall, precision, found = [], [], 0
    for k, hit in enumerate(hits, start=1):
        found += hit
        recall.append(found / n_gold)
        precision.append(found / k)
    for k in range(len(precision) - 2, -1, -1):  # precision envelope: best precision at this recall or beyond
        precision[k] = max(precision[k], precision[k + 1])
    points = 0.0
    k = 0
    for r in RECALL_POINTS:
        while k < len(recall) and recall[k] < r:
            k += 1
        if k == len(recall):
            break
        points += precision[k]
    return points / len(RECALL_POINTS)

