"""GUI action rewards (GUI-R1, UI-R1): action type, click point in the target box, text argument, and both combined.

Sources: GUI-R1 (Luo et al. 2025), `verl/utils/reward_score/r1gui.py`; UI-R1 (Lu et al.
2025), `src/ui_r1/src/open_r1/grpo_json_action_coord.py`.

The gold `answer` is a mapping (or its JSON string):
    {"action": "click", "bbox": [x1, y1, x2, y2] or None, "text": "hello" or None,
     "direction": "up"}                                   (direction: for scroll, optional)
GUI-R1's own keys `gt_bbox` and `input_text` are read too. A `bbox` of two numbers is a
target point (GUI-R1: a click within 140 px of it counts). Coordinates are in the space
the model answers in (the adapter rescaled them); rewards never rescale.

The model's action is read from the last `<answer>` block outside the reasoning (else the
text outside it): the first `{...}` object with an `action` (or `action_type`) key, in
any of these shapes, quotes single or double:
    {"action": "click", "point": [x, y]}                      GUI-R1
    [{'action': 'type', 'point': [x, y], 'input_text': 'hello'}]
    [{'action': 'click', 'coordinate': [x, y]}]                 UI-R1
    <tool_call>{"name": "mobile_use", "arguments": {"action": "click", "coordinate": [x, y]}}</tool_call>
                                                   Mobile-R1 (with answer_tag: tool_call)
Point keys: `point`, `coordinate(s)`, `click_point`, `point_2d`, `position`; a box under
`bbox`/`bbox_2d` (or four numbers under a point key) clicks its centre. Text keys:
`input_text`, `text`, `content`, `value`, `app_name`, and Qwen2.5-VL mobile_use's `button`
(system_button) and `status` (terminate); GUI-R1's "no input text" means none. A scroll's direction is `direction`, else its text. Only the first action of a
list is scored (the step to take now). Action names compare case-insensitively, with
spaces and hyphens read as underscores ("press back" = "press_back"); no other synonyms.
"""

import json
import math
import re
from collections.abc import Mapping

from r1kit.answers import close_tag, open_tag
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.boxes import MAX_COORD, NUMBER, answer_region, point_in_box, to_number, valid_box
from r1kit.rewards.format import think_format
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text

ACTION_KEYS = ("action", "action_type")
POINT_KEYS = ("point", "coordinate", "coordinates", "click_point", "point_2d", "position")
BOX_KEYS = ("bbox", "bbox_2d")
TEXT_KEYS = ("input_text", "text", "content", "value", "app_name", "button", "status")
NO_TEXT = ("", "no input text")
NULLS = ("null", "none", "")  # bare JSON/Python null: the key is as good as absent
DIRECTIONS = ("up", "down", "left", "right")
MAX_OBJECT = 4000  # a longer {...} is not one action

_OBJECT = re.compile(r"\{[^{}]{0,4000}\}")  # MAX_OBJECT characters
_KEY = re.compile(r"""["']?([A-Za-z_][A-Za-z0-9_]{0,40})["']?\s*:\s*""")
_STRINGS = {"'": re.compile(r"'((?:[^'\\\n]|\\.){0,2000})'"), '"': re.compile(r'"((?:[^"\\\n]|\\.){0,2000})"')}
_BARE = re.compile(r"[^,}\]\n]{0,200}")
_ESCAPES = {"n": "\n", "t": "\t"}


# --- reading actions ---------------------------------------------------------------------


def _value(text: str, i: int):
    """The value that starts at `text[i]`: a string, a list of numbers, or a bare token; and where it ends."""
    if i >= len(text):
        return None, i
    c = text[i]
    if c in _STRINGS:
        m = _STRINGS[c].match(text, i)
        if m is None:
            return None, i + 1
        raw = re.sub(r"\\(.)", lambda e: _ESCAPES.get(e.group(1), e.group(1)), m.group(1))
        return raw, m.end()
    if c in "[(":
        depth, j = 0, i
        while j < min(len(text), i + 500):
            depth += text[j] in "[("
            depth -= text[j] in "])"
            if depth == 0:
                break
            j += 1
        inner = text[i + 1:j]
        return [float(n) for n in NUMBER.findall(inner)], j + 1
    m = _BARE.match(text, i)
    token = m.group(0).strip()
    return (None if token.casefold() in NULLS else token), m.end()


def _pairs(text: str) -> dict:
    """The `key: value` pairs of one object's text, in order, the first value of a key kept."""
    pairs, pos = {}, 0
    while (m := _KEY.search(text, pos)) is not None:
        value, end = _value(text, m.end())
        pairs.setdefault(m.group(1).lower(), value)
        pos = max(end, m.end())
    return pairs


def action_name(value) -> str | None:
    if not isinstance(value, str):
        return None
    name = "_".join(value.replace("-", " ").replace("_", " ").split()).casefold()
    return name or None


def _point(value) -> tuple[float, float] | None:
    if isinstance(value, str):
        value = [float(n) for n in NUMBER.findall(value[:200])]
    if not isinstance(value, (list, tuple)):
        return None
    numbers = [to_number(v) for v in value]
    if any(n is None or abs(n) > MAX_COORD for n in numbers):
        return None
    if len(numbers) == 2:
        return numbers[0], numbers[1]
    box = valid_box(numbers) if len(numbers) == 4 else None
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2) if box else None


def _text(value) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        value = str(value)
    if not isinstance(value, str):
        return None
    return None if " ".join(value.split()).casefold() in NO_TEXT else value


def _action(pairs: Mapping, point_keys=POINT_KEYS + BOX_KEYS, text_keys=TEXT_KEYS) -> dict | None:
    name = action_name(next((pairs[k] for k in ACTION_KEYS if k in pairs), None))
    if name is None:
        return None
    point_key = next((k for k in point_keys if pairs.get(k) is not None), None)
    text = next((t for t in (_text(pairs[k]) for k in text_keys if k in pairs) if t is not None), None)
    return {
        "action": name,
        "point": _point(pairs[point_key]) if point_key else None,
        "has_point": point_key is not None,
        "text": text,
        "direction": _text(pairs.get("direction")),
    }


def read_action(text: str) -> dict | None:
    """The first action written in `text` as {action, point, has_point, text, direction}; None if there is none."""
    for m in _OBJECT.finditer(text):
        action = _action(_pairs(m.group(0)))
        if action is not None:
            return action
    return _action(_pairs(text)) if len(text) <= MAX_OBJECT and "{" not in text else None


def read_gold(value) -> dict | None:
    """The gold action as {action, bbox (a box, a point, or None), text, direction}; None if unreadable."""
    if isinstance(value, str):
        try:
            value = json.loads(value[:100_000])
        except (ValueError, RecursionError):
            return None
    if not isinstance(value, Mapping):
        return None
    name = action_name(next((value[k] for k in ACTION_KEYS if k in value), None))
    if name is None:
        return None
    target = next((value[k] for k in ("bbox", "gt_bbox") if value.get(k) is not None), None)
    if isinstance(target, (list, tuple)) and len(target) in (2, 4):
        target = valid_box(target) if len(target) == 4 else _point(target)
        if target is None:
            return None
    elif target is not None and target != []:
        return None
    else:
        target = None
    text = next((t for t in (_text(value.get(k)) for k in ("text", "input_text")) if t is not None), None)
    direction = _text(value.get("direction"))
    if name == "scroll" and direction is None:
        direction, text = text, None
    return {"action": name, "bbox": target, "text": text, "direction": direction}


# --- the checks ----------------------------------------------------------------------------


def text_f1(predicted: str, gold: str) -> float:
    """GUI-R1 `calculate_f1_score`: F1 of the lower-cased whitespace token SETS (brackets
    dropped); two single tokens of which one contains the other score 1."""
    p = set(predicted.replace("[", "").replace("]", "").lower().split())
    g = set(gold.replace("[", "").replace("]", "").lower().split())
    if len(p) == 1 and len(g) == 1:
        (a,), (b,) = p, g
        if a in b or b in a:
            return 1.0
    common = len(p & g)
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def text_score(predicted: str | None, gold: str, metric: str, threshold: float | None) -> float:
    if predicted is None:
        return 0.0
    if metric == "exact":
        return 1.0 if " ".join(predicted.split()).casefold() == " ".join(gold.split()).casefold() else 0.0
    value = text_f1(predicted, gold)
    return value if threshold is None else (1.0 if value >= threshold else 0.0)


def hits_target(point, target, radius: float) -> bool:
    """A point in the gold box (edges included), or within `radius` of a gold point (GUI-R1)."""
    if point is None:
        return False
    if len(target) == 2:
        return (point[0] - target[0]) ** 2 + (point[1] - target[1]) ** 2 < radius ** 2
    return point_in_box(point, target)


def _gold_argument(gold: dict) -> str | None:
    return gold["direction"] if gold["action"] == "scroll" else gold["text"]


def _predicted_argument(action: dict, gold: dict) -> str | None:
    if gold["action"] == "scroll":
        return action["direction"] or action["text"]
    return action["text"]


# --- rewards -------------------------------------------------------------------------------


def _check_tags(think_tag, answer_tag):
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)


def _check_text(name, metric, threshold):
    if metric not in ("f1", "exact"):
        raise UserError(f"{name} option metric={metric!r} must be 'f1' or 'exact'")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                  or not 0 <= threshold <= 1):
        raise UserError(f"{name} option threshold={threshold!r} must be a number in [0, 1] or null")


def _check_radius(name, radius):
    if isinstance(radius, bool) or not isinstance(radius, (int, float)) or not radius > 0:
        raise UserError(f"{name} option point_radius={radius!r} must be a number > 0")


def _rows(completions, answer, think_tag, answer_tag):
    for completion, gold in zip(completions, column(answer, len(completions))):
        gold = read_gold(gold)
        action = read_action(answer_region(completion, think_tag, answer_tag)) if gold is not None else None
        yield gold, action


@register("gui_action_type")
def gui_action_type(completions, *, answer=None, think_tag: str = "think", answer_tag: str = "answer",
                    **kwargs) -> list[float | None]:
    """GUI action type: 1.0 if the predicted action's name is the gold action's, else 0.0.

    Source: UI-R1 `accuracy_reward_action` (R_T, weight 1) and GUI-R1's action type reward
    R_act. 0 when no action can be read; None when the gold is unreadable.
    """
    _check_tags(think_tag, answer_tag)
    return [None if gold is None else float(action is not None and action["action"] == gold["action"])
            for gold, action in _rows(completions, answer, think_tag, answer_tag)]


@register("gui_click")
def gui_click(completions, *, answer=None, point_radius: float = 140.0, think_tag: str = "think",
              answer_tag: str = "answer", **kwargs) -> list[float | None]:
    """GUI click point: 1.0 if the action is the gold's and its point lies in the gold bbox, else 0.0; None without a bbox.

    Source: GUI-R1's click point reward R_point and UI-R1's coordinate reward for clicks
    (`gt_x1 <= x <= gt_x2`, edges included). An action of another type scores 0 wherever
    it points. A gold target of two numbers is a point: within `point_radius` (GUI-R1:
    140) of it counts. None for rows whose gold has no bbox or is unreadable.
    """
    _check_tags(think_tag, answer_tag)
    _check_radius("gui_click", point_radius)
    rewards = []
    for gold, action in _rows(completions, answer, think_tag, answer_tag):
        if gold is None or gold["bbox"] is None:
            rewards.append(None)
        else:
            same = action is not None and action["action"] == gold["action"]
            rewards.append(float(same and hits_target(action["point"], gold["bbox"], point_radius)))
    return rewards


@register("gui_args")
def gui_args(completions, *, answer=None, metric: str = "f1", threshold: float | None = 0.5,
             think_tag: str = "think", answer_tag: str = "answer", **kwargs) -> list[float | None]:
    """GUI text argument: 1.0 if the action is the gold's and its text has token F1 >= 0.5 with the gold text; None without one.

    Source: GUI-R1 `r1gui_accuracy_reward` for type/select/scroll: `calculate_f1_score`
    (F1 of lower-cased token sets; two single tokens match when one contains the other)
    >= 0.5 gives 1. `threshold: null` returns the F1 itself; `metric: exact` compares the
    whole text (case and whitespace runs ignored). For a scroll the argument is the
    direction. An action of another type scores 0. None for rows whose gold has no
    text (or direction) or is unreadable.
    """
    _check_tags(think_tag, answer_tag)
    _check_text("gui_args", metric, threshold)
    rewards = []
    for gold, action in _rows(completions, answer, think_tag, answer_tag):
        argument = _gold_argument(gold) if gold is not None else None
        if argument is None:
            rewards.append(None)
        elif action is None or action["action"] != gold["action"]:
            rewards.append(0.0)
        else:
            rewards.append(text_score(_predicted_argument(action, gold), argument, metric, threshold))
    return rewards


@register("gui_action")
def gui_action(completions, *, answer=None, style: str = "gui_r1", point_radius: float = 140.0,
               threshold: float = 0.5, metric: str = "f1", think_tag: str = "think", answer_tag: str = "answer",
               **kwargs) -> list[float | None]:
    """GUI action accuracy, 1.0 or 0.0: the right action type AND its argument (GUI-R1; `style: ui_r1` checks only clicks).

    Source: GUI-R1 `r1gui_accuracy_reward` (`style: gui_r1`): 0 unless the action type
    matches; then, if the gold has a text argument (type, select, ...; a scroll's
    direction), its token F1 must reach `threshold` (0.5); else, if the gold has a
    bbox, the point must lie in it (within `point_radius` of a gold point); else 1.
    GUI-R1 trains on 0.8 x this + 0.2 x `gui_format` (conf/reward/gui.yaml). Its paper
    writes R_acc = R_act + R_point + R_text; its released code gates as here. For the
    sum, stack `gui_action_type`, `gui_click` and `gui_args`.
    `style: ui_r1` is UI-R1's `accuracy_reward_coord` (R_C): 0 unless the type matches;
    then a click-type gold (one with a bbox) needs the point in the box, and any other
    action scores 1 (text is not checked). UI-R1 sums R_T + R_C + R_F, weight 1 each
    (conf/reward/ui_r1.yaml). `metric: exact` compares the text argument whole (case and
    whitespace runs ignored) instead of by token F1: Mobile-R1's R_Act, which takes a click
    (or swipe) inside the gold box and any other action only on an exact match of its
    argument (its paper, Sec. 3; with `answer_tag: tool_call`). None when the gold is unreadable.
    """
    _check_tags(think_tag, answer_tag)
    _check_text("gui_action", metric, threshold)
    if style not in ("gui_r1", "ui_r1"):
        raise UserError(f"gui_action option style={style!r} must be 'gui_r1' or 'ui_r1'")
    _check_radius("gui_action", point_radius)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise UserError(f"gui_action option threshold={threshold!r} must be a number in [0, 1]")
    rewards = []
    for gold, action in _rows(completions, answer, think_tag, answer_tag):
        if gold is None:
            rewards.append(None)
            continue
        if action is None or action["action"] != gold["action"]:
            rewards.append(0.0)
            continue
        argument = _gold_argument(gold) if style == "gui_r1" else None
        if argument is not None:
            ok = text_score(_predicted_argument(action, gold), argument, metric, threshold) == 1.0
        elif gold["bbox"] is not None:
            ok = hits_target(action["point"], gold["bbox"], point_radius)
        else:
            ok = True
        rewards.append(float(ok))
    return rewards


TEXT_ACTIONS = ("type", "select", "open_app")


@register("gui_format")
def gui_format(completions, *, think: bool = True, think_tag: str = "think", answer_tag: str = "answer",
               action_tag: str | None = None, **kwargs) -> list[float]:
    """GUI-R1 format: 1.0 iff <think>…</think><answer>…</answer> holds and the answer is a well-formed action, else 0.0.

    Source: GUI-R1 `r1gui_format_reward`: the completion fullmatches
    `<think>.*?</think>\\s*<answer>.*?</answer>` (here `think_format`'s check, each tag
    once) and the answer holds an action with a name, whose point (if written) is two
    numbers, with a text for type/select/open_app and a direction (up/down/left/right)
    for scroll. GUI-R1 also demands its exact keys (`point`, `input_text`) on every
    action; any key this module reads is accepted. `think: false` checks the action only.
    `action_tag: action` also demands one `<action>…</action>` block between the reasoning and
    the answer, only whitespace around it: Mobile-R1's R_Fmt over `<think>`, `<action>` and
    `<tool_call>` (with `answer_tag: tool_call`), 1 or 0 (its paper, Sec. 3).
    """
    _check_tags(think_tag, answer_tag)
    if not isinstance(think, bool):
        raise UserError(f"gui_format option think={think!r} must be true or false")
    if action_tag is not None:
        check_tag("action_tag", action_tag)
        if not think:
            raise UserError("gui_format option action_tag needs think: true (the block stands after the reasoning)")
        texts = [completion_text(c) for c in completions]
        shaped = [float(_three_blocks(t, think_tag, action_tag, answer_tag)) for t in texts]
    else:
        shaped = think_format(completions, think_tag=think_tag, answer_tag=answer_tag) if think else \
            [1.0] * len(completions)
    rewards = []
    for ok, completion in zip(shaped, completions):
        action = read_action(answer_region(completion, think_tag, answer_tag)) if ok == 1.0 else None
        rewards.append(float(action is not None and _well_formed(action)))
    return rewards


def _three_blocks(text: str, first: str, middle: str, last: str) -> bool:
    """The whole text is <first>…</first> <middle>…</middle> <last>…</last>, each tag once, only whitespace between."""
    text = text.strip()
    tags = [tag for name in (first, middle, last) for tag in (open_tag(name), close_tag(name))]
    if any(text.count(tag) != 1 for tag in tags):
        return False
    at = [text.find(tag) for tag in tags]
    if at != sorted(at) or at[0] != 0 or not text.endswith(tags[-1]):
        return False
    return all(text[at[i] + len(tags[i]):at[i + 1]].strip() == "" for i in (1, 3))


def _well_formed(action: dict) -> bool:
    if action["has_point"] and action["point"] is None:
        return False
    if action["action"] in TEXT_ACTIONS and action["text"] is None:
        return False
    if action["action"] == "scroll":
        direction = action["direction"] or action["text"]
        return direction is not None and direction.strip().casefold() in DIRECTIONS
    return True
