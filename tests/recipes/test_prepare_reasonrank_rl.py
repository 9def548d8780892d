"""scripts/prepare_reasonrank_rl.py: ReasonRank's verl rows back to query + passages, re-prompted by the adapter."""

import copy

import pytest

from r1kit.data.text_adapters import RERANK_LISTWISE_SYSTEM, Rerank
from r1kit.rewards.ranking import rerank_listwise
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_reasonrank_rl.py")
RAW = read_jsonl(FIXTURES / "reasonrank_rl.jsonl")
VAL = read_jsonl(FIXTURES / "reasonrank_rl_val.jsonl")  # the recipe's held-out split, same schema


def _user(row: dict) -> str:
    return [m["content"] for m in row["prompt"] if m["role"] == "user"][-1]


def test_query_passages_and_grades_from_the_prompt_and_extra_info():
    rows = list(prepare.convert(RAW + VAL))
    assert len(rows) == len(RAW + VAL)
    for src, row in zip(RAW + VAL, rows):
        info = src["extra_info"]
        assert f"Search Query: {row['query']}.\n" in _user(src)
        assert [p["docid"] for p in row["passages"]] == info["initial_list"]
        for k, passage in enumerate(row["passages"], 1):
            assert f"[{k}] {passage['text']}\n" in _user(src)
        assert row["relevance"] == [int(d in info["relevant_docids"]) for d in info["initial_list"]]
    assert any("\n" in p["text"] for row in rows for p in row["passages"])  # a passage over two lines stays whole


def test_the_adapter_writes_reasonrank_s_prompt_again():
    """Same system prompt; the user message differs only by the blank line r1kit puts before "Search Query"."""
    adapter = Rerank(mode="listwise")
    compared = 0
    for src, row in zip(RAW, prepare.convert(RAW)):
        example = adapter.example(row)
        assert example["prompt"][0] == {"role": "system", "content": src["prompt"][0]["content"]}
        assert RERANK_LISTWISE_SYSTEM == src["prompt"][0]["content"]
        if any("\n" in p["text"] for p in row["passages"]):
            continue  # the adapter puts a passage on one line
        assert example["prompt"][-1]["content"].replace("\n\nSearch Query", "\nSearch Query") == _user(src)
        compared += 1
    assert compared >= 3


def test_reward_of_reasonrank_s_own_ranking():
    """The R1 ranking in `ground_truth` puts the relevant passages first: full marks (1 + 0.2 + 0.1)."""
    adapter = Rerank(mode="listwise")
    for src, row in zip(RAW + VAL, prepare.convert(RAW + VAL)):
        example = adapter.example(row)
        truth = src["reward_model"]["ground_truth"]
        (score,) = rerank_listwise([f"<think> r </think>\n<answer>{truth}</answer>"], relevance=[example["relevance"]])
        assert score == pytest.approx(1.3)


@pytest.mark.parametrize("damage, message", [
    (lambda r: r["extra_info"]["initial_list"].pop(), "initial_list"),
    (lambda r: r["prompt"][-1].update(content=_user(r).replace("[2] ", "[9] ")), r"passage \[2\] is missing"),
    (lambda r: r["prompt"][-1].update(content="Rank these."), "not a ReasonRank listwise prompt"),
    (lambda r: r.pop("extra_info"), "extra_info"),
])
def test_unreadable_rows_are_refused(damage, message):
    row = copy.deepcopy(RAW[0])
    damage(row)
    with pytest.raises(ValueError, match=message):
        list(prepare.convert([row]))
