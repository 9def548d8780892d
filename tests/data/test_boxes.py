"""Box answers: Qwen-VL's resize, the three coordinate spaces, grounding and detection."""

import re

import pytest

from r1kit.data.boxes import Detection, Grounding, smart_resize
from r1kit.data.load import build_examples
from r1kit.errors import UserError
from tests.data.cases import answer_of, picture, spec, target, user_text


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


def test_quickstart_grounding_layout_through_the_adapter():
    ds, _ = build_examples(spec("grounding", generator={"name": "grounding", "n": 40, "image_size": 112, "cell": 28,
                                                        "distractors": 0}), "datasets.q")
    boxes = {tuple(a) for a in ds["answer"]}
    assert all(v in (0.0, 28.0, 56.0, 84.0, 112.0) for box in boxes for v in box)  # 112 px stays 112 px
    assert len(boxes) > 8


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


def test_detection_shows_the_row_s_own_question():
    """Datasets that ship their prompts (VLM-R1 OVD, Visual-RFT) give them in `question`; {question} shows it."""
    image = picture(640, 480)
    adapter = Detection(coordinates="original", system_prompt=None, prompt_template="Think first.\n{question}")
    ex = adapter.example({"image": image, "question": " Detect the cats. ",
                          "objects": [{"bbox": [64, 48, 320, 240], "label": "cat"}]})
    assert user_text(ex) == "Think first.\nDetect the cats."
    assert ex["answer"] == [{"bbox_2d": [64.0, 48.0, 320.0, 240.0], "label": "cat"}]
    # nothing asked for is in the image: an empty answer, which a question still asks for
    empty = adapter.example({"image": image, "question": "Detect the dogs.", "objects": []})
    assert empty["answer"] == [] and answer_of(target(empty)) == []
    with pytest.raises(ValueError, match="column 'question' is empty"):
        adapter.example({"image": image, "question": "  ", "objects": []})
    with pytest.raises(ValueError, match="no objects and no 'categories'"):
        Detection().example({"image": image, "question": "Detect the dogs.", "objects": []})
    with pytest.raises(TypeError, match="placeholders are among"):
        Detection(prompt_template="{query}")


def test_grounding_with_several_images_reads_the_box_against_box_image():
    """Multi-image grounding (UniVG-R1): one placeholder per image (or where the <image> markers stand)."""
    images = [picture(640, 480), picture(200, 100, seed=1)]
    row = {"query": "<image>Image-1 shows a cup.<image>Find the cup in Image-2", "bbox": [20, 10, 100, 50],
           "images": images, "box_image": 1}
    example = Grounding(prompt_template="{query}", coordinates="original").example(row)
    assert [p["type"] for p in example["prompt"][-1]["content"]] == ["image", "text", "image", "text"]
    assert example["answer"] == [20.0, 10.0, 100.0, 50.0] and len(example["images"]) == 2
    normalized = Grounding(coordinates="normalized", box_scale=1000).example(
        {"query": "the cup", "bbox": [100, 200, 500, 700], "images": images})  # no box_image: the same box anywhere
    assert normalized["answer"] == [100.0, 200.0, 500.0, 700.0]
    with pytest.raises(ValueError, match="say which one the box is in"):
        Grounding(coordinates="original").example({"query": "the cup", "bbox": [1, 1, 5, 5], "images": images})
    with pytest.raises(ValueError, match="so use 0 to 1"):
        Grounding(coordinates="original").example(dict(row, box_image=2))


def test_grounded_vqa_keeps_answers_caption_and_rescaled_boxes():
    """SATORI's rows: the accepted answers are the gold; caption and boxes ride along for their rewards."""
    from r1kit.data.boxes import GroundedVQA

    adapter = GroundedVQA(system_prompt=None, prompt_template="Q: {question}", min_pixels=3136, max_pixels=100_000)
    row = {"image": picture(640, 480), "question": "How many dogs?", "answers": ["2", "two"],
           "caption": " Two dogs on grass. ", "boxes": [[64, 48, 320, 240], [320, 240, 640, 480]]}
    example = adapter.example(row)
    rh, rw = smart_resize(480, 640, 28, 3136, 100_000)
    assert example["answer"] == ["2", "two"] and example["caption"] == "Two dogs on grass."
    assert example["boxes"][1] == [round(320 * rw / 640, 2), round(240 * rh / 480, 2), float(rw), float(rh)]
    assert user_text(example) == "Q: How many dogs?"
    assert adapter.example({**row, "answers": "2", "boxes": None})["answer"] == ["2"]
    with pytest.raises(ValueError, match="non-empty list of answer texts"):
        adapter.example({**row, "answers": []})
    with pytest.raises(ValueError, match="box 0"):
        adapter.example({**row, "boxes": [[5, 5, 1, 1]]})
