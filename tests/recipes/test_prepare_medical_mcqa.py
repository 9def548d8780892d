"""scripts/prepare_medical_mcqa.py: MedQA, MedMCQA and PubMedQA rows become AlphaMed's lettered questions."""

import json

import pytest

from r1kit.data.math_qa import MathQA
from r1kit.rewards.match import choice
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_medical_mcqa.py")
FIXTURE = FIXTURES / "medical_mcqa.jsonl"


def test_each_schema_becomes_a_lettered_question_and_its_gold_letter():
    rows = list(prepare.convert(read_jsonl(FIXTURE)))
    assert [r["source"] for r in rows] == ["medqa", "medqa", "medmcqa", "medmcqa", "pubmedqa", "pubmedqa"]
    assert [r["answer"] for r in rows] == ["B", "D", "C", "B", "A", "C"]
    assert rows[0]["question"].endswith("\nA. Acute cystitis\nB. Acute pyelonephritis\nC. Urethritis\nD. Nephrolithiasis")
    assert rows[2]["question"].splitlines()[1:] == ["A. Hyperplasia", "B. Hyperophy", "C. Atrophy", "D. Dyplasia"]
    pubmed = rows[4]["question"]
    assert pubmed.startswith("Context: Programmed cell death (PCD)")
    assert "\nQuestion: Do mitochondria play a role" in pubmed
    assert pubmed.endswith("\nA. yes\nB. no\nC. maybe")


def test_gold_letter_is_the_text_of_the_right_option():
    """MedQA's `answer` is the right option's text: the letter must point at it."""
    for src, row in zip(read_jsonl(FIXTURE)[:2], prepare.convert(read_jsonl(FIXTURE)[:2])):
        assert f"\n{row['answer']}. {src['answer']}" in row["question"]


@pytest.mark.parametrize(("change", "message"), [
    ({"cop": 4}, "cop 4 must be"), ({"question": ""}, "question is empty"),
    ({"answer_idx": "E"}, "answer_idx 'E'"), ({"final_decision": "unsure"}, "final_decision 'unsure'"),
])
def test_a_bad_row_is_named(change, message):
    rows = read_jsonl(FIXTURE)
    target = {"cop": 2, "question": 0, "answer_idx": 0, "final_decision": 4}[next(iter(change))]
    rows[target].update(change)
    with pytest.raises(ValueError, match=f"row {target}: .*{message}"):
        list(prepare.convert(rows))


def test_an_unknown_schema_is_refused():
    with pytest.raises(ValueError, match="row 0: columns .* are none of MedQA"):
        list(prepare.convert([{"question": "q", "label": 1}]))


def test_recipe_adapter_and_reward_score_the_letter():
    adapter = MathQA(answer_as="verbatim")
    for row in prepare.convert(read_jsonl(FIXTURE)):
        example = adapter.example(row)
        assert example["answer"] == row["answer"] and example["prompt"][-1]["content"] == row["question"]
        wrong = "A" if row["answer"] != "A" else "B"
        completions = [f"<think>...</think><answer>{row['answer']}</answer>", f"<think>...</think><answer>{wrong}</answer>"]
        assert choice(completions, answer=[example["answer"]] * 2) == [1.0, 0.0]


def test_main_writes_what_convert_gives(tmp_path):
    out = tmp_path / "data" / "medical_mcqa.jsonl"
    prepare.main(["--source", str(FIXTURE), "--out", str(out)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(FIXTURE)))
