"""scripts/prepare_medkgqa.py: Fleming-R1's knowledge-graph CoT rows become lettered questions with a cold-start target."""

import json

import pytest

from r1kit.data.math_qa import MathQA
from r1kit.rewards.format import think_format
from r1kit.rewards.match import choice
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_medkgqa.py")
FIXTURE = FIXTURES / "medkgqa.jsonl"


def test_rows_become_question_with_options_gold_letter_and_reasoning():
    source = read_jsonl(FIXTURE)
    rows = list(prepare.convert(source))
    assert [r["answer"] for r in rows] == ["B", "C", "B", "A", "B", "C"]
    assert [r["graph_idx"] for r in rows] == [s["graph_idx"] for s in source]
    assert rows[0]["question"].splitlines()[-4:] == ["A. Propranolol", "B. Phenoxybenzamine",
                                                     "C. Hydrochlorothiazide", "D. Spironolactone"]
    assert rows[0]["question"].startswith("A 34-year-old woman has episodic headaches")
    assert rows[4]["question"].endswith("\nA. 阿莫西林\nB. 甲硝唑\nC. 利福平\nD. 头孢克洛")  # Chinese rows as written
    assert all(r["solution"] == s["cot"] for r, s in zip(rows, source))


def test_options_given_as_a_dict_or_a_list_are_lettered():
    row = dict(read_jsonl(FIXTURE)[1])
    as_dict = dict(row, choices={"A": "Hexosaminidase A", "B": "Sphingomyelinase", "C": "Glucocerebrosidase",
                                 "D": "Galactocerebrosidase"})
    as_list = dict(row, choices=["Hexosaminidase A", "Sphingomyelinase", "Glucocerebrosidase", "Galactocerebrosidase"])
    expected = next(prepare.convert([row]))["question"]
    assert next(prepare.convert([as_dict]))["question"] == expected
    assert next(prepare.convert([as_list]))["question"] == expected


def test_the_reasoning_column_can_be_named():
    row = dict(read_jsonl(FIXTURE)[0])
    row["teacher_trace"] = row.pop("cot")
    with pytest.raises(ValueError, match="row 0: no reasoning: .*--cot-column"):
        list(prepare.convert([row]))
    assert next(prepare.convert([row], cot_column="teacher_trace"))["solution"].startswith("Episodic headache")


@pytest.mark.parametrize(("change", "message"), [
    ({"answer": "E"}, "answer 'E' is not one of the option letters"), ({"question": ""}, "question is empty"),
    ({"choices": ""}, "choices is empty"), ({"cot": " "}, "no reasoning"), ({"answer": "BC"}, "answer 'BC'"),
])
def test_a_bad_row_is_named(change, message):
    rows = read_jsonl(FIXTURE)
    rows[3].update(change)
    with pytest.raises(ValueError, match=f"row 3: .*{message}"):
        list(prepare.convert(rows))


def test_recipe_adapter_builds_the_cold_start_target_and_the_rewards_score_it():
    adapter = MathQA(answer_as="verbatim")
    for row in prepare.convert(read_jsonl(FIXTURE)):
        example = adapter.example(row)
        assert example["answer"] == row["answer"] and example["prompt"][-1]["content"] == row["question"]
        target = example["messages"][-1]["content"]
        assert target == f"<think>{row['solution']}</think><answer>{row['answer']}</answer>"
        assert think_format([target]) == [1.0] and choice([target], answer=[example["answer"]]) == [1.0]
        wrong = "A" if row["answer"] != "A" else "D"
        assert choice([f"<think>x</think><answer>{wrong}</answer>"], answer=[example["answer"]]) == [0.0]


def test_main_writes_what_convert_gives(tmp_path):
    out = tmp_path / "data" / "medkgqa.jsonl"
    prepare.main(["--source", str(FIXTURE), "--source", str(FIXTURE), "--out", str(out)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(FIXTURE))) * 2
