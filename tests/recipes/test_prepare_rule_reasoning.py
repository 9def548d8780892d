"""scripts/prepare_rule_reasoning.py: RuleReasoner records (and its verl rows) -> math_qa rows with a domain."""

import pytest

from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_rule_reasoning.py")


def test_fixture_rows_become_questions_golds_and_domains():
    rows = list(prepare.convert(read_jsonl(FIXTURES / "rule_reasoning.jsonl")))
    assert sorted(r["domain"] for r in rows) == sorted(prepare.DOMAINS)  # one row per domain of train_mix.sh
    first = rows[0]
    assert first["question"].startswith("Facts: Max is a wumpus.") and first["question"].endswith("</think>.")
    assert first["answer"] == "False"  # the text of the answer block
    by_domain = {r["domain"]: r for r in rows}
    assert by_domain["clutrr"]["answer"] == "grandson"  # the relation, as RuleReasoner parses CLUTRR golds
    assert by_domain["logiqa"]["answer"] == "B"


def test_verl_rows_and_domain_spelling():
    verl = {"data_source": "AR-LSAT", "prompt": [{"role": "user", "content": "Which? (A) x (B) y Choose one."}],
            "ability": "logical reasoning", "reward_model": {"style": "rule", "ground_truth": "<answer>A</answer>"}}
    assert list(prepare.convert([verl])) == [{"question": "Which? (A) x (B) y Choose one.", "answer": "A",
                                              "domain": "ar_lsat"}]
    assert prepare.domain_name("Logic NLI") == "logic_nli"
    assert prepare.clutrr_relation("Ann is the mother-in-law of Bo.") == "mother"


def test_a_row_without_its_answer_is_refused_by_number():
    rows = read_jsonl(FIXTURES / "rule_reasoning.jsonl")[:2]
    del rows[1]["output"], rows[1]["ground_truth"]
    with pytest.raises(ValueError, match="row 1"):
        list(prepare.convert(rows))
