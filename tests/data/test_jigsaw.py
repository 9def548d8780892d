"""The jigsaw adapter: shuffles that reassemble, fixed by seed and pixels, grids per row."""

import pytest
from PIL import Image

from r1kit.data.jigsaw import Jigsaw, jigsaw_shuffle
from r1kit.data.load import build_examples
from tests.data.cases import answer_of, picture, spec, target, user_text


def reassemble(shuffled: Image.Image, order: list[int], rows: int, cols: int) -> Image.Image:
    """Put the piece shown at position i back at original position order[i]."""
    pw, ph = shuffled.width // cols, shuffled.height // rows
    out = Image.new("RGB", shuffled.size)
    for i, p in enumerate(order):
        piece = shuffled.crop(((i % cols) * pw, (i // cols) * ph, (i % cols + 1) * pw, (i // cols + 1) * ph))
        out.paste(piece, ((p % cols) * pw, (p // cols) * ph))
    return out


@pytest.mark.parametrize("rows, cols, size", [(2, 2, (112, 112)), (3, 3, (99, 60)), (2, 3, (90, 40)),
                                              (1, 4, (64, 20)), (3, 2, (101, 77))])
def test_jigsaw_answer_reassembles_the_original_pixels(rows, cols, size):
    image = picture(*size, seed=rows * 10 + cols)
    ex = Jigsaw(rows=rows, cols=cols).example({"image": image})
    order, shuffled = ex["answer"], ex["images"][0]
    assert sorted(order) == list(range(rows * cols)) and order != sorted(order) and ex["grid"] == [rows, cols]
    kept = image.crop((0, 0, size[0] // cols * cols, size[1] // rows * rows))  # the remainder at right/bottom goes
    assert shuffled.size == kept.size and shuffled.tobytes() != kept.tobytes()
    assert reassemble(shuffled, order, rows, cols).tobytes() == kept.tobytes()
    assert answer_of(target(ex)) == order and f"{rows} rows and {cols} columns" in user_text(ex)


def test_jigsaw_order_is_fixed_by_seed_and_pixels():
    images = [picture(56, 56, seed=s) for s in range(12)]
    first = [jigsaw_shuffle(im, 3, 3, seed=0)[1] for im in images]
    assert first == [jigsaw_shuffle(im.copy(), 3, 3, seed=0)[1] for im in images]
    assert first != [jigsaw_shuffle(im, 3, 3, seed=1)[1] for im in images]
    assert len({tuple(o) for o in first}) > 6  # rows get different orders
    with pytest.raises(ValueError, match="too small for a 3x3 jigsaw"):
        jigsaw_shuffle(picture(2, 8), 3, 3)


def test_jigsaw_grid_per_row_makes_a_size_curriculum_with_by_difficulty():
    parts = [{"name": "jigsaw", "n": 3, "grid": [2, 2]}, {"name": "jigsaw", "n": 3, "seed": 1, "grid": [3, 3]}]
    ds, _ = build_examples(spec("jigsaw", generator={"name": "by_difficulty", "parts": parts}), "datasets.j")
    assert [len(a) for a in ds["answer"]] == [4, 4, 4, 9, 9, 9] and ds["difficulty"] == [0, 0, 0, 1, 1, 1]
    assert ds["grid"] == [[2, 2]] * 3 + [[3, 3]] * 3 and "grid of 3 rows and 3 columns" in user_text(ds[3])
    with pytest.raises(ValueError, match=r"column 'grid': grid \[1, 1\] is not \[rows, cols\]"):
        Jigsaw().example({"image": picture(8, 8), "grid": [1, 1]})
    with pytest.raises(ValueError, match=r"column 'grid': grid \[2\] is not a list of 2 numbers"):
        Jigsaw().example({"image": picture(8, 8), "grid": [2]})


def test_jigsaw_transpose_and_one_based_prompt_as_jigsaw_r1():
    """transpose: some 3x1 puzzles are cut 1x3 (Jigsaw-R1's shuffle_mn); one_based numbers the prompt from 1."""
    template = "{rows}x{cols}, from {first} ({first_side}) to {last} ({last_side}):\n{layout}"
    adapter = Jigsaw(rows=3, cols=1, transpose=0.5, one_based=True, prompt_template=template)
    examples = [adapter.example({"image": picture(60, 60, seed=s)}) for s in range(16)]
    grids = [ex["grid"] for ex in examples]
    assert {tuple(g) for g in grids} == {(3, 1), (1, 3)}
    assert grids == [adapter.example({"image": picture(60, 60, seed=s)})["grid"] for s in range(16)]
    tall = next(ex for ex in examples if ex["grid"] == [3, 1])
    wide = next(ex for ex in examples if ex["grid"] == [1, 3])
    assert user_text(tall) == "3x1, from 1 (top) to 3 (bottom):\n1\n2\n3"
    assert user_text(wide) == "1x3, from 1 (left) to 3 (right):\n1 2 3"
    assert answer_of(target(wide)) == [p + 1 for p in wide["answer"]] and sorted(wide["answer"]) == [0, 1, 2]
    square = Jigsaw(rows=2, cols=2, transpose=1.0, prompt_template=template).example({"image": picture(40, 40)})
    assert user_text(square) == "2x2, from 0 (top-left) to 3 (bottom-right):\n0 1\n2 3"
    assert {tuple(Jigsaw(rows=3, cols=1).example({"image": picture(60, 60, seed=s)})["grid"]) for s in range(8)} == {(3, 1)}
    with pytest.raises(TypeError, match=r"transpose=1.5 must be a probability in \[0, 1\]"):
        Jigsaw(transpose=1.5)
