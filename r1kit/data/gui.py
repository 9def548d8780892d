"""The `gui_action` adapter: a screenshot and an instruction -> the next action, its target box and text."""

import json
from collections.abc import Mapping
from typing import ClassVar

from r1kit.data.adapters import R1_SYSTEM_PROMPT
from r1kit.data.boxes import BoxAdapter, ints
from r1kit.data.visual import IMAGE_ROLES, check_template, option_error, read_numbers, text_part

GUI_ACTIONS = ("click", "type", "scroll", "long_press", "select", "press", "open_app", "navigate_back", "complete")
REPLIES = ("answer", "tool_call")
TOOL_NAME = "mobile_use"
ARGUMENT_KEYS = {"system_button": "button", "terminate": "status", "swipe": "direction", "scroll": "direction"}
GUI_PROMPT = ("{instruction}\nChoose the next action from: {actions}. Answer with one JSON object "
              '{{"action": <action>, "point": [x, y] on the element to act on, or null, "text": the text to type or '
              "the direction or key, or null}}, with the point in {space}.")


class GuiAction(BoxAdapter):
    """Screenshot + instruction -> the next action (GUI-R1, UI-R1): its type, target element and text.

    Reads `instruction`, `action` (a name, or a mapping with action/bbox/text), and
    optionally `bbox` (the target element) and `text` (text typed, scroll direction...).
    `answer` is `{"action": str, "bbox": [x1, y1, x2, y2] or None, "text": str or None}`,
    the box in the `coordinates` space. A `bbox` of two numbers is a target point (GUI-R1's
    `gt_bbox` of two), rescaled the same way; the rewards accept a click near it.

    A row's own `system` text, when it has one, is its system turn (in place of
    `system_prompt`); its `thought` (a recorded reasoning) is the cold-start target's reasoning.
    `reply: tool_call` writes that target as Qwen2.5-VL's mobile agent replies (Mobile-R1):
    `<think>…</think> <action>…</action> <tool_call>{"name": "mobile_use", "arguments": {...}}</tool_call>`,
    the point under `coordinate` in the answer space, the argument under `text` (`button` for
    system_button, `status` for terminate, `direction` for swipe and scroll).
    """

    name = "gui_action"
    required = ("instruction", "action")
    optional = IMAGE_ROLES + ("bbox", "text", "system", "thought")
    metric = "gui_action"
    default_generator: ClassVar[dict] = {"name": "gui_action"}

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, actions=GUI_ACTIONS,
                 prompt_template: str | None = None, reply: str = "answer", **options):
        super().__init__(columns, system_prompt, **options)
        if reply not in REPLIES:
            raise option_error(self.name, "reply", reply, f"one of {', '.join(REPLIES)}")
        self.reply = reply
        if isinstance(actions, str) or not actions or not all(isinstance(a, str) and a.strip() for a in actions):
            raise option_error(self.name, "actions", actions, "a non-empty list of action names")
        self.actions = tuple(a.strip().lower() for a in actions)
        self.template = check_template(self.name, prompt_template, instruction="", actions="", space="")

    def example(self, row):
        instruction = self.get(row, "instruction")
        if not isinstance(instruction, str) or not instruction.strip():
            raise ValueError(f"column {self.columns['instruction']!r} is empty")
        action, box, text = self.get(row, "action"), self.get(row, "bbox"), self.get(row, "text")
        if isinstance(action, Mapping):
            box = action.get("bbox", box)
            text = action.get("text", text)
            action = action.get("action", action.get("type"))
        if not isinstance(action, str) or action.strip().lower() not in self.actions:
            raise ValueError(f"column {self.columns['action']!r}: action {action!r} is not one of "
                             f"{', '.join(self.actions)} (options.actions lists the action space)")
        action = action.strip().lower()
        (image,) = images = self.images(row)
        what = f"column {self.columns['bbox']!r}: box"
        if box is None or (isinstance(box, (list, tuple)) and not box):
            box = None
        elif isinstance(box, (list, tuple)) and len(box) == 2:
            box = self.point(box, image, what)
        else:
            box = self.box(box, image, what)
        text = None if text is None or (isinstance(text, str) and not text.strip()) else str(text)
        prompt_text = (self.template or GUI_PROMPT).format(instruction=instruction.strip(),
                                                           actions=", ".join(self.actions), space=self.space(image))
        point = None if box is None else [round(box[0]), round(box[1])] if len(box) == 2 else \
            [round((box[0] + box[2]) / 2), round((box[1] + box[3]) / 2)]
        why = (f"The next action is {action}" + (f" on the element at {ints(box)}" if box else "")
               + (f" with the text {json.dumps(text, ensure_ascii=False)}" if text else "")) + "."
        thought = self.get(row, "thought")
        thought = thought.strip() if isinstance(thought, str) and thought.strip() else why
        if self.reply == "tool_call":
            arguments = {"action": action, **({"coordinate": point} if point else {}),
                         **({ARGUMENT_KEYS.get(action, "text"): text} if text else {})}
            call = json.dumps({"name": TOOL_NAME, "arguments": arguments}, ensure_ascii=False)
            target = f"<think>{thought}</think>\n<action>{why}</action>\n<tool_call>\n{call}\n</tool_call>"
        else:
            target = (f"<think>{thought}</think><answer>"
                      f"{json.dumps({'action': action, 'point': point, 'text': text}, ensure_ascii=False)}</answer>")
        answer = {"action": action, "bbox": box, "text": text}
        prompt = self.prompt(prompt_text, 1)
        system = self.get(row, "system")
        if isinstance(system, str) and system.strip():
            prompt = [m for m in prompt if m["role"] != "system"]
            prompt.insert(0, {"role": "system", "content": [text_part(system.strip())]})
        return self.finish(prompt, images, answer, target)

    def point(self, value, image, what: str) -> list[float]:
        """A gold point -> [x, y] in the answer space, read in `box_scale` units like a box's corner, rounded to 0.01."""
        x, y = read_numbers(value, 2, what)
        w, h = image.size
        if self.box_scale:
            x, y = x * w / self.box_scale, y * h / self.box_scale
        if not (0 <= x <= w and 0 <= y <= h):
            raise ValueError(f"{what} {list(value)} is a point outside the {w}x{h} image once read"
                             f"{f' in units of {self.box_scale}' if self.box_scale else ' in pixels'} (box_scale option)")
        sw, sh = self.answer_size(image)
        return [round(x * sw / w, 2), round(y * sh / h, 2)]
