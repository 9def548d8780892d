"""scripts/prepare_coco_train2014.py: Jigsaw-R1's COCO image list becomes jigsaw rows; the recipe asks Jigsaw-R1's puzzle."""

import json

import pytest
import yaml

from r1kit.data.jigsaw import Jigsaw
from r1kit.rewards.jigsaw import jigsaw_format, jigsaw_position
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_coco_train2014.py")
FIXTURE = FIXTURES / "coco_train2014.jsonl"
IMAGES = FIXTURES / "images" / "coco_train2014"

# utils/prompt.py of zifuwanggg/Jigsaw-R1@781ebd4: generate_grid_jigsaw_prompt(1, 3) (full, forward) +
# generate_instruction(..., "grid", think=True, instruct_model=True)
JIGSAW_R1_1X3 = (
    "The input image is divided into 1x3 patches that have been randomly permuted from their original positions. "
    "Your task is to solve this 1x3 jigsaw puzzle and reconstruct the original image.\n\nConsider a 1x3 grid, where "
    "each number represents a position index ranging from 1 (left) to 3 (right):\n\n```\n1 2 3\n```\n\nFor each "
    "patch, determine its correct position index in the original image. If a patch currently at position X should "
    'belong at position Y, place "Y" at position X.\n\nFirst, output the thinking process within <think> </think> '
    "tags. Then, provide the final answer within <answer> </answer> tags. The final answer should be the position "
    "indexes arranged in a 1x3 grid.")


def _recipe():
    return yaml.safe_load((REPO / "recipes" / "jigsaw_r1.yaml").read_text(encoding="utf-8"))


def test_each_name_is_an_image_under_the_coco_folder():
    names = read_jsonl(FIXTURE)
    rows = list(prepare.convert(names, image_root=str(IMAGES)))
    assert rows == [{"image": str(IMAGES / n)} for n in names] and all((IMAGES / n).is_file() for n in names)
    with pytest.raises(ValueError, match=r"row 1: '' is not an image name"):
        list(prepare.convert(["train2014/a.jpg", ""]))


def test_recipe_puzzles_are_jigsaw_r1_s_and_score_as_its_rewards():
    """Both grid orientations occur (shuffle_mn), the prompt is Jigsaw-R1's word for word, and its 1-based
    forward answer ("Y" at position X) scores 1 for the solution."""
    recipe = _recipe()
    adapter = Jigsaw(**recipe["datasets"]["jigsaw_3x1"]["options"])
    rows = list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
    examples = [adapter.example(r) for r in rows]
    assert {tuple(ex["grid"]) for ex in examples} == {(3, 1), (1, 3)}
    wide = next(ex for ex in examples if ex["grid"] == [1, 3])
    system, user = wide["prompt"]
    assert system["content"][0]["text"] == "You are a helpful assistant."
    assert [p["type"] for p in user["content"]] == ["image", "text"] and user["content"][1]["text"] == JIGSAW_R1_1X3
    kwargs = {r["name"]: {k: v for k, v in r.items() if k not in ("name", "weight")}
              for r in recipe["stages"]["jigsaw_3x1"]["rewards"]}
    solved = "<think>sky on top.</think> <answer>" + " ".join(str(p + 1) for p in wide["answer"]) + "</answer>"
    repeated = "<think>?</think> <answer>1 1 1</answer>"
    args = {"answer": [wide["answer"]] * 2, "grid": [wide["grid"]] * 2}
    assert jigsaw_position([solved, repeated], **args, **kwargs["jigsaw_position"]) == [1.0, pytest.approx(1 / 3)]
    assert jigsaw_format([solved, repeated], **args, **kwargs["jigsaw_format"]) == [1.0, 1.0]
    four = Jigsaw(**recipe["datasets"]["jigsaw_4x1"]["options"]).example(rows[0])
    sides = "1 (top) to 4 (bottom):\n\n```\n1\n2\n3\n4\n```" if four["grid"] == [4, 1] else \
        "1 (left) to 4 (right):\n\n```\n1 2 3 4\n```"
    assert f"ranging from {sides}" in four["prompt"][1]["content"][1]["text"]


def test_main_reads_jigsaw_r1_s_json_list(tmp_path):
    source = tmp_path / "train2014.json"
    source.write_text(json.dumps(read_jsonl(FIXTURE)), encoding="utf-8")
    out = tmp_path / "data" / "coco_train2014.jsonl"
    prepare.main(["--source", str(source), "--image-root", str(IMAGES), "--out", str(out)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES.resolve())))
