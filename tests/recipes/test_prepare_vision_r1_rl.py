"""scripts/prepare_vision_r1_rl.py: Vision-R1-rl (geometry3k schema) rows become mm_math rows."""

import io

import pytest
from PIL import Image

from r1kit.data.visual import MMMath
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_vision_r1_rl.py")
FIXTURE = FIXTURES / "vision_r1_rl.jsonl"
IMAGES = FIXTURES / "images" / "vision_r1_rl"


def test_problem_answer_and_image_paths():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert [r["answer"] for r in rows] == [r["answer"] for r in raw]
    assert [r["question"] for r in rows] == [r["problem"] for r in raw]
    assert rows[0]["images"] == [str(IMAGES / raw[0]["images"][0]["path"])]
    example = MMMath(system_prompt=None).example(rows[0])  # the <image> marker places the diagram first
    assert example["prompt"][0]["content"][0] == {"type": "image"} and example["answer"] == "40"


def test_image_bytes_become_a_data_uri_the_adapter_reads():
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buffer, format="PNG")
    (row,) = prepare.convert([{"images": [{"bytes": buffer.getvalue(), "path": None}], "problem": "<image>x?",
                               "answer": "3"}])
    assert row["images"][0].startswith("data:image/png;base64,")
    assert MMMath().example(row)["images"][0].size == (30, 20)


def test_a_row_without_answer_or_image_is_refused():
    with pytest.raises(ValueError, match=r"row 0: `answer` is empty"):
        list(prepare.convert([{"images": ["a.png"], "problem": "<image>x?", "answer": ""}]))
    with pytest.raises(ValueError, match=r"row 0: no `images`"):
        list(prepare.convert([{"images": [], "problem": "<image>x?", "answer": "1"}]))
