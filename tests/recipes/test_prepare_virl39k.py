"""scripts/prepare_virl39k.py: ViRL39K queries become mm_math rows with VL-Rethinker's prompt."""

import pytest
import yaml

from r1kit.data.visual import MMMath
from tests.recipes.tiny import FIXTURES, REPO, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_virl39k.py")
FIXTURE = FIXTURES / "virl39k.jsonl"
IMAGES = FIXTURES / "images" / "virl39k"
RECIPE = yaml.safe_load((REPO / "recipes" / "vl_rethinker.yaml").read_text(encoding="utf-8"))


def test_rows_keep_question_answer_and_images():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw, image_root=str(IMAGES)))
    assert rows[0]["images"] == [str(IMAGES / raw[0]["image"][0])]
    assert all("<image>" not in r["question"] for r in rows)
    adapter = MMMath(**RECIPE["datasets"]["virl39k"]["options"])
    examples = [adapter.example(r) for r in rows]
    assert [e["answer"] for e in examples] == ["5", "2019", "C", "4"]  # the gold inside \boxed{}
    user = examples[1]["prompt"][-1]["content"]
    assert user[0] == {"type": "image"}  # prompts_dataset.py:150-156: the images, then the question and the trigger
    assert user[1]["text"] == (raw[1]["question"].replace("<image>", "") + "\n\nPlease reason step by step, and put "
                               "your final answer within \\boxed{}.")


def test_pass_rate_filter_keeps_the_queries_a_7b_model_may_fail():
    rows = list(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES), max_pass_rate=0.5))
    assert [r["answer"] for r in rows] == [r"\boxed{2019}", r"\boxed{C}", r"\boxed{4}"]


def test_the_rethink_prompt_in_the_header_is_a_valid_template():
    """The commented `rethink` variant reads as a YAML string and an mm_math template ending in the boxed trigger."""
    lines = (REPO / "recipes" / "vl_rethinker.yaml").read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith('#     "{question}'))
    scalar = "\n".join(line[len("#     "):] for line in lines[first:first + 4])
    template = yaml.safe_load(f"t: {scalar}")["t"]
    row = next(prepare.convert(read_jsonl(FIXTURE), image_root=str(IMAGES)))
    text = MMMath(system_prompt=None, prompt_template=template).example(row)["prompt"][0]["content"][-1]["text"]
    assert "\n\nGuidelines: \nPlease think step by step" in text and '"Wait a moment"' in text
    assert text.endswith("answer within \\boxed{}.")


def test_bad_rows_are_refused():
    with pytest.raises(ValueError, match=r"row 0: `question` is empty"):
        list(prepare.convert([{"question": "<image>", "answer": "1", "image": ["a.png"]}]))
    with pytest.raises(ValueError, match=r"row 0: `answer` is empty"):
        list(prepare.convert([{"question": "Q?", "answer": None, "image": ["a.png"]}]))
