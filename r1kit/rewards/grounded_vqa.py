"""SATORI-R1's rewards for grounded VQA: a caption -> regions -> answer layout, scored part by part.

Source: justairr/SATORI-R1@8857b30f6a0931f5a2db566dbd1e91607eea481f plugin.py (ms-swift ORMs `Format`,
`CaptionAccuracy`, `BoundingBoxAccuracy`, `VQAAccuracy`). The reply is
`<caption>…</caption><bbox>[[x1,y1,x2,y2], ...]</bbox><answer>…</answer>`. Each reward reads the FIRST block
of its tag, as SATORI's `re.search` does. Where r1kit differs, the function says so.
"""

import ast
import math
import re
from collections import Counter
from itertools import pairwise

from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import completion_text

MAX_BOX_TEXT = 10_000
LAYOUT = re.compile(r"\s*<caption>.*?</caption>\s*<bbox>\s*\[\[.*?\]\]\s*</bbox>\s*<answer>.*?</answer>\s*", re.DOTALL)


def _block(text: str, tag: str) -> str | None:
    found = re.search(f"<{tag}>(.*?)</{tag}>", text, re.DOTALL)
    return None if found is None else found.group(1)


@register("caption_bbox_answer_format")
def caption_bbox_answer_format(completions, **kwargs) -> list[float]:
    """SATORI format: 1.0 iff the reply is <caption>…</caption> <bbox>[[…]]</bbox> <answer>…</answer>, else 0.0.

    plugin.py:24-30 (`re.match` of `^…$` under MULTILINE, so text on lines after `</answer>` still passed
    there); r1kit matches the whole reply, as `think_format` does.
    """
    return [1.0 if LAYOUT.fullmatch(completion_text(c)) else 0.0 for c in completions]


@register("answer_in_set")
def answer_in_set(completions, *, answer=None, **kwargs) -> list[float | None]:
    """VQA accuracy: 1.0 if the first <answer> block, stripped, is one of the accepted answers, else 0.0.

    plugin.py:141-158 (`answer_extract in possible_answers`: exact, case-sensitive). `answer` is a list of
    accepted texts (one text counts as a list of one); None without one.
    """
    rewards = []
    for completion, gold in zip(completions, column(answer, len(completions))):
        accepted = [gold] if isinstance(gold, str) else gold
        if not isinstance(accepted, (list, tuple)) or not accepted:
            rewards.append(None)
            continue
        said = _block(completion_text(completion), "answer")
        rewards.append(1.0 if said is not None and said.strip() in accepted else 0.0)
    return rewards


def _words(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text.lower())


def bleu4(hypothesis: list[str], reference: list[str]) -> float:
    """NLTK's sentence_bleu (weights 1/4 each) with SmoothingFunction().method1: a zero n-gram count becomes
    0.1; no unigram in common scores 0."""
    if not hypothesis or not reference:
        return 0.0
    logs = []
    for n in range(1, 5):
        hyp = Counter(tuple(hypothesis[i:i + n]) for i in range(len(hypothesis) - n + 1))
        ref = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n + 1))
        matched, total = sum((hyp & ref).values()), max(sum(hyp.values()), 1)
        if n == 1 and matched == 0:
            return 0.0
        logs.append(math.log((matched or 0.1) / total))
    brevity = 1.0 if len(hypothesis) > len(reference) else math.exp(1 - len(reference) / len(hypothesis))
    return brevity * math.exp(sum(logs) / 4)


def rouge_l(hypothesis: list[str], reference: list[str]) -> float:
    """ROUGE-L F1: the longest common subsequence against both lengths."""
    if not hypothesis or not reference:
        return 0.0
    row = [0] * (len(reference) + 1)
    for h in hypothesis:
        diagonal = 0
        for j, r in enumerate(reference, 1):
            diagonal, row[j] = row[j], diagonal + 1 if h == r else max(row[j], row[j - 1])
    lcs = row[-1]
    return 0.0 if lcs == 0 else 2 * lcs / (len(hypothesis) + len(reference))


@register("caption_overlap")
def caption_overlap(completions, *, caption=None, **kwargs) -> list[float | None]:
    """Caption reward: (BLEU-4 + ROUGE-L F1) / 2 of the <caption> block against the gold `caption`; 0 without one.

    plugin.py:32-66. r1kit tokenizes both metrics as lowercase words and punctuation (SATORI: NLTK's
    word_tokenize for BLEU, rouge_score's tokenizer with the Porter stemmer for ROUGE-L). None without a gold
    caption.
    """
    rewards = []
    for completion, gold in zip(completions, column(caption, len(completions))):
        if not isinstance(gold, str) or not gold.strip():
            rewards.append(None)
            continue
        said = _block(completion_text(completion), "caption")
        if said is None:
            rewards.append(0.0)
            continue
        hyp, ref = _words(said.strip()), _words(gold)
        rewards.append((bleu4(hyp, ref) + rouge_l(hyp, ref)) / 2)
    return rewards


def _covers(boxes: list[list[float]], x: float, y: float) -> bool:
    return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)


def _union_area(boxes: list[list[float]], inside=None) -> float:
    """Area covered by the union of boxes (and, with `inside`, by the union of those too), on the grid of
    their edges: the shapely unary_union area SATORI computes."""
    every = boxes + (inside or [])
    xs, ys = sorted({b[0] for b in every} | {b[2] for b in every}), sorted({b[1] for b in every} | {b[3] for b in every})
    area = 0.0
    for x0, x1 in pairwise(xs):
        for y0, y1 in pairwise(ys):
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if _covers(boxes, cx, cy) and (inside is None or _covers(inside, cx, cy)):
                area += (x1 - x0) * (y1 - y0)
    return area


def _boxes(text: str) -> list[list[float]] | None:
    """The <bbox> block as a list of [x1, y1, x2, y2] (one flat box is a list of one); None if unreadable."""
    if len(text) > MAX_BOX_TEXT:  # literal_eval of a huge block costs time and memory, and no answer is that long
        return None
    try:
        value = ast.literal_eval(text.strip())
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return None
    if isinstance(value, (list, tuple)) and len(value) == 4 and not any(isinstance(v, (list, tuple)) for v in value):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        return None
    boxes = []
    for b in value:
        if (not isinstance(b, (list, tuple)) or len(b) != 4
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in b)):
            return None
        x1, y1, x2, y2 = (float(v) for v in b)
        boxes.append([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)])
    return boxes


@register("region_union_iou")
def region_union_iou(completions, *, boxes=None, **kwargs) -> list[float | None]:
    """Region reward: IoU of the union of the <bbox> boxes with the union of the gold `boxes`, in [0, 1].

    plugin.py:68-139. The gold boxes are in the pixels the model sees (the adapter rescaled them); SATORI
    rescales the predicted boxes back to the stored image with smart_resize(min 200704, max 401408 pixels),
    the same IoU when the model's input has those bounds. None without gold boxes; 0 for an unreadable block.
    """
    rewards = []
    for completion, gold in zip(completions, column(boxes, len(completions))):
        gold = _boxes(repr(list(gold))) if isinstance(gold, (list, tuple)) and gold else None
        if gold is None:
            rewards.append(None)
            continue
        said = _block(completion_text(completion), "bbox")
        predicted = None if said is None else _boxes(said)
        if predicted is None:
            rewards.append(0.0)
            continue
        both = _union_area(predicted, gold)
        union = _union_area(predicted) + _union_area(gold) - both
        rewards.append(both / (union + 1e-6))
    return rewards
