"""scripts/prepare_ssrl.py and prepare_ssrl_corpus.py: SSRL's questions and the stand-in engine's passages."""

import json

import pytest

from r1kit.data.env_tasks import EnvironmentTask
from r1kit.environments.search import Search
from r1kit.rewards.match import exact_match
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

qa = load_script(SCRIPTS / "prepare_ssrl.py")
corpus = load_script(SCRIPTS / "prepare_ssrl_corpus.py")


def test_questions_and_every_golden_answer():
    rows = list(qa.convert(read_jsonl(FIXTURES / "ssrl.jsonl")))
    assert rows[0]["prompt"] == "who wrote the novel nineteen eighty-four?"  # the text after "Question:"
    assert rows[0]["golden_answers"] == ["George Orwell", "Eric Arthur Blair"] and rows[0]["answer"] == "George Orwell"
    assert [r["data_source"] for r in rows] == ["nq", "nq", "hotpotqa", "hotpotqa", "nq"]
    example = EnvironmentTask(system_prompt="S").example(rows[3])
    assert example["prompt"][0] == {"role": "system", "content": "S"} and example["golden_answers"] == ["the Seine", "Seine"]
    completions = ["<think>x</think><answer>Seine</answer>", "<think>x</think><answer>The Seine.</answer>",
                   "<think>x</think><answer>Loire</answer>", "Seine"]
    scores = exact_match(completions, golden_answers=[example["golden_answers"]] * 4, golds="golden_answers",
                         normalization="squad", require_tags=True)
    assert scores == [1.0, 1.0, 0.0, 0.0]


def test_a_question_column_and_golden_answers_work_too():
    (row,) = qa.convert([{"question": " q ", "golden_answers": "a"}])
    assert row["prompt"] == "q" and row["golden_answers"] == ["a"]


def test_a_row_without_gold_or_question_is_refused():
    with pytest.raises(ValueError, match="no golden answer"):
        list(qa.convert([{"question": "q", "reward_model": {"ground_truth": {"target": []}}}]))
    with pytest.raises(ValueError, match="no question"):
        list(qa.convert([{"prompt": [{"role": "user", "content": "no marker"}], "golden_answers": ["a"]}]))


def test_corpus_passages_feed_the_search_environment(tmp_path):
    passages = list(corpus.convert(read_jsonl(FIXTURES / "ssrl_corpus.jsonl")))
    assert passages[1] == {"id": "2", "title": "Canberra", "text": "Canberra is the capital city of Australia, "
                           "located at the northern end of the Australian Capital Territory."}
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in passages), encoding="utf-8")
    assert "Canberra" in Search(str(path), k=1).search("capital of Australia").splitlines()[0]
    with pytest.raises(ValueError, match="no passage text"):
        list(corpus.convert([{"id": "9", "contents": '"Title only"\n '}]))
