"""Small synthetic visual tasks drawn with PIL: counting, grounding, detection, jigsaw, GUI, classification and
finding the frame of a short clip that shows a shape.

They exist so that tests, demos and the tiny-VLM quickstart need no download. Every
generator takes `n` and `seed` and returns rows in its adapter's input format with a
PIL image in `image`; the same arguments give the same rows, pixel for pixel.
"""

import random

COLORS = {"red": (220, 40, 40), "green": (30, 160, 60), "blue": (40, 80, 220), "yellow": (230, 190, 20),
          "purple": (140, 50, 180), "orange": (245, 130, 20)}
SHAPES = ("circle", "square", "triangle")
SIDES = {"circle": 0, "square": 4, "triangle": 3}
BACKGROUNDS = ("plain", "noise", "gradient")


def _check(name: str, ok: bool, message: str):
    if not ok:
        raise TypeError(f"{name} generator: {message}")


def _names(name: str, option: str, chosen, known) -> list[str]:
    chosen = list(chosen)
    _check(name, bool(chosen) and all(c in known for c in chosen),
           f"{option}={chosen!r} must be a non-empty list drawn from {', '.join(known)}")
    return chosen


def _canvas(rng: random.Random, width: int, height: int, background: str):
    """A white canvas, light grey noise drawn from `rng` (numpy, so it is fast and seeded), or a colour gradient."""
    from PIL import Image

    if background == "plain":
        return Image.new("RGB", (width, height), (255, 255, 255))
    import numpy as np

    if background == "gradient":  # red grows to the right, green downwards: every pixel's colour names its place
        ramp = np.zeros((height, width, 3), dtype=np.uint8)
        ramp[:, :, 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
        ramp[:, :, 1] = np.linspace(0, 255, height, dtype=np.uint8)[:, None]
        return Image.fromarray(ramp, "RGB")

    noise = np.random.default_rng(rng.getrandbits(64)).integers(170, 256, size=(height, width, 1), dtype=np.uint8)
    return Image.fromarray(np.repeat(noise, 3, axis=2), "RGB")


def draw_shape(draw, shape: str, box: tuple[int, int, int, int], color: tuple[int, int, int]):
    """Fill `shape` so that it touches every side of `box` = (x1, y1, x2, y2), x2/y2 exclusive: the box is tight."""
    x1, y1, x2, y2 = box
    corners = (x1, y1, x2 - 1, y2 - 1)
    if shape == "circle":
        draw.ellipse(corners, fill=color)
    elif shape == "square":
        draw.rectangle(corners, fill=color)
    elif shape == "triangle":
        draw.polygon([((x1 + x2 - 1) / 2, y1), (x1, y2 - 1), (x2 - 1, y2 - 1)], fill=color)
    else:
        raise ValueError(f"unknown shape {shape!r}")


def _place(rng: random.Random, k: int, size: int, cell: int | None, min_size: int, max_size: int,
           name: str) -> list[tuple[int, int, int, int]]:
    """k non-overlapping boxes in a size x size image: whole grid cells when `cell` is set, else free squares."""
    if cell:
        per_side = size // cell
        _check(name, size % cell == 0 and per_side * per_side >= k,
               f"image_size={size} must be a multiple of cell={cell} with room for {k} shapes")
        cells = rng.sample(range(per_side * per_side), k)
        return [((c % per_side) * cell, (c // per_side) * cell, (c % per_side + 1) * cell, (c // per_side + 1) * cell)
                for c in cells]
    boxes: list[tuple[int, int, int, int]] = []
    for _ in range(200 * k):
        if len(boxes) == k:
            break
        s = rng.randint(min_size, max_size)
        x, y = rng.randint(0, size - s), rng.randint(0, size - s)
        box = (x, y, x + s, y + s)
        if all(box[2] + 2 <= b[0] or b[2] + 2 <= box[0] or box[3] + 2 <= b[1] or b[3] + 2 <= box[1] for b in boxes):
            boxes.append(box)
    _check(name, len(boxes) == k, f"{k} shapes of {min_size}-{max_size} px do not fit in {size}x{size}; "
                                  "use fewer shapes, smaller sizes or a larger image_size")
    return boxes


def _scene(rng, size, kinds, cell, min_size, max_size, background, name):
    """(image, [(color, shape, box), ...]) for the given (color, shape) kinds."""
    from PIL import Image, ImageDraw

    _check(name, background in BACKGROUNDS, f"background={background!r} must be one of {', '.join(BACKGROUNDS)}")
    _check(name, 4 <= min_size <= max_size <= size, f"need 4 <= min_size={min_size} <= max_size={max_size} <= "
                                                    f"image_size={size}")
    image = _canvas(rng, size, size, background)
    # On a gradient, shapes are drawn half-transparent so the colour under them still tells where they are:
    # a position cue that lets a 2-layer model (whose only position signal is rotary) learn to ground.
    canvas = Image.new("RGB", image.size, (255, 255, 255)) if background == "gradient" else image
    draw = ImageDraw.Draw(canvas)
    objects = []
    for (color, shape), box in zip(kinds, _place(rng, len(kinds), size, cell, min_size, max_size, name)):
        draw_shape(draw, shape, box, COLORS[color])
        objects.append((color, shape, box))
    if background == "gradient":
        mask = Image.new("L", image.size, 0)
        for color, shape, box in objects:
            draw_shape(ImageDraw.Draw(mask), shape, box, 255)
        image = Image.composite(Image.blend(image, canvas, 0.5), image, mask)
    return image, objects


# --- grounding and detection ------------------------------------------------------------


def grounding(n: int = 200, seed: int = 0, image_size: int = 224, distractors: int = 2, cell: int | None = None,
              min_size: int = 24, max_size: int = 64, background: str = "plain", colors=tuple(COLORS),
              shapes=SHAPES) -> list[dict]:
    """Rows with `image`, `query` ("the red circle") and `bbox` (the shape's tight [x1, y1, x2, y2] in pixels).

    The named (colour, shape) appears once; `distractors` other shapes differ in colour
    or shape. With `cell` (e.g. image_size=112, cell=28, distractors=0) every shape fills
    one grid cell, so boxes are multiples of `cell`: a layout a 2-layer VLM can learn.
    """
    colors, shapes = _names("grounding", "colors", colors, COLORS), _names("grounding", "shapes", shapes, SHAPES)
    kinds_all = [(c, s) for c in colors for s in shapes]
    _check("grounding", 0 <= distractors < len(kinds_all), f"distractors={distractors} must be 0 to "
                                                           f"{len(kinds_all) - 1} (distinct colour-shape pairs)")
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        target = rng.choice(kinds_all)
        others = [rng.choice([k for k in kinds_all if k != target]) for _ in range(distractors)]
        image, objects = _scene(rng, image_size, [target, *others], cell, min_size, max_size, background, "grounding")
        color, shape, box = objects[0]
        rows.append({"image": image, "query": f"the {color} {shape}", "bbox": list(box)})
    return rows


def detection(n: int = 200, seed: int = 0, image_size: int = 224, max_objects: int = 4, cell: int | None = None,
              min_size: int = 20, max_size: int = 56, background: str = "plain", shapes=SHAPES) -> list[dict]:
    """Rows with `image`, `objects` ([{bbox, label}], the label a shape name) and `categories` (every shape)."""
    shapes = _names("detection", "shapes", shapes, SHAPES)
    _check("detection", isinstance(max_objects, int) and max_objects >= 1, f"max_objects={max_objects} must be >= 1")
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        kinds = [(rng.choice(list(COLORS)), rng.choice(shapes)) for _ in range(rng.randint(1, max_objects))]
        image, objects = _scene(rng, image_size, kinds, cell, min_size, max_size, background, "detection")
        rows.append({"image": image, "objects": [{"bbox": list(box), "label": shape} for _, shape, box in objects],
                     "categories": list(shapes)})
    return rows


# --- counting and geometry (mm_math) ------------------------------------------------------------


def mm_math(n: int = 200, seed: int = 0, image_size: int = 224, min_shapes: int = 2, max_shapes: int = 6,
            background: str = "plain", questions=("count", "total", "sides")) -> list[dict]:
    """Rows with `image`, `question`, `answer` (a number, as text) and `solution` (a short worked count).

    Questions: `count` ("How many red squares are in the image?"), `total` ("How many
    shapes ..."), `sides` (the sides of all the shapes together; a circle has none).
    """
    questions = _names("mm_math", "questions", questions, ("count", "total", "sides"))
    _check("mm_math", 1 <= min_shapes <= max_shapes, f"need 1 <= min_shapes={min_shapes} <= max_shapes={max_shapes}")
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        kinds = [(rng.choice(list(COLORS)), rng.choice(SHAPES)) for _ in range(rng.randint(min_shapes, max_shapes))]
        image, _ = _scene(rng, image_size, kinds, None, 18, 40, background, "mm_math")
        kind = rng.choice(questions)
        if kind == "count":
            color, shape = rng.choice(kinds) if rng.random() < 0.8 else (rng.choice(list(COLORS)), rng.choice(SHAPES))
            answer = sum(k == (color, shape) for k in kinds)
            question = f"How many {color} {shape}s are in the image?"
            solution = f"I look for {color} {shape}s and find {answer} of them."
        elif kind == "total":
            answer = len(kinds)
            question = "How many shapes are in the image?"
            solution = "Counting every shape: " + ", ".join(f"{c} {s}" for c, s in kinds) + f". That is {answer}."
        else:
            answer = sum(SIDES[s] for _, s in kinds)
            question = ("How many sides do all the shapes in the image have together? A circle has no sides, "
                        "a triangle 3 and a square 4.")
            solution = " + ".join(f"{SIDES[s]} ({s})" for _, s in kinds) + f" = {answer}."
        rows.append({"image": image, "question": question, "answer": str(answer), "solution": solution})
    return rows


# --- jigsaw sources ------------------------------------------------------------


JIGSAW_STYLES = ("gradient", "stripes", "shapes")


def jigsaw(n: int = 200, seed: int = 0, image_size: int = 112, styles=JIGSAW_STYLES, grid=None) -> list[dict]:
    """Rows with `image`: source pictures whose pieces are easy to tell apart (the `jigsaw` adapter cuts them).

    `gradient`: colours blend between four random corners, so every region differs;
    `stripes`: bands of random colours over a gradient; `shapes`: a few shapes on a gradient.
    `grid` ([rows, cols]) is written into every row, overriding the adapter's rows/cols:
    `by_difficulty` parts with growing grids make a Jigsaw-R1 size curriculum.
    """
    import numpy as np
    from PIL import Image, ImageDraw

    styles = _names("jigsaw", "styles", styles, JIGSAW_STYLES)
    _check("jigsaw", isinstance(image_size, int) and image_size >= 8, f"image_size={image_size} must be >= 8")
    _check("jigsaw", grid is None or (isinstance(grid, (list, tuple)) and len(grid) == 2 and all(isinstance(v, int) and 1 <= v <= image_size for v in grid)
                                      and grid[0] * grid[1] >= 2), f"grid={grid!r} must be [rows, cols], 2+ pieces")
    rng = random.Random(seed)
    t = np.linspace(0.0, 1.0, image_size)[:, None, None]
    u = np.linspace(0.0, 1.0, image_size)[None, :, None]
    rows = []
    for i in range(n):
        style = styles[i % len(styles)]
        c = np.array([[rng.randint(0, 255) for _ in range(3)] for _ in range(4)], dtype=float)
        pixels = (1 - t) * ((1 - u) * c[0] + u * c[1]) + t * ((1 - u) * c[2] + u * c[3])
        image = Image.fromarray(pixels.round().astype(np.uint8), "RGB")
        draw = ImageDraw.Draw(image)
        if style == "stripes":
            width = rng.randint(max(2, image_size // 16), max(3, image_size // 6))
            vertical = rng.random() < 0.5
            for start in range(rng.randint(0, width), image_size, 2 * width):
                color = tuple(rng.randint(0, 255) for _ in range(3))
                draw.rectangle((start, 0, start + width - 1, image_size) if vertical
                               else (0, start, image_size, start + width - 1), fill=color)
        elif style == "shapes":
            for _ in range(rng.randint(3, 6)):
                s = rng.randint(image_size // 8, image_size // 3)
                x, y = rng.randint(0, image_size - s), rng.randint(0, image_size - s)
                draw_shape(draw, rng.choice(SHAPES), (x, y, x + s, y + s), COLORS[rng.choice(list(COLORS))])
        rows.append({"image": image, **({"grid": list(grid)} if grid else {})})
    return rows


# --- GUI screenshots ------------------------------------------------------------


BUTTONS = ("Submit", "Cancel", "OK", "Save", "Delete", "Next", "Back", "Login", "Send", "Help")
FIELDS = ("Search", "Name", "Email", "City", "Message", "Password")
WORDS = ("hello", "paris", "blue", "r1kit", "42", "anna", "report", "tea")
GUI_KINDS = ("click", "type", "scroll")


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: the fixed bitmap font
        return ImageFont.load_default()


def gui_action(n: int = 200, seed: int = 0, width: int = 320, height: int = 240, widgets: int = 4,
               kinds=GUI_KINDS) -> list[dict]:
    """Rows with `image` (a form with labelled buttons and text fields), `instruction`, `action`, `bbox`, `text`.

    `click`: "Click the Submit button." (the button's box); `type`: "Type 'hello' into
    the Search field." (the field's box, the text); `scroll`: "Scroll down to see more."
    (no box, text "down" or "up").
    """
    from PIL import Image, ImageDraw

    kinds = _names("gui_action", "kinds", kinds, GUI_KINDS)
    _check("gui_action", isinstance(widgets, int) and 2 <= widgets <= 6, f"widgets={widgets} must be 2 to 6")
    _check("gui_action", width >= 200 and height >= 60 + 34 * widgets, f"a {width}x{height} screen is too small for "
                                                                       f"{widgets} widgets (height >= {60 + 34 * widgets})")
    font, title_font = _font(13), _font(15)
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        image = Image.new("RGB", (width, height), (245, 245, 248))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, width - 1, 27), fill=(60, 70, 90))
        draw.text((10, 6), rng.choice(("Settings", "Sign up", "Contact", "Order", "Profile")), fill="white",
                  font=title_font)
        n_fields = rng.randint(1, widgets - 1)
        fields, buttons = rng.sample(FIELDS, n_fields), rng.sample(BUTTONS, widgets - n_fields)
        placed = {"field": [], "button": []}
        y = 40
        for label in fields:
            draw.text((12, y + 6), label, fill=(30, 30, 30), font=font)
            box = (90, y, width - 16, y + 26)
            draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill="white", outline=(150, 150, 160))
            placed["field"].append((label, box))
            y += 34
        x = 12
        for label in buttons:
            w = int(draw.textlength(label, font=font)) + 24
            if x + w > width - 8:
                x, y = 12, y + 34
            box = (x, y, x + w, y + 26)
            draw.rounded_rectangle((box[0], box[1], box[2] - 1, box[3] - 1), radius=5, fill=(50, 110, 210))
            draw.text((x + 12, y + 6), label, fill="white", font=font)
            placed["button"].append((label, box))
            x += w + 10
        kind = rng.choice(kinds)
        if kind == "click":
            label, box = rng.choice(placed["button"])
            row = {"instruction": f"Click the {label} button.", "action": "click", "bbox": list(box), "text": None}
        elif kind == "type":
            label, box = rng.choice(placed["field"])
            word = rng.choice(WORDS)
            row = {"instruction": f"Type '{word}' into the {label} field.", "action": "type", "bbox": list(box),
                   "text": word}
        else:
            direction = rng.choice(("down", "up"))
            row = {"instruction": f"Scroll {direction} to see more.", "action": "scroll", "bbox": None,
                   "text": direction}
        rows.append({"image": image, **row})
    return rows


# --- classification ------------------------------------------------------------


WARMTH = {"red": "warm", "orange": "warm", "yellow": "warm", "green": "cool", "blue": "cool", "purple": "cool"}


def classification(n: int = 200, seed: int = 0, image_size: int = 64, target: str = "shape",
                   background: str = "plain", blind_spot: dict | None = None, blind_spot_rate: float = 0.0,
                   slip_rate: float = 0.0) -> list[dict]:
    """Rows with `image` (one shape), `label` (its shape, or its colour with target=color) and `labels` (the set).

    With target=warmth the label is `warm` (red, orange, yellow) or `cool` (green, blue,
    purple), and rows also get `color` and a `solution` that names the colour before the
    class: "<think>purple</think><answer>cool</answer>".

    A teacher that makes mistakes can write the labels, as in the quickstart's addition
    (r1kit/data/addition.py), so that RL with the true label can beat the cold start:
    - a blind spot: `blind_spot` maps what the image shows (a shape, or a colour unless
      target=shape) to the label the teacher gives it ({purple: warm}), which it says
      `blind_spot_rate` of the time, but not always;
    - random slips (`slip_rate`): another label, drawn at random.
    `label` (and the answer in `solution`) is then the teacher's; rows also get
    `true_label` and `teacher_correct`. A warmth teacher still names the colour right: its
    error is the rule, as a dropped carry is in the addition. The teacher draws from its
    own RNG, so the images are the same as without one.
    """
    _check("classification", target in ("shape", "color", "warmth"),
           f"target={target!r} must be 'shape', 'color' or 'warmth'")
    labels = {"shape": list(SHAPES), "color": list(COLORS), "warmth": ["warm", "cool"]}[target]
    seen = SHAPES if target == "shape" else tuple(COLORS)
    truth = {"shape": {s: s for s in SHAPES}, "color": {c: c for c in COLORS}, "warmth": WARMTH}[target]
    blind_spot = dict(blind_spot or {})
    _check("classification", all(k in seen and v in labels and v != truth[k] for k, v in blind_spot.items()),
           f"blind_spot={blind_spot!r} must map a {'shape' if target == 'shape' else 'colour'} "
           f"({', '.join(seen)}) to a wrong label among {', '.join(labels)}")
    for option, rate in (("blind_spot_rate", blind_spot_rate), ("slip_rate", slip_rate)):
        _check("classification", isinstance(rate, (int, float)) and 0 <= rate <= 1, f"{option}={rate!r} must be 0 to 1")
    teaching = bool(blind_spot and blind_spot_rate) or bool(slip_rate)
    rng, teacher = random.Random(seed), random.Random(f"classification-teacher-{seed}")
    rows = []
    for _ in range(n):
        color, shape = rng.choice(list(COLORS)), rng.choice(SHAPES)
        low = max(4, image_size // 4)
        image, _ = _scene(rng, image_size, [(color, shape)], None, low, max(low, image_size * 3 // 4), background,
                          "classification")
        shown = shape if target == "shape" else color
        label = truth[shown]
        row = {"image": image, "label": label, "labels": labels}
        if teaching:
            said = label
            if shown in blind_spot and teacher.random() < blind_spot_rate:
                said = blind_spot[shown]
            if teacher.random() < slip_rate:
                said = teacher.choice([x for x in labels if x != said])
            row.update(label=said, true_label=label, teacher_correct=said == label)
        if target == "warmth":
            row.update(color=color, solution=f"<think>{color}</think><answer>{row['label']}</answer>")
        rows.append(row)
    return rows


def frame_search(n: int = 200, seed: int = 0, frames: int = 4, image_size: int = 112, background: str = "shaded",
                 color: str = "blue") -> list[dict]:
    """Clips of `frames` frames (a `video` column, a list of PIL images) in which one frame shows a large shape;
    `label` is that frame's number (1-based), for the classification adapter. The other frames show the same
    background without it. `shaded` backgrounds change hue frame by frame, red to green (a clock in
    the picture, as a scene's light changes over a clip), and the shape is drawn half-transparent, so the
    tokens that show it also show the time: what lets a 2-layer model, whose only sense of order is rotary,
    learn the task (at 112 px per frame; at 56 px, 4 tokens a frame, it stayed at chance for 200 SFT
    steps). Backgrounds that only grew lighter did not work (23-31% after 200 steps, 25% is chance): the
    vision tower's LayerNorms normalise a uniform patch's brightness away, but not its hue."""
    _check("frame_search", frames >= 2, f"frames={frames} must be at least 2")
    _check("frame_search", background in ("shaded", "plain", "gradient"),  # noise would differ frame to frame
           f"background={background!r} must be shaded, plain or gradient")
    _check("frame_search", color in COLORS, f"color={color!r} must be one of {', '.join(COLORS)}")
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    labels = [str(k + 1) for k in range(frames)]
    rows = []
    for _ in range(n):
        if background == "shaded":  # red fades to green: a change of hue, which the vision tower's LayerNorms keep
            steps = [k / (frames - 1) for k in range(frames)]
            clip = [Image.new("RGB", (image_size, image_size), (int(230 - 180 * t), int(50 + 180 * t), 90))
                    for t in steps]
        else:
            clip = [_canvas(rng, image_size, image_size, background) for _ in range(frames)]
        at = rng.randrange(frames)
        low = max(4, image_size * 2 // 3)
        [box] = _place(rng, 1, image_size, None, low, image_size, "frame_search")
        shape = clip[at].copy()
        draw_shape(ImageDraw.Draw(shape), rng.choice(SHAPES), box, COLORS[color])
        clip[at] = Image.blend(clip[at], shape, 0.5)
        rows.append({"video": clip, "label": labels[at], "labels": labels})
    return rows
