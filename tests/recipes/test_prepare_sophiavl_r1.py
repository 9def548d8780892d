"""scripts/prepare_sophiavl_r1.py: SophiaVL-R1-130k rows become mm_math rows with SophiaVL-R1's prompt and a domain."""

import pytest
import yaml

from r1kit.data.visual import MMMath
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_sophiavl_r1.py")
FIXTURE = FIXTURES / "sophiavl_r1.jsonl"
IMAGES = FIXTURES / "images" / "sophiavl_r1"


def rows():
    return list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))


def test_answers_lose_their_tags_and_dollars_and_types_become_domains():
    assert [r["answer"] for r in rows()] == ["6", "B", "OPEN DAILY 9 TO 5",
                                             "Revenue rises every year, from about 20 in 2019 to about 45 in 2022.",
                                             "Avon", "130"]
    assert [r["domain"] for r in rows()] == ["numerical", "multiple_choice", "ocr", "free_form", "text", "numerical"]


def test_images_are_the_published_relative_paths_under_the_root():
    for row, raw in zip(rows(), read_jsonl(FIXTURE)):
        assert row["images"] == [str(IMAGES / raw["path"].removeprefix("./"))]
        assert (IMAGES / raw["path"]).is_file()


def test_question_is_sophiavl_r1s_template_with_options_and_type_instruction():
    mc = rows()[1]["question"]
    # verl/utils/dataset.py:171,175: options joined by "; " straight after the problem, then the two templates
    assert mc.startswith("Which property do these three objects have in common?A. sticky; B. hard; C. stretchy\n"
                         "Please think about this question as if you were a human pondering deeply. ")
    assert "thought expressions It's encouraged to include self-reflection" in mc
    assert mc.endswith("the <answer> </answer> tags. Please provide only the single option letter (e.g., A, B, C, D, "
                       "etc.) within the <answer> </answer> tags.")
    assert rows()[0]["question"].endswith("Please provide the numerical value (e.g., 42 or 3.14) within the "
                                          "<answer> </answer> tags.")


def test_prompt_is_the_run_scripts_system_turn_then_image_and_question():
    recipe = yaml.safe_load((REPO / "recipes" / "sophiavl_r1.yaml").read_text(encoding="utf-8"))
    adapter = MMMath(**recipe["datasets"]["sophiavl"]["options"])
    prompt = adapter.example(rows()[0])["prompt"]
    assert prompt[0]["content"][0]["text"].startswith("You FIRST think about the reasoning process as an internal "
                                                      "monologue and then provide the final answer.\n The reasoning")
    assert prompt[1]["content"][0] == {"type": "image"}


def test_text_rows_have_no_image():
    row = {"problem": "What is 2+3?", "problem_type": "numerical", "solution": "<answer>5</answer>",
           "data_type": "text", "path": ""}
    assert "images" not in next(prepare.convert([row]))


def test_bad_rows_are_refused():
    row = {"problem": "Q?", "problem_type": "numerical", "solution": "<answer>1</answer>", "path": "a.png"}
    with pytest.raises(ValueError, match=r"row 0: problem_type 'yes/no' is not one of"):
        list(prepare.convert([{**row, "problem_type": "yes/no"}]))
    with pytest.raises(ValueError, match=r"row 0: `solution` '<answer> </answer>' holds no answer"):
        list(prepare.convert([{**row, "solution": "<answer> </answer>"}]))
    with pytest.raises(ValueError, match=r"row 0 path None is not an image"):
        list(prepare.convert([{**row, "path": None}]))


def test_thinking_judge_prompt_is_custom_pys():
    """The recipe's judge template filled in reads as custom.py:171-175's f-string (its {{0, ..., 1.0}} kept)."""
    from r1kit.rewards.judge import fill_template

    recipe = yaml.safe_load((REPO / "recipes" / "sophiavl_r1.yaml").read_text(encoding="utf-8"))
    trust = next(r for r in recipe["stages"]["grpo"]["rewards"] if r["name"] == "trust_thinking")
    text = fill_template(trust["judge"]["template"], {"prompt": "Q", "completion": "R"})
    assert "Provide a single score from **{0, 0.1, 0.2, ..., 1.0}** based on the reasoning quality" in text
    assert text.endswith("without any explanation.\n    Question: Q\n    Reasoning process: R\n"
                         "    Your response format: <answer>your_score</answer>\n    ")
    assert trust["outcome"] == [{k: v for k, v in r.items() if k != "weight"}
                                for r in recipe["stages"]["grpo"]["rewards"][:3]]
