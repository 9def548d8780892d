"""Adapters whose answers are boxes (grounding, detection) and the coordinate spaces boxes are given in.

Boxes are answered in one of three coordinate spaces: `absolute` (pixels of the image as
Qwen2/2.5-VL's processor resizes it, see `smart_resize`), `normalized` (0-1000 of width
and height, as Qwen2-VL) or `original` (pixels of the image as stored).
"""

import json
from collections.abc import Mapping
from typing import ClassVar

from r1kit.data.adapters import R1_SYSTEM_PROMPT
from r1kit.data.images import MAX_ASPECT_RATIO
from r1kit.data.visual import IMAGE_ROLES, VisualAdapter, check_template, option_error, positive_int, read_numbers
from r1kit.errors import UserError

COORDINATES = ("absolute", "normalized", "original")
BOX_FORMATS = ("xyxy", "xywh")
QWEN_MIN_PIXELS, QWEN_MAX_PIXELS = 56 * 56, 12845056  # Qwen2.5-VL's preprocessor_config.json


def smart_resize(height: int, width: int, factor: int = 28, min_pixels: int = QWEN_MIN_PIXELS,
                 max_pixels: int = QWEN_MAX_PIXELS) -> tuple[int, int]:
    """The (height, width) Qwen2/2.5-VL's image processor resizes an image to: both multiples of `factor`
    (patch 14 x merge 2), the area within [min_pixels, max_pixels], the aspect ratio kept as well as it can be.
    transformers' own arithmetic; the aspect-ratio limit is checked first so the message names the image."""
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import smart_resize as qwen_smart_resize

    if max(height, width) / min(height, width) > MAX_ASPECT_RATIO:
        raise ValueError(f"an image of {width}x{height} has an aspect ratio over {MAX_ASPECT_RATIO}, which Qwen-VL "
                         "refuses")
    return qwen_smart_resize(height, width, factor, min_pixels, max_pixels)


class BoxAdapter(VisualAdapter):
    """Visual adapter whose answer holds boxes: reads them as `box_format` in `box_scale` units of the stored
    image, writes them as [x1, y1, x2, y2] in the `coordinates` space."""

    single_image = True

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, image_root: str | None = None,
                 coordinates: str = "absolute", box_format: str = "xyxy", box_scale: float | None = None,
                 min_pixels: int = QWEN_MIN_PIXELS, max_pixels: int = QWEN_MAX_PIXELS, factor: int = 28, **options):
        super().__init__(columns, system_prompt, image_root, **options)
        if coordinates not in COORDINATES:
            raise option_error(self.name, "coordinates", coordinates, f"one of {', '.join(COORDINATES)}")
        if box_format not in BOX_FORMATS:
            raise option_error(self.name, "box_format", box_format, f"one of {', '.join(BOX_FORMATS)}")
        if box_scale is not None and (isinstance(box_scale, bool) or not isinstance(box_scale, (int, float))
                                      or box_scale <= 0):
            raise option_error(self.name, "box_scale", box_scale,
                               "null (pixels) or the positive number the gold coordinates run up to (1, 1000)")
        self.min_pixels = positive_int(self.name, "min_pixels", min_pixels)
        self.max_pixels = positive_int(self.name, "max_pixels", max_pixels)
        self.factor = positive_int(self.name, "factor", factor)
        if self.min_pixels > self.max_pixels:
            raise option_error(self.name, "min_pixels", min_pixels, f"at most max_pixels={max_pixels}")
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
        x1, y1, a, b = read_numbers(value, 4, what)
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


def ints(box) -> str:
    """A box as `[x1, y1, x2, y2]` text in whole numbers, as a target writes it."""
    return "[" + ", ".join(str(round(v)) for v in box) + "]"


def region(box, size) -> str:
    """Where a box's centre lies in a 3x3 grid of the image ("top left", "center"...), for cold-start traces."""
    cx, cy = (box[0] + box[2]) / 2 / size[0], (box[1] + box[3]) / 2 / size[1]
    row = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else "middle"
    col = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else "center"
    return "center" if (row, col) == ("middle", "center") else f"{row} {col}"


GROUNDING_PROMPT = ("Please provide the bounding box coordinate of the region this sentence describes: {query}. "
                    "Answer with [x1, y1, x2, y2] in {space}.")


class Grounding(BoxAdapter):
    """Image + referring expression -> the box of the region it names (REC, as VLM-R1 / Visual-RFT), scored by IoU.

    Reads `query` and `bbox`; `answer` is [x1, y1, x2, y2] in the `coordinates` space. A row may hold several
    images (multi-image grounding, UniVG-R1): `box_image` (0-based) says which one the box is in; with
    `coordinates: normalized` it may be left out, as a 0-1000 box reads the same against any image (the last
    one then stands for it).
    """

    name = "grounding"
    required = ("query", "bbox")
    optional = IMAGE_ROLES + ("box_image",)
    single_image = False
    metric = "iou"
    default_generator: ClassVar[dict] = {"name": "grounding"}

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, prompt_template: str | None = None,
                 trace: str = "full", **options):
        super().__init__(columns, system_prompt, **options)
        self.template = check_template(self.name, prompt_template, query="", space="", width=1, height=1)
        if trace not in ("full", "brief"):
            raise UserError(f"adapter grounding: trace={trace!r} must be full (names the object, its region and "
                            "corners) or brief (only the region: a short target for tiny models)")
        self.trace = trace

    def example(self, row):
        query = self.get(row, "query")
        if not isinstance(query, str) or not query.strip():
            raise ValueError(f"column {self.columns['query']!r} is empty")
        query = query.strip().rstrip(".")
        images = self.images(row)
        image = images[self.box_image(row, len(images))]
        box = self.box(self.get(row, "bbox"), image, f"column {self.columns['bbox']!r}: box")
        size = self.answer_size(image)
        text = (self.template or GROUNDING_PROMPT).format(query=query, space=self.space(image),
                                                          width=image.size[0], height=image.size[1])
        reasoning = region(box, size) if self.trace == "brief" else (
            f'"{query}" is at the {region(box, size)} of the image, from ({round(box[0])}, {round(box[1])}) to '
            f"({round(box[2])}, {round(box[3])}).")
        target = f"<think>{reasoning}</think><answer>{ints(box)}</answer>"
        return self.finish(self.prompt(text, len(images)), images, box, target)

    def box_image(self, row, n_images: int) -> int:
        """Which of the row's images the box is in."""
        index = self.get(row, "box_image")
        if index is None:
            if n_images == 1 or self.coordinates == "normalized":
                return n_images - 1
            raise ValueError(f"the row has {n_images} images: say which one the box is in with a "
                             f"{self.columns['box_image']!r} column (0-based), or use coordinates: normalized")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n_images:
            raise ValueError(f"column {self.columns['box_image']!r} is {index!r}; the row has {n_images} image(s), "
                             f"so use 0 to {n_images - 1}")
        return index


DETECTION_PROMPT = ("Locate every object of these categories in the image: {categories}. Answer with a JSON list "
                    'with one {{"bbox_2d": [x1, y1, x2, y2], "label": <category>}} per object, in {space}.')
BOX_KEYS, LABEL_KEYS = ("bbox_2d", "bbox", "box"), ("label", "category", "name")


class Detection(BoxAdapter):
    """Image -> every object's box and label (open-vocabulary detection, as VLM-R1 OVD / Visual-RFT).

    Reads `objects` (a list of `{bbox|bbox_2d|box, label|category|name}`), or `boxes` and
    `labels` (parallel lists); the prompt lists `categories` (a column, else the row's own
    labels), or a `prompt_template` with `{question}` shows the row's own `question` (a
    dataset that ships its prompts: VLM-R1 OVD, Visual-RFT). An empty object list is an image
    where nothing asked for is present. `answer` is `[{"bbox_2d": [x1, y1, x2, y2], "label": str}, ...]`.
    """

    name = "detection"
    optional = IMAGE_ROLES + ("objects", "boxes", "labels", "categories", "question")
    metric = "detection"
    default_generator: ClassVar[dict] = {"name": "detection"}

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, prompt_template: str | None = None,
                 **options):
        super().__init__(columns, system_prompt, **options)
        self.template = check_template(self.name, prompt_template, categories="", space="", question="")

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
        question = self.shown_question(row)
        if not categories and not self.asks_question:
            raise ValueError(f"the row has no objects and no {self.columns['categories']!r} to ask for")
        text = (self.template or DETECTION_PROMPT).format(categories=", ".join(map(str, categories)),
                                                          space=self.space(image), question=question)
        listed = json.dumps([{"bbox_2d": [round(v) for v in obj["bbox_2d"]], "label": obj["label"]}
                             for obj in answer])
        counts = {c: sum(obj["label"] == c for obj in answer) for c in categories}
        seen = ", ".join(f"{c}: {n}" for c, n in counts.items()) or "none"
        target = f"<think>Objects per category: {seen}.</think><answer>{listed}</answer>"
        return self.finish(self.prompt(text, 1), images, answer, target)


class GroundedVQA(BoxAdapter):
    """Image + question -> a caption, the regions that answer it and the answer (SATORI's VQA-Verify), three rewards.

    Reads `question`, `answers` (the accepted answers: a list, or one text), `caption` (an answer-aligned
    caption) and `boxes` (the gold regions, each [x1, y1, x2, y2] as `box_format` in `box_scale` units of
    the stored image). `answer` is the list of accepted answers; `caption` and `boxes` (in the `coordinates`
    space) go to the rewards as columns of their own. `prompt_template` (`{question}`) wraps the question.
    """

    name = "grounded_vqa"
    required = ("question", "answers")
    optional = IMAGE_ROLES + ("caption", "boxes")
    metric = "answer_in_set"

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, prompt_template: str | None = None,
                 **options):
        super().__init__(columns, system_prompt, **options)
        self.template = check_template(self.name, prompt_template, question="")

    def example(self, row):
        question, answers = self.get(row, "question"), self.get(row, "answers")
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"column {self.columns['question']!r} is empty")
        answers = [answers] if isinstance(answers, str) else answers
        if not isinstance(answers, (list, tuple)) or not answers or not all(
                isinstance(a, str) and a.strip() for a in answers):
            raise ValueError(f"column {self.columns['answers']!r} must be a non-empty list of answer texts")
        (image,) = images = self.images(row)
        boxes = self.get(row, "boxes") or []
        if not isinstance(boxes, (list, tuple)):
            raise TypeError(f"column {self.columns['boxes']!r} is not a list of boxes")
        boxes = [self.box(b, image, f"column {self.columns['boxes']!r}: box {i}") for i, b in enumerate(boxes)]
        caption = self.get(row, "caption")
        text = self.template.format(question=question.strip()) if self.template else question.strip()
        return self.finish(self.prompt(text, 1), images, [a.strip() for a in answers],
                           caption=caption.strip() if isinstance(caption, str) else None, boxes=boxes)
