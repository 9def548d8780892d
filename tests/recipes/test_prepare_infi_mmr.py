"""scripts/prepare_infi_mmr.py: text rows, caption-augmented rows and caption-free rows for Infi-MMR's three phases."""

import pytest

from r1kit.data.math_qa import MathQA
from r1kit.data.visual import MMMath
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_infi_mmr.py")
IMAGES = FIXTURES / "images"


def test_text_rows_have_no_images():
    rows = list(prepare.convert(read_jsonl(FIXTURES / "infi_mmr_text.jsonl")))
    assert all("images" not in r for r in rows)
    assert [MathQA().example(r)["answer"] for r in rows] == ["25", "24", "210", r"\frac{1}{6}"]


def test_caption_goes_before_the_question_and_can_be_left_out():
    raw = read_jsonl(FIXTURES / "infi_mmr_caption.jsonl")
    root = str(IMAGES / "infi_mmr_caption")
    rows = list(prepare.convert(raw, image_root=root))
    assert rows[1]["question"] == f"Image description: {raw[1]['caption']}\n\n{raw[1]['problem']}"
    assert rows[1]["images"] == [f"{root}/mathv360k/ChartQA/images/two_col_4411.png"]
    bare = list(prepare.convert(raw, image_root=root, captions=False))
    assert [r["question"] for r in bare] == [r["problem"] for r in raw]
    prompt = MMMath(system_prompt=None).example(rows[0])["prompt"][0]["content"]
    assert prompt[0]["text"].startswith("Image description:") and {"type": "image"} in prompt  # marker kept in place


def test_caption_free_rows_stay_as_they_are():
    raw = read_jsonl(FIXTURES / "infi_mmr_visual.jsonl")
    rows = list(prepare.convert(raw, image_root=str(IMAGES / "infi_mmr_visual")))
    assert [r["question"] for r in rows] == [r["problem"] for r in raw]


def test_bad_rows_are_refused():
    with pytest.raises(ValueError, match=r"row 0: `answer` is empty"):
        list(prepare.convert([{"problem": "2+2?", "answer": ""}]))
    with pytest.raises(ValueError, match=r"row 0: a `caption` but no image"):
        list(prepare.convert([{"problem": "2+2?", "answer": "4", "caption": "a chart"}]))
