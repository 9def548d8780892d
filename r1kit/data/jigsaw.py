"""The `jigsaw` adapter: any image cut into a shuffled grid; the answer is where each piece came from."""

import hashlib
import random
from typing import ClassVar

from r1kit.data.adapters import R1_SYSTEM_PROMPT
from r1kit.data.visual import IMAGE_ROLES, VisualAdapter, check_template, option_error, positive_int, read_numbers

JIGSAW_PROMPT = ("This image is a jigsaw puzzle: it was cut into a grid of {rows} rows and {cols} columns and the "
                 "pieces were shuffled. Positions are numbered 0 to {last} in reading order (left to right, top to "
                 "bottom). For each position of the shuffled image, give the position its piece had in the original "
                 "image. Answer with a list of {n} different numbers from 0 to {last}.")


class Jigsaw(VisualAdapter):
    """Any image -> a shuffled rows x cols jigsaw (Jigsaw-R1); the answer is the permutation.

    The adapter cuts the image itself (dropping the remainder pixels at the right and
    bottom edges so the pieces are equal) in an order seeded by `seed` and the image's
    pixels. Shown position i holds the piece from original position `answer[i]`; `grid`
    is [rows, cols]: the `rows`/`cols` options, or a row's own `grid` column (so
    `by_difficulty` can raise the grid size within a stage, as Jigsaw-R1 does).

    `transpose` is the probability that a puzzle is cut cols x rows instead (Jigsaw-R1's
    `shuffle_mn`: a 3x1 run also sees 1x3 puzzles), drawn from `seed` and the pixels.
    `one_based: true` numbers positions from 1 in the prompt and the cold-start target
    (Jigsaw-R1's prompt; the reward then needs `one_based: true`); `answer` stays 0-based.
    Besides {rows}, {cols}, {n} and {last}, a prompt template may use {first} (0 or 1),
    {layout} (the position numbers drawn as the grid, a line per row) and {first_side} /
    {last_side} (where the first and last positions lie: left/right for one row, top/bottom
    for one column, top-left/bottom-right otherwise).
    """

    name = "jigsaw"
    optional = IMAGE_ROLES + ("grid",)
    metric = "jigsaw_position"
    default_generator: ClassVar[dict] = {"name": "jigsaw"}
    single_image = True

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, rows: int = 2, cols: int = 2,
                 seed: int = 0, prompt_template: str | None = None, transpose: float = 0.0, one_based: bool = False,
                 **options):
        super().__init__(columns, system_prompt, **options)
        self.rows, self.cols = positive_int(self.name, "rows", rows), positive_int(self.name, "cols", cols)
        if rows * cols < 2:
            raise option_error(self.name, "rows", rows, "such that rows x cols is at least 2 (a 1x1 puzzle is solved)")
        self.seed = seed
        if isinstance(transpose, bool) or not isinstance(transpose, (int, float)) or not 0 <= transpose <= 1:
            raise option_error(self.name, "transpose", transpose, "a probability in [0, 1]")
        if not isinstance(one_based, bool):
            raise option_error(self.name, "one_based", one_based, "true or false")
        self.transpose, self.one_based = float(transpose), one_based
        self.template = check_template(self.name, prompt_template, rows=1, cols=1, n=1, last=0, first=0, layout="",
                                       first_side="", last_side="")

    def example(self, row):
        rows, cols = self.rows, self.cols
        grid = self.get(row, "grid")
        if grid is not None:
            rows, cols = (int(v) for v in read_numbers(grid, 2, f"column {self.columns['grid']!r}: grid"))
            if min(rows, cols) < 1 or rows * cols < 2 or list(grid) != [rows, cols]:
                raise ValueError(f"column {self.columns['grid']!r}: grid {grid!r} is not [rows, cols] with whole "
                                 "numbers and at least 2 pieces")
        (image,) = self.images(row)
        if self.transpose and rows != cols and _draw(image, f"{self.seed}|transpose") < self.transpose:
            rows, cols = cols, rows
        shuffled, order = jigsaw_shuffle(image, rows, cols, self.seed)
        n, first = len(order), int(self.one_based)
        sides = ("left", "right") if rows == 1 else ("top", "bottom") if cols == 1 else ("top-left", "bottom-right")
        layout = "\n".join(" ".join(str(r * cols + c + first) for c in range(cols)) for r in range(rows))
        text = (self.template or JIGSAW_PROMPT).format(rows=rows, cols=cols, n=n, last=n - 1 + first, first=first,
                                                       layout=layout, first_side=sides[0], last_side=sides[1])
        shown = [p + first for p in order]
        steps = "; ".join(f"the piece at {i + first} came from {p}" for i, p in enumerate(shown))
        target = f"<think>{steps}.</think><answer>{shown}</answer>"
        return self.finish(self.prompt(text, 1), [shuffled], order, target, grid=[rows, cols])


def _draw(image, salt: str) -> float:
    """A number in [0, 1) fixed by `salt` and the image's pixels."""
    return random.Random(hashlib.sha256(f"{salt}|{image.size}|".encode() + image.tobytes()).hexdigest()).random()


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
