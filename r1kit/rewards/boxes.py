"""Boxes in model output and gold columns: parsing, validity, IoU and GIoU.

What the visual rewards (grounding, detection, GUI) share. A box is a tuple
`(x1, y1, x2, y2)` of floats, top-left then bottom-right, in whatever coordinate space
the gold `answer` uses: the adapter rescaled the gold to the space the model is asked to
answer in, and rewards never rescale.

Read from model output (see `find_boxes`):
    [x1, y1, x2, y2]                         a bracketed (or parenthesised) quadruple
    {"bbox_2d": [x1, y1, x2, y2], ...}       Qwen2.5-VL JSON (the quadruple inside it)
    (x1, y1), (x2, y2)   [x1, y1], [x2, y2]   two corner points
with integers or decimals (an exponent is allowed). Anything else is not a box.

A box is valid when its four numbers are finite, at most `MAX_COORD` in absolute value,
and its corners are in order (x1 <= x2, y1 <= y2). Reversed corners are NOT swapped: a
box written bottom-right first is invalid and scores 0, so a policy cannot be rewarded
for a format the prompt did not ask for. A zero-width box is valid, with area 0.

Every function here is linear in the length of the text and never raises on model output.
"""

import math
import re
from collections.abc import Mapping
from typing import NamedTuple

from r1kit.answers import answer_span, outside_tag
from r1kit.rewards.text import completion_text

Box = tuple[float, float, float, float]

MAX_COORD = 1e6  # a coordinate beyond this is not a position on any image; the box is invalid
MAX_SPAN = 50_000  # longer answer regions are cut to their last MAX_SPAN characters before parsing

# A number: digits with an optional fraction and exponent. Bounded repetitions keep
# matching linear; a 16-digit mantissa is not a coordinate and does not match at all.
_NUM = r"[-+]?(?:\d{1,15}(?:\.\d{0,15})?|\.\d{1,15})(?:[eE][-+]?\d{1,3})?"
_OPEN, _CLOSE, _SEP = r"[\[(]\s*", r"\s*[\])]", r"\s*,\s*"
BOX_PATTERN = re.compile(
    # [x1, y1, x2, y2] or (x1, y1, x2, y2)
    _OPEN + rf"(?P<a1>{_NUM}){_SEP}(?P<a2>{_NUM}){_SEP}(?P<a3>{_NUM}){_SEP}(?P<a4>{_NUM})" + _CLOSE
    # (x1, y1), (x2, y2) or [x1, y1], [x2, y2]
    + "|" + _OPEN + rf"(?P<b1>{_NUM}){_SEP}(?P<b2>{_NUM})" + _CLOSE + r"\s*(?:,\s*)?"
    + _OPEN + rf"(?P<b3>{_NUM}){_SEP}(?P<b4>{_NUM})" + _CLOSE
)
NUMBER = re.compile(_NUM)


def to_number(value) -> float | None:
    """`value` as a finite float, from an int, a float or a numeric string; None otherwise (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            return None
    elif isinstance(value, str) and NUMBER.fullmatch(value.strip()):
        number = float(value.strip())
    else:
        return None
    return number if math.isfinite(number) else None


def valid_box(values) -> Box | None:
    """Four numbers as a valid box (finite, within MAX_COORD, corners in order), else None."""
    if not isinstance(values, (list, tuple)) or len(values) != 4:
        return None
    numbers = [to_number(v) for v in values]
    if any(n is None or abs(n) > MAX_COORD for n in numbers):
        return None
    x1, y1, x2, y2 = numbers
    if x2 < x1 or y2 < y1:
        return None
    return (x1, y1, x2, y2)


def area(box: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two valid boxes, continuous coordinates (as torchvision's
    `box_iou`); 0.0 when the union is empty."""
    inter_w = min(a[2], b[2]) - max(a[0], b[0])
    inter_h = min(a[3], b[3]) - max(a[1], b[1])
    inter = inter_w * inter_h if inter_w > 0 and inter_h > 0 else 0.0
    union = area(a) + area(b) - inter
    return inter / union if union > 0 else 0.0


def giou(a: Box, b: Box) -> float:
    """Generalised IoU (Rezatofighi et al. 2019) of two valid boxes, in [-1, 1]:
    IoU - (C - U) / C, with C the area of the smallest box enclosing both and U their union.
    When C is 0 (both boxes are the same point or line) it is the IoU, as in Visual-RFT."""
    inter_w = min(a[2], b[2]) - max(a[0], b[0])
    inter_h = min(a[3], b[3]) - max(a[1], b[1])
    inter = inter_w * inter_h if inter_w > 0 and inter_h > 0 else 0.0
    union = area(a) + area(b) - inter
    value = inter / union if union > 0 else 0.0
    hull = (max(a[2], b[2]) - min(a[0], b[0])) * (max(a[3], b[3]) - min(a[1], b[1]))
    return value - (hull - union) / hull if hull > 0 else value


def point_in_box(point: tuple[float, float], box: Box) -> bool:
    """Whether the point lies in the box, edges included (UI-R1's `<=`)."""
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


# --- reading model output --------------------------------------------------------------


def answer_region(completion, think_tag: str = "think", answer_tag: str = "answer") -> str:
    """Where a visual answer is read: the last `<answer>` block outside the reasoning, or,
    without one, all the text outside the reasoning. Cut to its last MAX_SPAN characters."""
    text = completion_text(completion)
    span = answer_span(text, think_tag=think_tag, answer_tag=answer_tag)
    if span is None:
        span = outside_tag(text, think_tag)
    return span[-MAX_SPAN:]


def _match_values(match: re.Match) -> list[str]:
    keys = ("a1", "a2", "a3", "a4") if match.group("a1") is not None else ("b1", "b2", "b3", "b4")
    return [match.group(k) for k in keys]


def find_boxes(text: str) -> list[list[str]]:
    """Every box written in `text`, in order, as its four number strings (not yet validated)."""
    return [_match_values(m) for m in BOX_PATTERN.finditer(text)]


def last_box(text: str) -> Box | None:
    """The last box written in `text`, if it is valid; None when there is none or it is invalid."""
    found = None
    for found in BOX_PATTERN.finditer(text):
        pass
    return valid_box(_match_values(found)) if found is not None else None


# --- reading gold columns --------------------------------------------------------------

BOX_KEYS = ("bbox_2d", "bbox", "box", "Position", "position")
LABEL_KEYS = ("label", "category", "class", "name")


def box_of(value) -> Box | None:
    """A gold box from a list of four numbers, a mapping with a box key (`bbox_2d`, `bbox`,
    `box`, `Position`) or a string holding one box; None if it is not exactly one valid box."""
    if isinstance(value, Mapping):
        value = next((value[k] for k in BOX_KEYS if k in value), None)
    if isinstance(value, str):
        boxes = find_boxes(value[:MAX_SPAN])
        return valid_box(boxes[0]) if len(boxes) == 1 else None
    return valid_box(value)


def label_of(value) -> str | None:
    """A class label normalised for comparison: case-folded, `_`/`-` as spaces, whitespace runs collapsed."""
    if not isinstance(value, str):
        return None
    label = " ".join(value.replace("_", " ").replace("-", " ").split()).casefold()
    return label or None


# --- detection lists ---------------------------------------------------------------------

MAX_DETECTIONS = 300  # a longer list is box spam, not an answer: it scores as unreadable

_ENTRY = re.compile(r"\{[^{}]{0,2000}\}")
_ENTRY_LABEL = re.compile(r"""["']?(?:label|category|class|name)["']?\s*:\s*(?:"([^"\n]{0,200})"|'([^'\n]{0,200})')""",
                          re.IGNORECASE)
_ENTRY_CONFIDENCE = re.compile(rf"""["']?(?:confidence|score|conf)["']?\s*:\s*["']?({_NUM})""", re.IGNORECASE)
_NO_OBJECTS = re.compile(r"\bno\s+objects?\b", re.IGNORECASE)
_EMPTY_LIST = re.compile(r"\[\s*\]")


class Detection(NamedTuple):
    box: Box
    label: str | None = None
    confidence: float = 1.0


def parse_detections(text: str, skip_invalid: bool = False) -> list[Detection] | None:
    """The detections a model wrote, or None if its answer is not a readable list.

    Entries are `{...}` objects holding one box under any key (`Position` as in
    Visual-RFT, `bbox_2d` as in Qwen2.5-VL/VLM-R1, ...), with an optional label (`label`,
    `category`, `class`, `name`) and confidence (`Confidence`, `score`); quotes may be
    single or double, keys in any order. Without any `{...}` entry, every box written is
    an entry (`[[x1, y1, x2, y2], ...]`). An object cut off by truncation (no closing
    brace) is ignored, as Visual-RFT's repair of truncated lists does. A missing
    confidence is 1.0; a confidence outside [0, 1] is clipped to it.

    None (unreadable) when an entry has no box, an invalid box or a non-finite
    confidence, or there are more than MAX_DETECTIONS entries. An answer with no box
    that says "no objects" (Visual-RFT's prompt) or is `[]` is the empty list. With
    `skip_invalid`, such entries (and invalid bare boxes) are left out instead and the
    rest is read, as Vision-R1's parser drops them; the MAX_DETECTIONS limit holds.
    """
    entries = list(_ENTRY.finditer(text))
    detections = []
    if entries:
        if len(entries) > MAX_DETECTIONS:
            return None
        for entry in entries:
            body = entry.group(0)
            boxes = find_boxes(body)
            box = valid_box(boxes[0]) if len(boxes) == 1 else None
            label = _ENTRY_LABEL.search(body)
            confidence = _ENTRY_CONFIDENCE.search(body)
            value = 1.0 if confidence is None else to_number(confidence.group(1))
            if box is None or value is None:
                if skip_invalid:
                    continue
                return None
            label = label_of(label.group(1) if label.group(1) is not None else label.group(2)) if label else None
            detections.append(Detection(box, label, min(max(value, 0.0), 1.0)))
        return detections
    written = find_boxes(text)
    if not written:
        return [] if _NO_OBJECTS.search(text) or _EMPTY_LIST.fullmatch(text.strip()) else None
    if len(written) > MAX_DETECTIONS:
        return None
    boxes = [valid_box(values) for values in written]
    if skip_invalid:
        return [Detection(box) for box in boxes if box is not None]
    return None if any(box is None for box in boxes) else [Detection(box) for box in boxes]


def gold_detections(value) -> list[tuple[Box, str | None]] | None:
    """Gold objects as (box, label or None), from a list of boxes or of mappings
    (`{"bbox_2d": [...], "label": "cat"}`), or a string written like a model answer;
    None when any entry is unreadable. An empty list means "no objects"."""
    if isinstance(value, str):
        parsed = parse_detections(value[:MAX_SPAN])
        return None if parsed is None else [(d.box, d.label) for d in parsed]
    if not isinstance(value, (list, tuple)) or len(value) > 10 * MAX_DETECTIONS:
        return None
    gold = []
    for item in value:
        label = None
        if isinstance(item, Mapping):
            label = label_of(next((item[k] for k in LABEL_KEYS if k in item), None))
        box = box_of(item) if not isinstance(item, str) else None
        if box is None:
            return None
        gold.append((box, label))
    return gold
