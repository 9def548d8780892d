"""The visual row contract: image(s) + a task -> example rows for VLMs, and the adapters that answer in words.

Every row gets `images` (RGB PIL images, checked at load time by r1kit.data.images) and a
`prompt` whose messages all carry their content as a list of parts, `{"type": "text",
"text": ...}` or `{"type": "image"}` (one placeholder per image), so Arrow sees the same
structure in every row and TRL fills the placeholders from `images`. Adapters that can
write a cold-start target also add `messages` (the prompt plus an assistant turn).
Adapters whose answers are boxes live in r1kit.data.boxes and r1kit.data.gui, the
jigsaw in r1kit.data.jigsaw (docs/data-visual.md).
"""

import json
import math
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from r1kit.data.adapters import R1_SYSTEM_PROMPT, Adapter
from r1kit.data.images import load_images
from r1kit.data.math_qa import MathQA
from r1kit.data.video import load_video
from r1kit.errors import UserError

IMAGE_ROLES = ("image", "images", "video")  # `video`: frame files, an animated image or a video file (r1kit.data.video)


def option_error(adapter: str, option: str, value, want: str) -> TypeError:
    return TypeError(f"the `{adapter}` adapter option {option}={value!r} must be {want}")


def positive_int(adapter: str, option: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise option_error(adapter, option, value, "a positive integer")
    return value


def check_template(adapter: str, template, **fields) -> str | None:
    if template is None:
        return None
    try:
        str(template).format(**fields)
    except (KeyError, IndexError, ValueError) as err:
        raise option_error(adapter, "prompt_template", template,
                           f"a text whose placeholders are among {{{'}, {'.join(fields)}}} ({err!r})") from None
    return str(template)


def text_part(text: str) -> dict:
    return {"type": "text", "text": text}


class VisualAdapter(Adapter):
    """Base of the visual adapters: reads one image or a list of them from `image` or `images`."""

    optional: tuple[str, ...] = IMAGE_ROLES
    single_image = False  # True: the answer refers to exactly one image

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, image_root: str | None = None,
                 frames: int | None = None, fps: float | None = None, max_frames: int = 32,
                 frame_max_pixels: int | None = None, **options):
        super().__init__(columns, system_prompt, **options)
        if image_root is not None and not Path(str(image_root)).expanduser().is_dir():
            raise option_error(self.name, "image_root", image_root, "an existing folder")
        self.image_root = image_root
        if frames is not None and fps is not None:
            raise option_error(self.name, "frames", frames, "left unset when fps is set (sample by count or by rate)")
        if fps is not None and (isinstance(fps, bool) or not isinstance(fps, (int, float)) or fps <= 0):
            raise option_error(self.name, "fps", fps, "a positive number of frames per second")
        self.video = {"frames": None if frames is None else positive_int(self.name, "frames", frames), "fps": fps,
                      "max_frames": positive_int(self.name, "max_frames", max_frames),
                      "frame_max_pixels": None if frame_max_pixels is None else
                      positive_int(self.name, "frame_max_pixels", frame_max_pixels)}
        self.data_dir: Path | None = None  # the folder of the row's data file; build_examples sets it per row

    def check_columns(self, available, source):
        super().check_columns(available, source)
        if not any(self.columns[role] in available for role in IMAGE_ROLES):
            raise UserError(f"{source}: the `{self.name}` adapter needs images: a column {self.columns['image']!r} "
                            f"(one per row), {self.columns['images']!r} (a list) or {self.columns['video']!r} (a "
                            f"video), but the data has columns {available}. Map yours with "
                            "`columns: {image: <your column>}`.")

    @property
    def asks_question(self) -> bool:
        """Whether the adapter's `prompt_template` shows the row's own `question` ({question})."""
        template = getattr(self, "template", None)
        return template is not None and "{question}" in template

    def shown_question(self, row: Mapping) -> str:
        """The row's `question` for a template that shows it (a dataset that ships its prompts); "" when absent."""
        question = self.get(row, "question")
        if self.asks_question and (not isinstance(question, str) or not question.strip()):
            raise ValueError(f"column {self.columns['question']!r} is empty, and the prompt_template shows it")
        return (question or "").strip()

    def images(self, row: Mapping) -> list:
        """The row's images, or its video's sampled frames (one image each)."""
        role = next((r for r in ("images", "video", "image") if self.get(row, r) is not None), None)
        if role is None:
            raise ValueError(f"no image in column {self.columns['image']!r}, {self.columns['images']!r} or "
                             f"{self.columns['video']!r}")
        base = Path(str(self.image_root)).expanduser() if self.image_root else self.data_dir
        what = f"column {self.columns[role]!r}"
        images = load_video(self.get(row, role), base, what, **self.video) if role == "video" else \
            load_images(self.get(row, role), base, what)
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
        shots = [{"role": m["role"], "content": [text_part(m["content"])]} for m in self.few_shot]
        return system + shots + [{"role": "user", "content": content}]

    def finish(self, prompt: list[dict], images: list, answer, target: str | None = None, **extra) -> dict:
        out = {"prompt": prompt, "images": images, "answer": answer, "task": self.name, **extra}
        if target is not None:
            out["messages"] = prompt + [{"role": "assistant", "content": [text_part(target)]}]
        return out


def read_numbers(value, n: int, what: str) -> list[float]:
    if isinstance(value, str):  # "[1, 2, 3, 4]" from a CSV or a JSON-in-text column
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(f"{what} {value!r} is not a list of {n} numbers") from None
    if not isinstance(value, (list, tuple)) or len(value) != n or not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        raise ValueError(f"{what} {value!r} is not a list of {n} numbers")
    return [float(v) for v in value]


CLASSIFICATION_PROMPT = ("Which of these categories does the image show: {labels}? Answer with the category name "
                         "only.")


class Classification(VisualAdapter):
    """Image(s) + a label set -> the label (CLS-RL, Visual-RFT classification), scored by class match.

    Reads `label` (a name, or an index into the label set) and the label set from a
    `labels` column or the `labels` option; rows get `labels` (shown in the prompt). A
    `prompt_template` with `{question}` shows the row's own `question` instead (a dataset that
    ships its prompts: Visual-RFT).
    The cold-start target: with `trace: full`, the row's `solution` when it has one (a
    teacher's reasoning), else "<think>The image shows a cat.</think><answer>cat</answer>";
    with `trace: none`, only "<answer>cat</answer>" (No-Thinking-RL, Li et al. 2025, "Think
    or Not Think": a short target a tiny model samples cleanly).
    """

    name = "classification"
    required = ("label",)
    optional = IMAGE_ROLES + ("labels", "solution", "question")
    metric = "class_match"
    default_generator: ClassVar[dict] = {"name": "classification"}

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, labels=None,
                 prompt_template: str | None = None, trace: str = "full", **options):
        super().__init__(columns, system_prompt, **options)
        if trace not in ("full", "none"):
            raise UserError(f"adapter classification: trace={trace!r} must be full (a sentence in <think>, then "
                            "the <answer>) or none (only the <answer>)")
        self.trace = trace
        if labels is not None and (isinstance(labels, str) or not labels
                                   or not all(isinstance(x, str) and x.strip() for x in labels)):
            raise option_error(self.name, "labels", labels, "a non-empty list of label names")
        self.labels = [x.strip() for x in labels] if labels is not None else None
        self.template = check_template(self.name, prompt_template, labels="", question="")

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
        text = (self.template or CLASSIFICATION_PROMPT).format(labels=", ".join(labels),
                                                               question=self.shown_question(row))
        solution = self.get(row, "solution")
        if solution is not None and (not isinstance(solution, str) or not solution.strip()):
            raise ValueError(f"column {self.columns['solution']!r}: {solution!r} is not a non-empty text")
        think = f"<think>The image shows a {label}.</think>" if self.trace == "full" else ""
        use_solution = solution is not None and self.trace == "full"
        target = solution.strip() if use_solution else f"{think}<answer>{label}</answer>"
        return self.finish(self.prompt(text, len(images)), images, label, target, labels=labels)




class MMMath(VisualAdapter, MathQA):
    """Image(s) + a math question -> the answer (Vision-R1, LMM-R1 multimodal math), scored with math-verify.

    Like `math_qa`: reads `question` and `answer` or `solution` (\\boxed{} or #### gold);
    a `solution` also gives the cold-start target. `<image>` markers in the question
    place the images; without them the images come first. `prompt_template` (`{question}`)
    wraps the question in a paper's instruction (Med-R1's "{question} Your task: ...").
    `solution_as: verbatim` makes the solution itself the target (a distilled reply in its own layout).
    """

    name = "mm_math"
    required = ("question",)
    optional = IMAGE_ROLES + ("answer", "solution")
    metric = "math_accuracy"
    default_generator: ClassVar[dict] = {"name": "mm_math"}

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, prompt_template: str | None = None,
                 **options):
        super().__init__(columns, system_prompt, **options)
        self.template = check_template(self.name, prompt_template, question="")

    def example(self, row):
        question, gold, _, solution = self.question_and_gold(row)
        images = self.images(row)
        target = None
        if solution:
            target = str(solution).strip() if self.solution_as == "verbatim" else MathQA.target(str(solution), gold)
        text = self.template.format(question=question) if self.template else question
        return self.finish(self.prompt(text, len(images)), images, gold, target)
