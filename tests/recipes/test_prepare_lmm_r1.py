"""scripts/prepare_lmm_r1.py: LMM-R1's stringified message rows become math_qa (text) and mm_math (image) rows."""

import json

import pytest
import yaml

from r1kit.data.math_qa import MathQA
from r1kit.data.visual import MMMath
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_lmm_r1.py")
TEXT, MULTI = FIXTURES / "lmm_r1_deepscaler.jsonl", FIXTURES / "lmm_r1_vermulti.jsonl"
IMAGES = FIXTURES / "images" / "lmm_r1_vermulti"


def test_text_rows_keep_question_and_answer_without_images():
    raw = read_jsonl(TEXT)
    rows = list(prepare.convert(raw))
    assert [r["question"] for r in rows] == [r["question"] for r in raw]
    assert [r["answer"] for r in rows] == [r["answer"] for r in raw]
    assert all("images" not in r for r in rows)
    assert MathQA().example(rows[0])["answer"] == "25"  # the gold inside $\boxed{}$


def test_image_parts_become_markers_in_their_place_and_paths():
    raw = read_jsonl(MULTI)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    path = json.loads(raw[0]["message"])[1]["content"][1]["image"]
    assert rows[0]["question"] == raw[0]["question"] + "<image>"  # LMM-R1 puts the text before the image
    assert rows[0]["images"] == [str(IMAGES / path)]
    example = MMMath(system_prompt=None).example(rows[0])
    assert example["prompt"][0]["content"][-1] == {"type": "image"} and example["answer"] == "60"


def test_file_uri_is_a_path():
    row = {"answer": "$1$", "message": json.dumps([{"role": "user", "content": [
        {"type": "image", "image": "file:///data/a.png"}, {"type": "text", "text": "How many?"}]}])}
    (out,) = prepare.convert([row], image_root="/elsewhere")
    assert out == {"question": "<image>How many?", "answer": "$1$", "images": ["/data/a.png"]}


def test_bad_rows_are_refused():
    with pytest.raises(ValueError, match=r"row 0: `message` is not a JSON list"):
        list(prepare.convert([{"message": "[{", "answer": "$1$"}]))
    no_answer = {"message": json.dumps([{"role": "user", "content": "2+2?"}]), "answer": "$$"}
    with pytest.raises(ValueError, match=r"row 0: `answer` is empty"):
        list(prepare.convert([no_answer]))


def test_recipe_system_prompt_is_lmm_r1_s():
    """recipes/lmm_r1.yaml's system prompt is the system turn of LMM-R1's message files."""
    recipe = yaml.safe_load((REPO / "recipes" / "lmm_r1.yaml").read_text(encoding="utf-8"))
    for name, fixture in (("deepscaler", TEXT), ("vermulti", MULTI)):
        for row in read_jsonl(fixture):
            assert recipe["datasets"][name]["options"]["system_prompt"] == prepare.system_prompt(row)
