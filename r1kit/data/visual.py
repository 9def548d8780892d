"""Visual dataset adapters: image(s) + a task -> example rows for VLMs (docs/data-visual.md).

Every row gets `images` (RGB PIL images, checked at load time by r1kit.data.images) and a
`prompt` whose messages all carry their content as a list of parts, `{"type": "text",
"text": ...}` or `{"type": "image"}` (one placeholder per image), so Arrow sees the same
structure in every row and TRL fills the placeholders from `images`. Adapters that can
write a cold-start target also add `messages` (the prompt plus an assistant turn).

Boxes (grounding, detection, gui_action) are answered in one of three coordinate
spaces: `absolute` (pixels of the image as Qwen2/2.5-VL's processor resizes it, see
`smart_resize`), `normalized` (0-1000 of width and height, as Qwen2-VL) or `original`
(pixels of the image as stored).
"""

import hashlib
import json
import math
import numbers
import random
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from r1kit.data.adapters import R1_SYSTEM_PROMPT, Adapter, MathQA, register
from r1kit.data.images import load_images
from r1kit.errors import UserError

IMAGE_ROLES = ("image", "images")
COORDINATES = ("absolute", "normalized", "original")
BOX_FORMATS = ("xyxy", "xywh")
QWEN_MIN_PIXELS, QWEN_MAX_PIXELS = 56 * 56, 12845056  # Qwen2.5-VL's preprocessor_config.json


def smart_resize(height: int, width: int, factor: int = 28, min_pixels: int = QWEN_MIN_PIXELS,
                 max_pixels: int = QWEN_MAX_PIXELS) -> tuple[int, int]:
    """The (height, width) Qwen2/2.5-VL's image processor resizes an image to: both multiples of `factor`
    (patch 14 x merge 2), the area within [min_pixels, max_pixels], the aspect ratio kept as well as it can be.
    The same arithmetic as transformers.models.qwen2_vl.image_processing_qwen2_vl.smart_resize."""
    if max(height, width) / min(height, width) > 200:
        raise ValueError(f"an image of {width}x{height} has an aspect ratio over 200, which Qwen-VL refuses")
    h_bar, w_bar = round(height / factor) * factor, round(width / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar, w_bar = math.ceil(height * beta / factor) * factor, math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def _option_error(adapter: str, option: str, value, want: str) -> TypeError:
    return TypeError(f"the `{adapter}` adapter option {option}={value!r} must be {want}")


def _positive_int(adapter: str, option: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _option_error(adapter, option, value, "a positive integer")
    return value


def _check_template(adapter: str, template, **fields) -> str | None:
    if template is None:
        return None
    try:
        str(template).format(**fields)
    except (KeyError, IndexError, ValueError) as err:
        raise _option_error(adapter, "prompt_template", template,
                            f"a text whose placeholders are among {{{'}, {'.join(fields)}}} ({err!r})") from None
    return str(template)


def text_part(text: str) -> dict:
    return {"type": "text", "text": text}


class VisualAdapter(Adapter):
    """Base of the visual adapters: reads one image or a list of them from `image` or `images`."""

    optional: tuple[str, ...] = IMAGE_ROLES
    single_image = False  # True: the answer refers to exactly one image

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, image_root: str | None = None,
                 **options):
        super().__init__(columns, system_prompt, **options)
        if image_root is not None and not Path(str(image_root)).expanduser().is_dir():
            raise _option_error(self.name, "image_root", image_root, "an existing folder")
        self.image_root = image_root
        self.data_dir: Path | None = None  # the folder of the row's data file; build_examples sets it per row

    def check_columns(self, available, source):
        super().check_columns(available, source)
        if not any(self.columns[role] in available for role in IMAGE_ROLES):
            raise UserError(f"{source}: the `{self.name}` adapter needs images: a column {self.columns['image']!r} "
                            f"(one per row) or {self.columns['images']!r} (a list), but the data has columns "
                            f"{available}. Map yours with `columns: {{image: <your column>}}`.")

    def images(self, row: Mapping) -> list:
        role = "images" if self.get(row, "images") is not None else "image"
        value = self.get(row, role)
        if value is None:
            raise ValueError(f"no image in column {self.columns['image']!r} or {self.columns['images']!r}")
        base = Path(str(self.image_root)).expanduser() if self.image_root else self.data_dir
        images = load_images(value, base, f"column {self.columns[role]!r}")
        if self.single_image and len(images) != 1:
            raise ValueError(f"column {self.columns[role]!r} has {len(images)} images; the `{self.name}` adapter "
                             "needs exactly one per row")
        return images

    def prompt(self, user_text: str, n_images: int = 1) -> list[dict]:
        """Chat messages, every content a list of parts. `<image>` markers in the text (LLaVA style) place the
        images where they stand when there is one per image; without markers the images come first."""
        parts = user_text.split("<image>")
        if len(parts) == 1:
            content = [{"type": "image"} for _ in range(n_images)] + [text_part(user_text.strip())]
        elif len(parts) - 1 == n_images:
            content = [text_part(parts[0].strip())] if parts[0].strip() else []
            for text in parts[1:]:
                content += [{"type": "image"}] + ([text_part(text.strip())] if text.strip() else [])
        else:
            raise ValueError(f"the text has {len(parts) - 1} <image> markers but the row has {n_images} image(s)")
        system = [{"role": "system", "content": [text_part(self.system_prompt)]}] if self.system_prompt else []
        return system + [{"role": "user", "content": content}]

    def finish(self, prompt: list[dict], images: list, answer, target: str | None = None, **extra) -> dict:
        out = {"prompt": prompt, "images": images, "answer": answer, "task": self.name, **extra}
        if target is not None:
            out["messages"] = prompt + [{"role": "assistant", "content": [text_part(target)]}]
        return out


def _numbers(value, n: int, what: str) -> list[float]:
    if isinstance(value, str):  # "[1, 2, 3, 4]" from a CSV or a JSON-in-text column
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(f"{what} {value!r} is not a list of {n} numbers") from None
    if not isinstance(value, (list, tuple)) or len(value) != n or not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        raise ValueError(f"{what} {value!r} is not a list of {n} numbers")
    return [float(v) for v in value]


class BoxAdapter(VisualAdapter):
    """Visual adapter whose answer holds boxes: reads them as `box_format` in `box_scale` units of the stored
    image, writes them as [x1, y1, x2, y2] in the `coordinates` space."""

    single_image = True

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, image_root: str | None = None,
                 coordinates: str = "absolute", box_format: str = "xyxy", box_scale: float | None = None,
                 min_pixels: int = QWEN_MIN_PIXELS, max_pixels: int = QWEN_MAX_PIXELS, factor: int = 28, **options):
        super().__init__(columns, system_prompt, image_root, **options)
        if coordinates not in COORDINATES:
            raise _option_error(self.name, "coordinates", coordinates, f"one of {', '.join(COORDINATES)}")
        if box_format not in BOX_FORMATS:
            raise _option_error(self.name, "box_format", box_format, f"one of {', '.join(BOX_FORMATS)}")
        if box_scale is not None and (isinstance(box_scale, bool) or not isinstance(box_scale, (int, float))
                                      or box_scale <= 0):
            raise _option_error(self.name, "box_scale", box_scale,
                                "null (pixels) or the positive number the gold coordinates run up to (1, 1000)")
        self.min_pixels = _positive_int(self.name, "min_pixels", min_pixels)
        self.max_pixels = _positive_int(self.name, "max_pixels", max_pixels)
        self.factor = _positive_int(self.name, "factor", factor)
        if self.min_pixels > self.max_pixels:
            raise _option_error(self.name, "min_pixels", min_pixels, f"at most max_pixels={max_pixels}")
        self.coordinates, self.box_format, self.box_scale = coordinates, box_format, box_scale

    def answer_size(self, image) -> tuple[float, float]:
        """(width, height) of the space answers are given in."""
        w, h = image.size
        if self.coordinates == "absolute":
            rh, rw = smart_resize(h, w, self.factor, self.min_pixels, self.max_pixels)
            return rw, rh
        return (1000, 1000) if self.coordinates == "normalized" else (w, h)

    def box(self, value, image, what: str) -> list[float]:
        """A gold box -> [x1, y1, x2, y2] in the answer space, clipped to the image, rounded to 0.01."""
        x1, y1, a, b = _numbers(value, 4, what)
        x2, y2 = (x1 + a, y1 + b) if self.box_format == "xywh" else (a, b)
        w, h = image.size
        if self.box_scale:
            x1, x2, y1, y2 = (x1 * w / self.box_scale, x2 * w / self.box_scale,
                              y1 * h / self.box_scale, y2 * h / self.box_scale)
        x1, x2, y1, y2 = max(x1, 0.0), min(x2, float(w)), max(y1, 0.0), min(y2, float(h))
        if x2 <= x1 or y2 <= y1:
            raise ValueError(f"{what} {list(value) if not isinstance(value, str) else value} is empty or outside "
                             f"the {w}x{h} image once read as {self.box_format}"
                             f"{f' in units of {self.box_scale}' if self.box_scale else ' in pixels'} (box_format, "
                             "box_scale options)")
        sw, sh = self.answer_size(image)
        return [round(x1 * sw / w, 2), round(y1 * sh / h, 2), round(x2 * sw / w, 2), round(y2 * sh / h, 2)]

    def space(self, image) -> str:
        """The coordinate space, said in the prompt."""
        if self.coordinates == "normalized":
            return "coordinates scaled to 0-1000 of the image's width and height"
        if self.coordinates == "original":
            w, h = image.size
            return f"pixel coordinates of the original {w}x{h} image"
        return "pixel coordinates of the image"


def _ints(box) -> str:
    return "[" + ", ".join(str(round(v)) for v in box) + "]"


def _where(box, size) -> str:
    cx, cy = (box[0] + box[2]) / 2 / size[0], (box[1] + box[3]) / 2 / size[1]
    row = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else "middle"
    col = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else "center"
    return "center" if (row, col) == ("middle", "center") else f"{row} {col}"


GROUNDING_PROMPT = ("Please provide the bounding box coordinate of the region this sentence describes: {query}. "
                    "Answer with [x1, y1, x2, y2] in {space}.")


@register("grounding")
class Grounding(BoxAdapter):
    """Image + referring expression -> the box of the region it names (REC, as VLM-R1 / Visual-RFT), scored by IoU.

    Reads `query` and `bbox`; `answer` is [x1, y1, x2, y2] in the `coordinates` space.
    """

    required = ("query", "bbox")
    metric = "iou"
    default_generator: ClassVar[dict] = {"name": "grounding"}

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, prompt_template: str | None = None,
                 trace: str = "full", **options):
        super().__init__(columns, system_prompt, **options)
        self.template = _check_template(self.name, prompt_template, query="", space="", width=1, height=1)
        if trace not in ("full", "brief"):
            raise UserError(f"adapter grounding: trace={trace!r} must be full (names the object, its region and "
                            "corners) or brief (only the region: a short target for tiny models)")
        self.trace = trace

    def example(self, row):
        query = self.get(row, "query")
        if not isinstance(query, str) or not query.strip():
            raise ValueError(f"column {self.columns['query']!r} is empty")
        query = query.strip().rstrip(".")
        (image,) = images = self.images(row)
        box = self.box(self.get(row, "bbox"), image, f"column {self.columns['bbox']!r}: box")
        size = self.answer_size(image)
        text = (self.template or GROUNDING_PROMPT).format(query=query, space=self.space(image),
                                                          width=image.size[0], height=image.size[1])
        reasoning = _where(box, size) if self.trace == "brief" else (
            f'"{query}" is at the {_where(box, size)} of the image, from ({round(box[0])}, {round(box[1])}) to '
            f"({round(box[2])}, {round(box[3])}).")
        target = f"<think>{reasoning}</think><answer>{_ints(box)}</answer>"
        return self.finish(self.prompt(text, 1), images, box, target)


DETECTION_PROMPT = ("Locate every object of these categories in the image: {categories}. Answer with a JSON list "
                    'with one {{"bbox_2d": [x1, y1, x2, y2], "label": <category>}} per object, in {space}.')
BOX_KEYS, LABEL_KEYS = ("bbox_2d", "bbox", "box"), ("label", "category", "name")


@register("detection")
class Detection(BoxAdapter):
    """Image -> every object's box and label (open-vocabulary detection, as VLM-R1 OVD / Visual-RFT).

    Reads `objects` (a list of `{bbox|bbox_2d|box, label|category|name}`), or `boxes` and
    `labels` (parallel lists); the prompt lists `categories` (a column, else the row's own
    labels). `answer` is `[{"bbox_2d": [x1, y1, x2, y2], "label": str}, ...]`.
    """

    optional = IMAGE_ROLES + ("objects", "boxes", "labels", "categories")
    metric = "detection"
    default_generator: ClassVar[dict] = {"name": "detection"}

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, prompt_template: str | None = None,
                 **options):
        super().__init__(columns, system_prompt, **options)
        self.template = _check_template(self.name, prompt_template, categories="", space="")

    def check_columns(self, available, source):
        super().check_columns(available, source)
        c = self.columns
        if c["objects"] not in available and not (c["boxes"] in available and c["labels"] in available):
            raise UserError(f"{source}: the `{self.name}` adapter needs a column {c['objects']!r} (a list of "
                            f"{{bbox, label}}) or columns {c['boxes']!r} and {c['labels']!r}, but the data has "
                            f"columns {available}. Map yours with `columns: {{objects: <your column>}}`.")

    def _objects(self, row) -> list[tuple[object, object]]:
        objects = self.get(row, "objects")
        if objects is not None:
            if not isinstance(objects, (list, tuple)):
                raise ValueError(f"column {self.columns['objects']!r} is not a list of objects")
            pairs = []
            for obj in objects:
                if not isinstance(obj, Mapping):
                    raise TypeError(f"column {self.columns['objects']!r} has {obj!r}, not a {{bbox, label}} mapping")
                box = next((obj[k] for k in BOX_KEYS if obj.get(k) is not None), None)
                pairs.append((box, next((obj[k] for k in LABEL_KEYS if obj.get(k) is not None), None)))
            return pairs
        boxes, labels = self.get(row, "boxes"), self.get(row, "labels")
        if not isinstance(boxes, (list, tuple)) or not isinstance(labels, (list, tuple)) or len(boxes) != len(labels):
            raise ValueError(f"columns {self.columns['boxes']!r} and {self.columns['labels']!r} must be lists of the "
                             "same length")
        return list(zip(boxes, labels))

    def example(self, row):
        (image,) = images = self.images(row)
        answer = []
        for i, (box, label) in enumerate(self._objects(row)):
            if not isinstance(label, str) or not label.strip():
                raise ValueError(f"object {i} has no label (keys {', '.join(LABEL_KEYS)})")
            answer.append({"bbox_2d": self.box(box, image, f"object {i}: box"), "label": label.strip()})
        categories = self.get(row, "categories") or sorted({obj["label"] for obj in answer})
        if not categories:
            raise ValueError(f"the row has no objects and no {self.columns['categories']!r} to ask for")
        text = (self.template or DETECTION_PROMPT).format(categories=", ".join(map(str, categories)),
                                                          space=self.space(image))
        listed = json.dumps([{"bbox_2d": [round(v) for v in obj["bbox_2d"]], "label": obj["label"]}
                             for obj in answer])
        counts = {c: sum(obj["label"] == c for obj in answer) for c in categories}
        seen = ", ".join(f"{c}: {n}" for c, n in counts.items())
        target = f"<think>Objects per category: {seen}.</think><answer>{listed}</answer>"
        return self.finish(self.prompt(text, 1), images, answer, target)


JIGSAW_PROMPT = ("This image is a jigsaw puzzle: it was cut into a grid of {rows} rows and {cols} columns and the "
                 "pieces were shuffled. Positions are numbered 0 to {last} in reading order (left to right, top to "
                 "bottom). For each position of the shuffled image, give the position its piece had in the original "
                 "image. Answer with a list of {n} different numbers from 0 to {last}.")


@register("jigsaw")
class Jigsaw(VisualAdapter):
    """Any image -> a shuffled rows x cols jigsaw (Jigsaw-R1); the answer is the permutation.

    The adapter cuts the image itself (dropping the remainder pixels at the right and
    bottom edges so the pieces are equal) in an order seeded by `seed` and the image's
    pixels. Shown position i holds the piece from original position `answer[i]`; `grid`
    is [rows, cols]: the `rows`/`cols` options, or a row's own `grid` column (so
    `by_difficulty` can raise the grid size within a stage, as Jigsaw-R1 does).
    """

    optional = IMAGE_ROLES + ("grid",)
    metric = "jigsaw_position"
    default_generator: ClassVar[dict] = {"name": "jigsaw"}
    single_image = True

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, rows: int = 2, cols: int = 2,
                 seed: int = 0, prompt_template: str | None = None, **options):
        super().__init__(columns, system_prompt, **options)
        self.rows, self.cols = _positive_int(self.name, "rows", rows), _positive_int(self.name, "cols", cols)
        if rows * cols < 2:
            raise _option_error(self.name, "rows", rows, "such that rows x cols is at least 2 (a 1x1 puzzle is solved)")
        self.seed = seed
        self.template = _check_template(self.name, prompt_template, rows=1, cols=1, n=1, last=0)

    def example(self, row):
        rows, cols = self.rows, self.cols
        grid = self.get(row, "grid")
        if grid is not None:
            rows, cols = (int(v) for v in _numbers(grid, 2, f"column {self.columns['grid']!r}: grid"))
            if min(rows, cols) < 1 or rows * cols < 2 or list(grid) != [rows, cols]:
                raise ValueError(f"column {self.columns['grid']!r}: grid {grid!r} is not [rows, cols] with whole "
                                 "numbers and at least 2 pieces")
        (image,) = self.images(row)
        shuffled, order = jigsaw_shuffle(image, rows, cols, self.seed)
        n = len(order)
        text = (self.template or JIGSAW_PROMPT).format(rows=rows, cols=cols, n=n, last=n - 1)
        steps = "; ".join(f"the piece at {i} came from {p}" for i, p in enumerate(order))
        target = f"<think>{steps}.</think><answer>{order}</answer>"
        return self.finish(self.prompt(text, 1), [shuffled], order, target, grid=[rows, cols])


def jigsaw_shuffle(image, rows: int, cols: int, seed: int = 0):
    """(shuffled image, order): shown piece i is original piece order[i], both numbered in reading order.

    The order depends only on `seed` and the image's pixels, and is never the identity."""
    from PIL import Image

    w, h = image.size
    pw, ph = w // cols, h // rows
    if pw < 1 or ph < 1:
        raise ValueError(f"the {w}x{h} image is too small for a {rows}x{cols} jigsaw")
    digest = hashlib.sha256(f"{seed}|{rows}x{cols}|{w}x{h}|".encode() + image.tobytes()).hexdigest()
    rng = random.Random(digest)
    order = list(range(rows * cols))
    while order == sorted(order):
        rng.shuffle(order)
    shuffled = Image.new("RGB", (pw * cols, ph * rows))
    for i, p in enumerate(order):
        piece = image.crop(((p % cols) * pw, (p // cols) * ph, (p % cols + 1) * pw, (p // cols + 1) * ph))
        shuffled.paste(piece, ((i % cols) * pw, (i // cols) * ph))
    return shuffled, order


GUI_ACTIONS = ("click", "type", "scroll", "long_press", "select", "press", "open_app", "navigate_back", "complete")
GUI_PROMPT = ("{instruction}\nChoose the next action from: {actions}. Answer with one JSON object "
              '{{"action": <action>, "point": [x, y] on the element to act on, or null, "text": the text to type or '
              "the direction or key, or null}}, with the point in {space}.")


@register("gui_action")
class GuiAction(BoxAdapter):
    """Screenshot + instruction -> the next action (GUI-R1, UI-R1): its type, target element and text.

    Reads `instruction`, `action` (a name, or a mapping with action/bbox/text), and
    optionally `bbox` (the target element) and `text` (text typed, scroll direction...).
    `answer` is `{"action": str, "bbox": [x1, y1, x2, y2] or None, "text": str or None}`,
    the box in the `coordinates` space.
    """

    required = ("instruction", "action")
    optional = IMAGE_ROLES + ("bbox", "text")
    metric = "gui_action"
    default_generator: ClassVar[dict] = {"name": "gui_action"}

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, actions=GUI_ACTIONS,
                 prompt_template: str | None = None, **options):
        super().__init__(columns, system_prompt, **options)
        if isinstance(actions, str) or not actions or not all(isinstance(a, str) and a.strip() for a in actions):
            raise _option_error(self.name, "actions", actions, "a non-empty list of action names")
        self.actions = tuple(a.strip().lower() for a in actions)
        self.template = _check_template(self.name, prompt_template, instruction="", actions="", space="")

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
        box = None if box is None or (isinstance(box, (list, tuple)) and not box) else self.box(
            box, image, f"column {self.columns['bbox']!r}: box")
        text = None if text is None or (isinstance(text, str) and not text.strip()) else str(text)
        prompt_text = (self.template or GUI_PROMPT).format(instruction=instruction.strip(),
                                                           actions=", ".join(self.actions), space=self.space(image))
        point = [round((box[0] + box[2]) / 2), round((box[1] + box[3]) / 2)] if box else None
        why = (f"The next action is {action}" + (f" on the element at {_ints(box)}" if box else "")
               + (f" with the text {json.dumps(text, ensure_ascii=False)}" if text else ""))
        target = (f"<think>{why}.</think><answer>"
                  f"{json.dumps({'action': action, 'point': point, 'text': text}, ensure_ascii=False)}</answer>")
        answer = {"action": action, "bbox": box, "text": text}
        return self.finish(self.prompt(prompt_text, 1), images, answer, target)


CLASSIFICATION_PROMPT = ("Which of these categories does the image show: {labels}? Answer with the category name "
                         "only.")


@register("classification")
class Classification(VisualAdapter):
    """Image(s) + a label set -> the label (CLS-RL, Visual-RFT classification), scored by class match.

    Reads `label` (a name, or an index into the label set) and the label set from a
    `labels` column or the `labels` option; rows get `labels` (shown in the prompt).
    """

    required = ("label",)
    optional = IMAGE_ROLES + ("labels",)
    metric = "class_match"
    default_generator: ClassVar[dict] = {"name": "classification"}

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, labels=None,
                 prompt_template: str | None = None, **options):
        super().__init__(columns, system_prompt, **options)
        if labels is not None and (isinstance(labels, str) or not labels
                                   or not all(isinstance(x, str) and x.strip() for x in labels)):
            raise _option_error(self.name, "labels", labels, "a non-empty list of label names")
        self.labels = [x.strip() for x in labels] if labels is not None else None
        self.template = _check_template(self.name, prompt_template, labels="")

    def check_columns(self, available, source):
        super().check_columns(available, source)
        if self.labels is None and self.columns["labels"] not in available:
            raise UserError(f"{source}: the `{self.name}` adapter needs the label set: a column "
                            f"{self.columns['labels']!r} or `options: {{labels: [cat, dog, ...]}}`; the data has "
                            f"columns {available}.")

    def example(self, row):
        labels = self.get(row, "labels") if self.get(row, "labels") is not None else self.labels
        if not isinstance(labels, (list, tuple)) or not labels or not all(isinstance(x, str) for x in labels):
            raise ValueError(f"column {self.columns['labels']!r} is not a non-empty list of label names")
        labels = [x.strip() for x in labels]
        label = self.get(row, "label")
        if isinstance(label, numbers.Integral) and not isinstance(label, bool):  # a class index, as `datasets` ClassLabel gives
            if not 0 <= label < len(labels):
                raise ValueError(f"column {self.columns['label']!r}: index {label} is outside the {len(labels)} labels")
            label = labels[label]
        if not isinstance(label, str) or label.strip() not in labels:
            raise ValueError(f"column {self.columns['label']!r}: {label!r} is not in the label set {labels}")
        label = label.strip()
        images = self.images(row)
        text = (self.template or CLASSIFICATION_PROMPT).format(labels=", ".join(labels))
        target = f"<think>The image shows a {label}.</think><answer>{label}</answer>"
        return self.finish(self.prompt(text, len(images)), images, label, target, labels=labels)


@register("mm_math")
class MMMath(VisualAdapter, MathQA):
    """Image(s) + a math question -> the answer (Vision-R1, LMM-R1 multimodal math), scored with math-verify.

    Like `math_qa`: reads `question` and `answer` or `solution` (\\boxed{} or #### gold);
    a `solution` also gives the cold-start target. `<image>` markers in the question
    place the images; without them the images come first.
    """

    required = ("question",)
    optional = IMAGE_ROLES + ("answer", "solution")
    metric = "math_accuracy"
    default_generator: ClassVar[dict] = {"name": "mm_math"}

    def example(self, row):
        question, gold, _, solution = self.question_and_gold(row)
        images = self.images(row)
        target = MathQA.target(str(solution), gold) if solution else None
        return self.finish(self.prompt(question, len(images)), images, gold, target)
