"""The visual adapters (mm_math, grounding, detection, jigsaw, gui_action, classification) and their generators."""

import json
import re

import datasets
import numpy as np
import pytest
from PIL import Image

from r1kit.data.adapters import ADAPTERS, R1_SYSTEM_PROMPT
from r1kit.data.load import GENERATORS, build_examples
from r1kit.data.visual import (
    Classification,
    Detection,
    Grounding,
    GuiAction,
    Jigsaw,
    MMMath,
    jigsaw_shuffle,
    smart_resize,
)
from r1kit.data.visual_tasks import COLORS, classification, detection, grounding, gui_action, jigsaw, mm_math
from r1kit.errors import UserError

VISUAL = ("mm_math", "grounding", "detection", "jigsaw", "gui_action", "classification")


def spec(adapter: str, **kw) -> dict:
    """A dataset spec with every DatasetSchema default filled in, as validate() returns it."""
    return {"adapter": adapter, "path": None, "generator": None, "subset": None, "split": "train",
            "columns": {}, "options": {}, "limit": None, **kw}


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def picture(width: int, height: int, seed: int = 0) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB")


def user_text(example) -> str:
    return "".join(part["text"] for part in example["prompt"][-1]["content"] if part["type"] == "text")


def target(example) -> str:
    return example["messages"][-1]["content"][0]["text"]


def answer_of(text: str):
    return json.loads(re.search(r"<answer>(.*)</answer>", text).group(1))


# --- smart_resize and coordinates --------------------------------------------------------------------


def test_smart_resize_by_hand():
    # 640x480: 480/28 = 17.1 -> 476, 640/28 = 22.9 -> 644, and 476 * 644 = 306544 is within Qwen2.5-VL's bounds
    assert smart_resize(480, 640) == (476, 644)
    # max_pixels 100000: beta = sqrt(307200 / 100000) = 1.7527; floor(480 / 1.7527 / 28) = 9 -> 252, 13 -> 364
    assert smart_resize(480, 640, max_pixels=100_000) == (252, 364)
    # 30x20 is below min_pixels 3136: beta = sqrt(3136 / 600) = 2.286; ceil(20 * 2.286 / 28) = 2 -> 56, 3 -> 84
    assert smart_resize(20, 30) == (56, 84)
    assert smart_resize(112, 112, max_pixels=112 * 112) == (112, 112)  # the tiny VLM's images stay as they are
    with pytest.raises(ValueError, match="aspect ratio over 200"):
        smart_resize(10, 2500)


def test_smart_resize_matches_the_qwen2_vl_image_processor():
    processor_module = pytest.importorskip("transformers.models.qwen2_vl.image_processing_pil_qwen2_vl")
    for h, w in [(480, 640), (1080, 1920), (37, 501), (20, 30), (3000, 4000), (112, 112)]:
        for max_pixels in (12845056, 1003520, 100_000, 112 * 112):
            assert smart_resize(h, w, 28, 3136, max_pixels) == processor_module.smart_resize(h, w, 28, 3136, max_pixels)
    processor = processor_module.Qwen2VLImageProcessorPil(min_pixels=3136, max_pixels=100_000)
    grid = processor(images=[picture(640, 480)], return_tensors="np")["image_grid_thw"][0]
    assert (int(grid[1]) * 14, int(grid[2]) * 14) == smart_resize(480, 640, max_pixels=100_000)


BOX_ROW = {"image": picture(640, 480), "query": "the cat on the left", "bbox": [64, 48, 320, 240]}


@pytest.mark.parametrize("options, box", [
    ({}, [64.4, 47.6, 322.0, 238.0]),  # x * 644/640, y * 476/480
    ({"max_pixels": 100_000}, [36.4, 25.2, 182.0, 126.0]),  # x * 364/640, y * 252/480
    ({"coordinates": "normalized"}, [100.0, 100.0, 500.0, 500.0]),  # x / 640 * 1000, y / 480 * 1000
    ({"coordinates": "original"}, [64.0, 48.0, 320.0, 240.0]),
])
def test_grounding_boxes_in_each_coordinate_space(options, box):
    ex = Grounding(**options).example(BOX_ROW)
    assert ex["answer"] == box and ex["task"] == "grounding" and len(ex["images"]) == 1
    assert answer_of(target(ex)) == [round(v) for v in box]


def test_grounding_reads_xywh_fractions_and_clips_to_the_image():
    xyxy = Grounding(coordinates="original").example(BOX_ROW)["answer"]
    assert Grounding(coordinates="original", box_format="xywh").example(
        {**BOX_ROW, "bbox": [64, 48, 256, 192]})["answer"] == xyxy
    assert Grounding(coordinates="original", box_scale=1).example(
        {**BOX_ROW, "bbox": [0.1, 0.1, 0.5, 0.5]})["answer"] == xyxy
    assert Grounding(coordinates="original", box_scale=1000, box_format="xywh").example(
        {**BOX_ROW, "bbox": "[100, 100, 400, 400]"})["answer"] == xyxy  # a JSON string from a CSV works too
    assert Grounding(coordinates="original").example({**BOX_ROW, "bbox": [-5, 0, 700, 480]})["answer"] == [
        0.0, 0.0, 640.0, 480.0]


def test_grounding_prompt_names_the_coordinate_space():
    assert user_text(Grounding().example(BOX_ROW)) == (
        "Please provide the bounding box coordinate of the region this sentence describes: the cat on the left. "
        "Answer with [x1, y1, x2, y2] in pixel coordinates of the image.")
    assert "scaled to 0-1000" in user_text(Grounding(coordinates="normalized").example(BOX_ROW))
    assert "of the original 640x480 image" in user_text(Grounding(coordinates="original").example(BOX_ROW))
    custom = Grounding(prompt_template="Find {query} ({width}x{height}).", system_prompt=None).example(BOX_ROW)
    assert custom["prompt"] == [{"role": "user", "content": [{"type": "image"},
                                                             {"type": "text", "text": "Find the cat on the left "
                                                                                      "(640x480)."}]}]


@pytest.mark.parametrize("bbox, message", [
    ([10, 10, 5, 20], r"column 'bbox': box \[10, 10, 5, 20\] is empty or outside the 640x480 image once read as xyxy"),
    ([700, 500, 800, 600], r"outside the 640x480 image"),
    ([1, 2, 3], r"column 'bbox': box \[1, 2, 3\] is not a list of 4 numbers"),
    (None, r"box None is not a list of 4 numbers"),
])
def test_grounding_bad_boxes(bbox, message):
    with pytest.raises(ValueError, match=message):
        Grounding().example({**BOX_ROW, "bbox": bbox})


# --- detection ------------------------------------------------------------------------------------


def test_detection_objects_or_parallel_columns():
    image = picture(640, 480)
    objects = [{"bbox": [64, 48, 256, 192], "category": "cat"}, {"box": [0, 0, 64, 96], "label": "dog"}]
    ex = Detection(box_format="xywh", coordinates="normalized").example({"image": image, "objects": objects})
    assert ex["answer"] == [{"bbox_2d": [100.0, 100.0, 500.0, 500.0], "label": "cat"},
                            {"bbox_2d": [0.0, 0.0, 100.0, 200.0], "label": "dog"}]
    assert "these categories in the image: cat, dog." in user_text(ex)
    assert answer_of(target(ex)) == [{"bbox_2d": [100, 100, 500, 500], "label": "cat"},
                                     {"bbox_2d": [0, 0, 100, 200], "label": "dog"}]
    same = Detection(coordinates="normalized", columns={"boxes": "b", "labels": "l"}).example(
        {"image": image, "b": [[64, 48, 320, 240], [0, 0, 64, 96]], "l": ["cat", "dog"],
         "categories": ["cat", "dog", "bird"]})
    assert same["answer"] == ex["answer"] and "cat, dog, bird" in user_text(same)
    with pytest.raises(ValueError, match="object 0 has no label"):
        Detection().example({"image": image, "objects": [{"bbox": [0, 0, 5, 5]}]})


# --- jigsaw -------------------------------------------------------------------------------------


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


# --- gui_action -------------------------------------------------------------------------------------


def test_gui_action_boxes_rescaled_like_grounding():
    row = {"image": picture(640, 480), "instruction": "Click Submit", "action": "Click", "bbox": [64, 48, 320, 240]}
    ex = GuiAction().example(row)
    assert ex["answer"] == {"action": "click", "bbox": [64.4, 47.6, 322.0, 238.0], "text": None}
    assert answer_of(target(ex)) == {"action": "click", "point": [193, 143], "text": None}
    assert user_text(ex).startswith("Click Submit\nChoose the next action from: click, type, scroll,")
    normalized = GuiAction(coordinates="normalized", box_format="xywh").example(
        {**row, "bbox": [64, 48, 256, 192], "text": ""})
    assert normalized["answer"] == {"action": "click", "bbox": [100.0, 100.0, 500.0, 500.0], "text": None}


def test_gui_action_as_a_mapping_and_without_a_box():
    image = picture(320, 240)
    ex = GuiAction().example({"image": image, "instruction": "Scroll down", "action": {"action": "scroll",
                                                                                       "text": "down"}})
    assert ex["answer"] == {"action": "scroll", "bbox": None, "text": "down"}
    assert answer_of(target(ex)) == {"action": "scroll", "point": None, "text": "down"}
    with pytest.raises(ValueError, match=r"action 'swipe' is not one of click, type.*options.actions"):
        GuiAction().example({"image": image, "instruction": "Swipe", "action": "swipe"})
    assert GuiAction(actions=["swipe"]).example({"image": image, "instruction": "Swipe", "action": "swipe"})[
        "answer"]["action"] == "swipe"


# --- classification and mm_math --------------------------------------------------------------------------


def test_classification_label_set_in_the_prompt():
    image = picture(32, 32)
    ex = Classification(labels=["cat", "dog", "bird"]).example({"image": image, "label": "dog"})
    assert ex["answer"] == "dog" and ex["labels"] == ["cat", "dog", "bird"]
    assert "cat, dog, bird" in user_text(ex) and answer_of(target(ex).replace("dog", '"dog"')) == "dog"
    assert Classification(labels=["cat", "dog"]).example({"image": image, "label": 1})["answer"] == "dog"
    from_column = Classification().example({"image": image, "label": "b", "labels": ["a", "b"]})
    assert from_column["labels"] == ["a", "b"] and "a, b" in user_text(from_column)
    with pytest.raises(ValueError, match=r"'fish' is not in the label set \['cat', 'dog'\]"):
        Classification(labels=["cat", "dog"]).example({"image": image, "label": "fish"})
    with pytest.raises(ValueError, match="index 5 is outside the 2 labels"):
        Classification(labels=["cat", "dog"]).example({"image": image, "label": 5})


def test_mm_math_gold_and_target_like_math_qa_with_several_images():
    a, b = picture(20, 20, 1), picture(30, 10, 2)
    ex = MMMath().example({"images": [a, b], "question": "Add the counts.", "solution": r"3 + 4 = \boxed{7}"})
    assert ex["answer"] == "7" and [im.size for im in ex["images"]] == [(20, 20), (30, 10)]
    assert ex["prompt"][0] == {"role": "system", "content": [{"type": "text", "text": R1_SYSTEM_PROMPT}]}
    assert ex["prompt"][1]["content"] == [{"type": "image"}, {"type": "image"},
                                          {"type": "text", "text": "Add the counts."}]
    assert target(ex) == r"<think>3 + 4 = \boxed{7}</think><answer>7</answer>"
    assert "messages" not in MMMath().example({"image": a, "question": "2+2?", "answer": "4"})
    marked = MMMath(system_prompt=None).example({"images": [a, b], "question": "Left <image> right <image> sum?",
                                                 "answer": "#### 12"})
    assert marked["answer"] == "12" and marked["prompt"][0]["content"] == [
        {"type": "text", "text": "Left"}, {"type": "image"}, {"type": "text", "text": "right"}, {"type": "image"},
        {"type": "text", "text": "sum?"}]
    with pytest.raises(ValueError, match=r"2 <image> markers but the row has 1 image"):
        MMMath().example({"image": a, "question": "<image><image> ?", "answer": "1"})


# --- through build_examples: the dataset, the registry, user errors ------------------------------------------


def test_adapters_and_generators_are_registered():
    assert set(VISUAL) <= set(ADAPTERS) and set(VISUAL) <= set(GENERATORS)
    assert {n: ADAPTERS[n].metric for n in VISUAL} == {
        "mm_math": "math_accuracy", "grounding": "iou", "detection": "detection", "jigsaw": "jigsaw_position",
        "gui_action": "gui_action", "classification": "class_match"}
    assert all(ADAPTERS[n].default_generator == {"name": n} for n in VISUAL)


@pytest.mark.parametrize("name", VISUAL)
def test_default_generator_builds_a_dataset_with_the_row_contract(name):
    ds, adapter = build_examples(spec(name, generator={"name": name, "n": 6, "seed": 3}), f"datasets.{name}")
    assert len(ds) == 6 and ds.features["images"] == datasets.List(datasets.Image(mode="RGB"))
    row = ds[0]
    assert isinstance(row["images"][0], Image.Image) and row["images"][0].mode == "RGB"
    assert row["task"] == name and adapter.name == name
    for message in row["prompt"] + row["messages"]:  # every content is a list of parts, the system prompt too
        assert isinstance(message["content"], list)
        assert all(part["type"] in ("text", "image") for part in message["content"])
    placeholders = sum(part["type"] == "image" for m in row["prompt"] for part in m["content"])
    assert placeholders == len(row["images"]) and row["messages"][:-1] == row["prompt"]
    assert re.fullmatch(r"<think>.+</think><answer>.+</answer>", target(row), flags=re.DOTALL)
    from trl.data_utils import prepare_multimodal_messages

    filled = prepare_multimodal_messages(row["prompt"], row["images"])  # what TRL does with the row
    assert [p["image"] for m in filled for p in m["content"] if p["type"] == "image"] == row["images"]


@pytest.mark.parametrize("name", VISUAL)
def test_cold_start_targets_score_full_marks_with_the_metric_reward(name):
    from r1kit.rewards import resolve

    ds, adapter = build_examples(spec(name, generator={"name": name, "n": 24, "seed": 7}), name)
    columns = {k: list(ds[k]) for k in ds.column_names if k not in ("prompt", "task", "images", "messages")}
    targets = [target(row) for row in ds]
    best = 2.0 if name == "detection" else 1.0  # detection: R_IoU + R_conf
    assert resolve(adapter.metric)(targets, **columns) == [best] * 24
    assert resolve("think_format")(targets, **columns) == [1.0] * 24
    others = resolve(adapter.metric)(targets[1:] + targets[:1], **columns)  # each row answered with the next one's
    assert sum(others) < 0.8 * best * 24


def test_answers_survive_arrow_in_their_contract_shapes():
    def first(name, **options):
        ds, _ = build_examples(spec(name, generator={"name": name, "n": 20, "seed": 0}, options=options), name)
        return ds

    assert all(len(a) == 4 and all(isinstance(v, float) for v in a) for a in first("grounding")["answer"])
    jig = first("jigsaw", rows=3, cols=2)
    assert all(sorted(a) == list(range(6)) for a in jig["answer"]) and jig[0]["grid"] == [3, 2]
    gui = first("gui_action")["answer"]
    assert {a["action"] for a in gui} == {"click", "type", "scroll"}
    assert all((a["bbox"] is None) == (a["action"] == "scroll") for a in gui)
    assert all(set(o) == {"bbox_2d", "label"} for a in first("detection")["answer"] for o in a)
    assert set(first("classification")["answer"]) <= {"circle", "square", "triangle"}
    assert all(a.isdigit() for a in first("mm_math")["answer"])


@pytest.mark.parametrize("adapter, rows, options, message", [
    ("grounding", [{"image": "x.png", "query": "the cat"}], {},
     r"the `grounding` adapter needs bbox \(column 'bbox'\), but the data has columns \['image', 'query'\]"),
    ("grounding", [{"picture": "x.png", "query": "q", "bbox": [0, 0, 1, 1]}], {},
     r"needs images: a column 'image' \(one per row\) or 'images' \(a list\).*columns: \{image: <your column>\}"),
    ("classification", [{"image": "x.png", "label": "cat"}], {},
     r"needs the label set: a column 'labels' or `options: \{labels: \[cat, dog, ...\]\}`"),
    ("detection", [{"image": "x.png", "labels": ["a"]}], {}, r"needs a column 'objects'.*or columns 'boxes' and"),
    ("mm_math", [{"image": "x.png", "question": "q"}], {}, r"needs an answer: a column 'answer' or a solution"),
    ("grounding", [{"image": "x.png", "query": "q", "bbox": [0, 0, 1, 1]}], {"coordinates": "pixels"},
     r"options: the `grounding` adapter option coordinates='pixels' must be one of absolute, normalized, original"),
    ("grounding", [{"image": "x.png", "query": "q", "bbox": [0, 0, 1, 1]}], {"box_format": "cxcywh"},
     r"box_format='cxcywh' must be one of xyxy, xywh"),
    ("grounding", [{"image": "x.png", "query": "q", "bbox": [0, 0, 1, 1]}], {"max_pixels": 0},
     r"max_pixels=0 must be a positive integer"),
    ("grounding", [{"image": "x.png", "query": "q", "bbox": [0, 0, 1, 1]}], {"prompt_template": "{nope}"},
     r"prompt_template='\{nope\}' must be a text whose placeholders are among \{query\}, \{space\}"),
    ("jigsaw", [{"image": "x.png"}], {"rows": 1, "cols": 1}, r"rows x cols is at least 2"),
    ("jigsaw", [{"image": "x.png"}], {"rows": 0}, r"option rows=0 must be a positive integer"),
    ("jigsaw", [{"image": "x.png"}], {"grid": 3}, r"unexpected keyword argument\(s\) \['grid'\]"),
    ("classification", [{"image": "x.png", "label": "a"}], {"labels": "cat,dog"},
     r"labels='cat,dog' must be a non-empty list"),
    ("classification", [{"image": "x.png", "label": "a"}], {"image_root": "/no/such/dir"},
     r"image_root='/no/such/dir' must be an existing folder"),
    ("gui_action", [{"image": "x.png", "instruction": "i", "action": "click"}], {"actions": []},
     r"actions=\[\] must be a non-empty list"),
])
def test_user_errors_for_missing_columns_and_bad_options(tmp_path, adapter, rows, options, message):
    picture(8, 8).save(tmp_path / "x.png")
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    with pytest.raises(UserError, match=message):
        build_examples(spec(adapter, path=path, options=options), "datasets.v")


def test_a_bad_row_names_the_file_and_row(tmp_path):
    picture(64, 48).save(tmp_path / "x.png")
    rows = [{"image": "x.png", "query": "q", "bbox": [0, 0, 10, 10]}, {"image": "x.png", "query": "q", "bbox": [1, 2]}]
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    with pytest.raises(UserError, match=rf"\({re.escape(path)}\), row 1: column 'bbox': box \[1, 2\] is not a list"):
        build_examples(spec("grounding", path=path), "datasets.v")
    rows = [{"images": ["x.png", "x.png"], "query": "q", "bbox": [0, 0, 10, 10]}]
    with pytest.raises(UserError, match=r"row 0: column 'images' has 2 images; the `grounding` adapter needs exactly "
                                        "one per row"):
        build_examples(spec("grounding", path=write_jsonl(tmp_path / "two.jsonl", rows)), "datasets.v")


@pytest.mark.parametrize("generator, message", [
    ({"name": "grounding", "image_size": 100, "cell": 28}, r"image_size=100 must be a multiple of cell=28"),
    ({"name": "grounding", "distractors": 99}, r"distractors=99 must be 0 to 17"),
    ({"name": "grounding", "background": "sky"}, r"background='sky' must be one of plain, noise"),
    ({"name": "grounding", "colors": ["teal"]}, r"colors=\['teal'\] must be a non-empty list drawn from red"),
    ({"name": "classification", "target": "size"}, r"target='size' must be 'shape' or 'color'"),
    ({"name": "gui_action", "widgets": 9}, r"widgets=9 must be 2 to 6"),
    ({"name": "jigsaw", "styles": ["plaid"]}, r"styles=\['plaid'\]"),
    ({"name": "mm_math", "tens": 3}, r"unexpected keyword argument 'tens'"),
])
def test_generator_option_errors_are_user_errors(generator, message):
    adapter = generator["name"]
    with pytest.raises(UserError, match=rf"datasets\.v\.generator: {adapter} generator: {message}"
                       if "unexpected" not in message else message):
        build_examples(spec(adapter, generator={**generator, "n": 2}), "datasets.v")


# --- generators --------------------------------------------------------------------------------------


def as_comparable(rows):
    return [{k: (v.tobytes(), v.size) if isinstance(v, Image.Image) else v for k, v in r.items()} for r in rows]


@pytest.mark.parametrize("generate, kwargs", [
    (mm_math, {}), (grounding, {}), (grounding, {"background": "noise", "cell": 28, "image_size": 112}),
    (detection, {}), (jigsaw, {}), (gui_action, {}), (classification, {"target": "color"}),
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


def test_quickstart_grounding_layout_through_the_adapter():
    ds, _ = build_examples(spec("grounding", generator={"name": "grounding", "n": 40, "image_size": 112, "cell": 28,
                                                        "distractors": 0}), "datasets.q")
    boxes = {tuple(a) for a in ds["answer"]}
    assert all(v in (0.0, 28.0, 56.0, 84.0, 112.0) for box in boxes for v in box)  # 112 px stays 112 px
    assert len(boxes) > 8


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


def test_grounding_brief_trace_is_a_short_target_with_the_same_answer():
    kwargs = {"generator": {"name": "grounding", "n": 4, "image_size": 112, "cell": 28, "distractors": 0}}
    full, _ = build_examples(spec("grounding", **kwargs), "datasets.a")
    brief, _ = build_examples(spec("grounding", options={"trace": "brief"}, **kwargs), "datasets.b")
    for a, b in zip(full, brief):
        assert answer_of(target(a)) == answer_of(target(b)) == [round(v) for v in a["answer"]]
        assert re.fullmatch(r"<think>[a-z ]+</think><answer>\[[0-9, ]+\]</answer>", target(b))
        assert len(target(b)) < len(target(a)) / 2
    with pytest.raises(UserError, match="trace='long'"):
        build_examples(spec("grounding", options={"trace": "long"}, **kwargs), "datasets.c")
