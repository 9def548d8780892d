"""scripts/prepare_r1_reward_rl.py: R1-Reward-RL rows (JSON chat with the evaluator prompt and image) become mm_math rows
whose image keeps its place after the text, and the recipe's reward stack is R1-Reward's."""

import json

import pytest
import yaml

from r1kit.data.visual import MMMath
from r1kit.rewards import resolve
from r1kit.rewards.match import exact_match
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_r1_reward_rl.py")
FIXTURE = FIXTURES / "r1_reward_rl.jsonl"
IMAGES = FIXTURES / "images" / "r1_reward_rl"
RECIPE = yaml.safe_load((REPO / "recipes" / "r1_reward.yaml").read_text(encoding="utf-8"))


def test_rows_keep_the_prompt_text_the_image_and_the_gold():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert len(rows) == len(raw)
    for src, row in zip(raw, rows):
        (turn,) = json.loads(src["message"])
        text, image = turn["content"]
        assert row["question"] == text["text"] + "<image>"
        folder, name = image["image"].split("/")[-2:]
        assert row["images"] == [str(IMAGES / folder / name)] and (IMAGES / folder / name).is_file()
        assert row["answer"] == src["answer"][0][len("<answer>")]


def test_the_image_follows_the_text_as_published():
    row = next(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
    example = MMMath(system_prompt=None).example(row)
    (turn,) = example["prompt"]
    assert [part["type"] for part in turn["content"]] == ["text", "image"]
    assert turn["content"][0]["text"].startswith("You are a highly skilled and impartial evaluator")
    assert example["answer"] == "1" and len(example["images"]) == 1


def test_without_image_root_the_published_paths_stay():
    row = next(prepare.convert(read_jsonl(FIXTURE)))
    assert row["images"] == ["/mmu_mllm_hdd/yfzhang/data/RLAIF-V-image/edouard-vuillard_the-cake-shop.jpg"]


@pytest.mark.parametrize(("change", "match"), [
    ({"answer": ["<answer>3</answer>"]}, "row 0: `answer` is"),
    ({"message": "not json"}, "row 0: `message` is not JSON"),
    ({"message": json.dumps([{"role": "user", "content": [{"type": "text", "text": "no image"}]}])}, "no image"),
])
def test_bad_rows_are_refused(change, match):
    with pytest.raises(ValueError, match=match):
        list(prepare.convert([{**read_jsonl(FIXTURE)[0], **change}]))


def test_recipe_stack_is_r1_reward_s():
    """0.5 x format + accuracy + 0.5 x (accuracy x consistency): the rule parts scored here, the judge's options valid."""
    format_, accuracy, consistency = RECIPE["stages"]["rl"]["rewards"]
    assert (format_["name"], format_["weight"], accuracy["name"], accuracy["weight"]) == ("think_format", 0.5,
                                                                                         "exact_match", 1.0)
    assert exact_match(["<think>r</think><answer>2</answer>", "<think>r</think><answer>1</answer>"],
                       answer=["2", "2"]) == [1.0, 0.0]
    options = {k: v for k, v in consistency.items() if k not in ("name", "weight")}
    assert consistency["weight"] == 0.5 and options["low"] == -1.0 and options["accuracy"] == "exact_match"
    assert "{reasoning}" in options["template"] and "response {final_answer} is better" in options["template"]
    judge = resolve("judge_consistency", **options)
    assert judge(["<think>r</think><answer>1</answer>"], answer=["2"]) == [0.0]  # wrong: the judge is not asked


def test_main_writes_what_convert_gives(tmp_path):
    out = tmp_path / "data" / "r1_reward_rl.jsonl"
    prepare.main(["--source", str(FIXTURE), "--out", str(out), "--image-root", str(IMAGES)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
