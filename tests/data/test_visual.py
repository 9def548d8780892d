"""The visual row contract through build_examples for every visual adapter, and classification and mm_math."""

import re

import datasets
import pytest
from PIL import Image

from r1kit.data.adapters import ADAPTERS, R1_SYSTEM_PROMPT
from r1kit.data.load import GENERATORS, build_examples
from r1kit.data.visual import Classification, MMMath
from r1kit.errors import UserError
from tests.data.cases import answer_of, picture, spec, target, user_text, write_jsonl

VISUAL = ("mm_math", "grounding", "detection", "jigsaw", "gui_action", "classification")


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


def test_classification_shows_the_row_s_own_question():
    """Datasets that ship their prompts (Visual-RFT) give them in `question`; {question} shows it."""
    image = picture(32, 32)
    adapter = Classification(labels=["707-320", "737-300"], system_prompt=None, prompt_template="{question}")
    ex = adapter.example({"image": image, "label": "737-300", "question": " Which aircraft is this? "})
    assert user_text(ex) == "Which aircraft is this?" and ex["answer"] == "737-300"
    with pytest.raises(ValueError, match="column 'question' is empty"):
        adapter.example({"image": image, "label": "737-300"})
    assert "707-320, 737-300" in user_text(Classification(labels=["707-320", "737-300"]).example(
        {"image": image, "label": "737-300", "question": "ignored without {question}"}))


def test_classification_target_a_row_solution_or_only_the_answer():
    image = picture(32, 32)
    row = {"image": image, "label": "cool", "labels": ["warm", "cool"]}
    assert target(Classification().example(row)) == "<think>The image shows a cool.</think><answer>cool</answer>"
    assert target(Classification(trace="none").example(row)) == "<answer>cool</answer>"
    solved = {**row, "solution": "<think>purple</think><answer>cool</answer>"}
    assert target(Classification().example(solved)) == "<think>purple</think><answer>cool</answer>"
    assert target(Classification(trace="none").example(solved)) == "<answer>cool</answer>"
    with pytest.raises(UserError, match=r"trace='brief' must be full .* or none"):
        Classification(trace="brief")
    with pytest.raises(ValueError, match=r"column 'solution': '' is not a non-empty text"):
        Classification().example({**row, "solution": ""})


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


def test_mm_math_verbatim_solution_is_the_target_as_written():
    """`solution_as: verbatim` (as math_qa): a distilled reply in its own layout is trained on unchanged."""
    reply = "<think>\nTwo and two.\n</think>\nThe answer is \\boxed{4}."
    ex = MMMath(system_prompt=None, solution_as="verbatim").example(
        {"image": picture(20, 20, 1), "question": "2+2?", "answer": "4", "solution": reply})
    assert target(ex) == reply.strip() and ex["answer"] == "4"


def test_mm_math_prompt_template_wraps_the_question_and_keeps_image_markers():
    a = picture(20, 20, 1)
    adapter = MMMath(system_prompt=None, prompt_template="{question} Answer with a letter in <answer></answer>.")
    ex = adapter.example({"image": a, "question": "Which organ? A)lung, B)liver", "answer": "A"})
    assert ex["prompt"][0]["content"] == [
        {"type": "image"}, {"type": "text", "text": "Which organ? A)lung, B)liver Answer with a letter in <answer></answer>."}]
    marked = adapter.example({"image": a, "question": "<image>Find x.", "answer": "3"})
    assert marked["prompt"][0]["content"][0] == {"type": "image"}
    with pytest.raises(TypeError, match=r"prompt_template=.*placeholders are among \{question\}"):
        MMMath(prompt_template="{problem}")


# --- through build_examples: the dataset, the registry, user errors ------------------------------------------


def test_adapters_and_generators_are_registered():
    assert set(VISUAL) <= set(ADAPTERS.names()) and set(VISUAL) <= set(GENERATORS.names())
    assert {n: ADAPTERS.get(n).metric for n in VISUAL} == {
        "mm_math": "math_accuracy", "grounding": "iou", "detection": "detection", "jigsaw": "jigsaw_position",
        "gui_action": "gui_action", "classification": "class_match"}
    assert all(ADAPTERS.get(n).default_generator == {"name": n} for n in VISUAL)


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
     r"needs images: a column 'image' \(one per row\), 'images' \(a list\) or 'video' \(a video\).*columns: \{image: <your column>\}"),
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
    with pytest.raises(UserError, match=r"row 0: the row has 2 images: say which one the box is in with a "
                                        "'box_image' column"):
        build_examples(spec("grounding", path=write_jsonl(tmp_path / "two.jsonl", rows)), "datasets.v")
