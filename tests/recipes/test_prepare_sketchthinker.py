"""scripts/prepare_sketchthinker.py: SketchThinker-R1's cold start, SketchJudge pairs and RL rows."""

import pytest
import yaml

from tests.recipes.tiny import FIXTURES, REPO, load_script, read_jsonl

SCRIPT = load_script(REPO / "scripts" / "prepare_sketchthinker.py")


def rows(name):
    return list(SCRIPT.convert(read_jsonl(FIXTURES / f"{name}.jsonl"),
                               image_root=str(FIXTURES / "images" / name)))


def test_cold_start_rows_keep_the_sketch_reply_and_its_answer():
    converted = rows("sketchthinker_cold_start")
    assert len(converted) == 4
    first = converted[0]
    assert first["question"].startswith("<image>In right triangle ABC")
    assert first["solution"] == "<think>1. Legs 3 and 4.\n2. c = sqrt(9 + 16) = 5.</think><answer>5</answer>"
    assert first["answer"] == "5" and converted[1]["answer"] == "D"
    for row in converted:  # the published relative names under the fixture images
        assert all(p.startswith(str(FIXTURES / "images" / "sketchthinker_cold_start")) for p in row["images"])
        assert all((FIXTURES / "images").joinpath(p).is_file() for p in row["images"])


def test_judge_rows_prefer_the_sketch_behind_the_prompt_the_recipe_scores_with():
    converted = rows("sketchthinker_judge")
    assert len(converted) == 4
    assert {r["prompt"] for r in converted} == {SCRIPT.SKETCHJUDGE_PROMPT}
    for row in converted:
        assert row["chosen"].startswith("1. ") and len(row["chosen"]) < len(row["rejected"]) / 2
    recipe = yaml.safe_load((REPO / "recipes" / "sketchthinker_r1.yaml").read_text())
    (judge,) = [r for r in recipe["stages"]["sketch_rl"]["rewards"] if r["name"] == "reward_model"]
    assert judge["judge_prompt"] == SCRIPT.SKETCHJUDGE_PROMPT  # trained and scored behind the same user turn
    assert judge["model"] == "stage:sketch_judge"


def test_rl_rows_are_easyr1_problems():
    converted = rows("sketchthinker_rl")
    assert [r["answer"] for r in converted] == ["20", "A", "5", "2"]
    assert converted[0]["question"].startswith("<image>A block on a spring")
    assert converted[0]["images"] == [str(FIXTURES / "images" / "sketchthinker_rl" / "seephys" / "seephys_0132.png")]


@pytest.mark.parametrize("row, message", [
    ({"messages": [{"role": "user", "content": "<image>q"}, {"role": "assistant", "content": "just 5"}],
      "images": ["a.png"]}, "row 0: the reply is not <think>"),
    ({"long_thinking": "the same", "sketch_thinking": "the same"}, "row 0: the long and the sketch"),
    ({"long_thinking": "a long text", "sketch_thinking": ""}, "row 0: `sketch_thinking` must be"),
    ({"problem": "<image>q", "answer": "1"}, "row 0: no `images`"),
    ({"question": "q", "label": 1}, "row 0: neither a cold-start row"),
])
def test_a_bad_row_is_named(row, message):
    with pytest.raises(ValueError, match=message):
        list(SCRIPT.convert([row]))
