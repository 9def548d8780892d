"""The synthetic visual generators (r1kit.data.visual_tasks): seeded, drawn where their answers say."""

import numpy as np
import pytest
from PIL import Image

from r1kit.data.load import build_examples
from r1kit.data.visual_tasks import COLORS, WARMTH, classification, detection, grounding, gui_action, jigsaw, mm_math
from r1kit.errors import UserError
from tests.data.cases import spec


@pytest.mark.parametrize("generator, message", [
    ({"name": "grounding", "image_size": 100, "cell": 28}, r"image_size=100 must be a multiple of cell=28"),
    ({"name": "grounding", "distractors": 99}, r"distractors=99 must be 0 to 17"),
    ({"name": "grounding", "background": "sky"}, r"background='sky' must be one of plain, noise"),
    ({"name": "grounding", "colors": ["teal"]}, r"colors=\['teal'\] must be a non-empty list drawn from red"),
    ({"name": "classification", "target": "size"}, r"target='size' must be 'shape', 'color' or 'warmth'"),
    ({"name": "classification", "target": "warmth", "blind_spot": {"purple": "cool"}},
     r"blind_spot=\{'purple': 'cool'\} must map a colour \(red, .*\) to a wrong label among warm, cool"),
    ({"name": "classification", "blind_spot": {"square": "hexagon"}}, r"blind_spot=.* must map a shape"),
    ({"name": "classification", "slip_rate": 1.5}, r"slip_rate=1.5 must be 0 to 1"),
    ({"name": "gui_action", "widgets": 9}, r"widgets=9 must be 2 to 6"),
    ({"name": "jigsaw", "styles": ["plaid"]}, r"styles=\['plaid'\]"),
    ({"name": "mm_math", "tens": 3}, r"unexpected keyword argument 'tens'"),
])
def test_generator_option_errors_are_user_errors(generator, message):
    adapter = generator["name"]
    with pytest.raises(UserError, match=rf"datasets\.v\.generator: {adapter} generator: {message}"
                       if "unexpected" not in message else message):
        build_examples(spec(adapter, generator={**generator, "n": 2}), "datasets.v")


def as_comparable(rows):
    return [{k: (v.tobytes(), v.size) if isinstance(v, Image.Image) else v for k, v in r.items()} for r in rows]


@pytest.mark.parametrize("generate, kwargs", [
    (mm_math, {}), (grounding, {}), (grounding, {"background": "noise", "cell": 28, "image_size": 112}),
    (detection, {}), (jigsaw, {}), (gui_action, {}), (classification, {"target": "color"}),
    (classification, {"target": "warmth", "blind_spot": {"purple": "warm"}, "blind_spot_rate": 0.8, "slip_rate": 0.1}),
])
def test_every_generator_is_deterministic_by_seed(generate, kwargs):
    first = as_comparable(generate(n=8, seed=5, **kwargs))
    assert first == as_comparable(generate(n=8, seed=5, **kwargs))
    assert first != as_comparable(generate(n=8, seed=6, **kwargs))
    assert len({r["image"][0] for r in first}) == 8  # eight different pictures


def shape_pixels(image: Image.Image, color: str) -> np.ndarray:
    return np.all(np.asarray(image) == np.array(COLORS[color], dtype=np.uint8), axis=2)


def tight_box(mask: np.ndarray) -> list[int]:
    ys, xs = np.nonzero(mask)
    return [int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1]


def test_grounding_boxes_are_tight_around_the_named_shape():
    for row in grounding(n=30, seed=1, distractors=3):
        color = row["query"].split()[1]
        mask = shape_pixels(row["image"], color)
        x1, y1, x2, y2 = row["bbox"]
        inside = mask[y1:y2, x1:x2]
        assert tight_box(inside) == [0, 0, x2 - x1, y2 - y1]  # the shape touches all four sides of its box
    for row in grounding(n=30, seed=2, image_size=112, cell=28, distractors=0):
        assert all(v % 28 == 0 for v in row["bbox"]) and row["bbox"][2] - row["bbox"][0] == 28
        color = row["query"].split()[1]
        assert tight_box(shape_pixels(row["image"], color)) == row["bbox"]  # the only shape: its box is the cell


def test_gui_targets_are_drawn_where_their_boxes_say():
    rows = gui_action(n=40, seed=0)
    for row in rows:
        if row["bbox"] is None:
            assert row["action"] == "scroll" and row["text"] in ("down", "up")
            continue
        x1, y1, x2, y2 = row["bbox"]
        region = np.asarray(row["image"])[y1:y2, x1:x2]
        if row["action"] == "type":
            assert f"'{row['text']}'" in row["instruction"]
            assert np.all(region[3:-3, 3:-3] == 255)  # an empty white field
        else:
            assert row["instruction"].startswith("Click the ")
            assert (np.asarray(region) == np.array([50, 110, 210], dtype=np.uint8)).all(axis=2).mean() > 0.5


def test_mm_math_answers_follow_from_the_drawn_shapes():
    for row in mm_math(n=40, seed=4, questions=["total"], background="plain"):
        drawn = sum(shape_pixels(row["image"], c).any() for c in COLORS)  # colours present <= shapes drawn
        assert 1 <= drawn <= int(row["answer"])
    rows = mm_math(n=40, seed=4)
    assert {r["question"].split()[0] for r in rows} == {"How"} and all(r["answer"] in r["solution"] for r in rows)


def test_gradient_background_keeps_a_position_cue_under_each_shape():
    """The quickstart's scenes: the colour under a shape still says where it is, so equal shapes in two cells differ."""
    rows = grounding(n=40, seed=5, image_size=112, cell=28, distractors=0, background="gradient", colors=["blue"],
                     shapes=["square"])
    seen = {}
    for row in rows:
        x1, y1, x2, y2 = row["bbox"]
        pixels = np.asarray(row["image"]).astype(int)
        inside = pixels[y1:y2, x1:x2]
        assert inside[..., 2].min() >= 100 and pixels[..., 2].sum() == inside[..., 2].sum()  # blue only on the shape
        left, top = inside[14, 0, 0], inside[0, 14, 1]  # red grows to the right, green downwards, under the shape too
        assert abs(left - (40 + 255 * x1 / 111) / 2) <= 2 and abs(top - (80 + 255 * y1 / 111) / 2) <= 2  # blue: (40, 80, 220)
        seen.setdefault(tuple(row["bbox"]), inside.tobytes())
    assert len(set(seen.values())) == len(seen) > 8


def test_classification_labels_name_the_drawn_shape_colour_and_warmth():
    shapes = classification(n=30, seed=2)
    colors, warmth = classification(n=30, seed=2, target="color"), classification(n=30, seed=2, target="warmth")
    for s, c, w in zip(shapes, colors, warmth):
        assert s["image"].tobytes() == c["image"].tobytes() == w["image"].tobytes()  # the target changes the label only
        assert shape_pixels(c["image"], c["label"]).any() and w["labels"] == ["warm", "cool"]
        assert w["color"] == c["label"] and w["label"] == WARMTH[c["label"]]
        assert w["solution"] == f"<think>{c['label']}</think><answer>{w['label']}</answer>"
        assert s["label"] in ("circle", "square", "triangle") and "true_label" not in s  # no teacher: no teacher columns


def test_classification_teacher_has_a_blind_spot_and_slips_on_the_same_images():
    clean = classification(n=600, seed=3, target="warmth")
    taught = classification(n=600, seed=3, target="warmth", blind_spot={"purple": "warm", "green": "warm"},
                            blind_spot_rate=0.8, slip_rate=0.05)
    assert [r["image"].tobytes() for r in clean] == [r["image"].tobytes() for r in taught]
    for r, t in zip(clean, taught):
        assert t["true_label"] == r["label"] and t["teacher_correct"] == (t["label"] == r["label"])
        assert t["solution"] == f"<think>{r['color']}</think><answer>{t['label']}</answer>"  # the colour is always right
    blind = [t for t in taught if t["color"] in ("purple", "green")]
    others = [t for t in taught if t["color"] not in ("purple", "green")]
    assert 0.7 < sum(t["label"] == "warm" for t in blind) / len(blind) < 0.9  # says "warm", but not always
    assert 0.01 < sum(not t["teacher_correct"] for t in others) / len(others) < 0.1  # the slips
    always = classification(n=100, seed=3, target="color", blind_spot={"orange": "yellow"}, blind_spot_rate=1.0)
    assert all(r["label"] == ("yellow" if r["true_label"] == "orange" else r["true_label"]) for r in always)
    slips = classification(n=50, seed=3, slip_rate=1.0)
    assert not any(r["teacher_correct"] for r in slips) and {r["label"] for r in slips} <= {"circle", "square", "triangle"}
