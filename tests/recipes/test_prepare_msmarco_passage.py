"""scripts/prepare_msmarco_passage.py: Tevatron/msmarco-passage rows become Rank-R1's setwise rows."""

import gzip
import json

import pytest
import yaml

from r1kit.data.text_adapters import Rerank
from r1kit.rewards.ranking import rerank_setwise
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_msmarco_passage.py")
FIXTURE = FIXTURES / "msmarco_passage.jsonl"


def _row(n_negatives: int) -> dict:
    return {"query_id": "7", "query": "q", "positive_passages": [{"docid": "p", "title": "", "text": "gold"}],
            "negative_passages": [{"docid": f"n{i}", "title": "t", "text": f"neg {i}"} for i in range(n_negatives)]}


def test_positive_first_then_the_row_s_negatives():
    raw = read_jsonl(FIXTURE)
    rows = list(prepare.convert(raw))
    assert len(rows) == len(raw)
    for src, row in zip(raw, rows):
        assert row["query"] == src["query"]
        assert row["passages"][0]["text"] == src["positive_passages"][0]["text"]
        negatives = {d["docid"] for d in src["negative_passages"]}
        assert {p["docid"] for p in row["passages"][1:]} == negatives  # fewer than 19: all of them
        assert row["relevance"] == [1] + [0] * len(negatives)


def test_nineteen_negatives_drawn_by_seed_as_rank_r1():
    """create_dataset.py keeps 19 shuffled negatives: 20 documents per prompt."""
    (row,) = prepare.convert([_row(40)])
    assert len(row["passages"]) == 20
    assert len({p["docid"] for p in row["passages"]}) == 20
    assert list(prepare.convert([_row(40)])) == [row]  # the same file every time
    others = [next(prepare.convert([_row(40)], seed=s))["passages"] for s in (1, 2, 3)]
    assert any(p != row["passages"] for p in others)


def test_a_row_without_positive_is_refused():
    row = dict(_row(3), positive_passages=[])
    with pytest.raises(ValueError, match="no positive"):
        list(prepare.convert([row]))


def test_adapter_prompt_and_reward_name_the_positive():
    """Through the recipe's adapter (setwise, shuffled): the answer label is where the positive went."""
    adapter = Rerank(mode="setwise", shuffle=True)
    for row in prepare.convert(read_jsonl(FIXTURE)):
        example = adapter.example(row)
        label = example["answer"]
        user = example["prompt"][-1]["content"]
        assert f'Given the query: "{row["query"]}", which of the following documents is most relevant?' in user
        assert f"{label} {row['passages'][0]['text']}" in user
        wrong = "[1]" if label != "[1]" else "[2]"
        completions = [f"<think> x </think> <answer>{label}</answer>", f"<think> x </think> <answer>{wrong}</answer>"]
        assert rerank_setwise(completions, relevance=[example["relevance"]] * 2) == [1.0, 0.0]


@pytest.mark.parametrize("gz", [False, True], ids=["jsonl", "jsonl.gz"])
def test_main_writes_what_convert_gives(tmp_path, gz):
    """From a jsonl file, or streamed from a jsonl.gz as Tevatron ships train.jsonl.gz."""
    source = FIXTURE
    if gz:
        source = tmp_path / "train.jsonl.gz"
        source.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    out = tmp_path / "data" / "msmarco_passage.jsonl"
    prepare.main(["--source", str(source), "--out", str(out)])
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert written == list(prepare.convert(read_jsonl(FIXTURE)))


def test_recipe_prompt_is_rank_r1_s():
    """recipes/rank_r1.yaml's adapter writes prompts/prompt_setwise-R1.toml's system and user prompts."""
    from tests.recipes.tiny import REPO

    system = ("A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
              "The assistant first thinks about the reasoning process in the mind and then provides the user with "
              "the answer. The reasoning process and answer are enclosed within <think> </think> and <answer> "
              "</answer> tags, respectively, i.e., <think> reasoning process here </think> <answer> answer here "
              "</answer>.")
    user = ('Given the query: "{query}", which of the following documents is most relevant?\n{docs}\nAfter '
            "completing the reasoning process, please provide only the label of the most relevant document to the "
            "query, enclosed in square brackets, within the answer tags. For example, if the third document is the "
            "most relevant, the answer should be: <think> reasoning process here </think> <answer>[3]</answer>.")
    recipe = yaml.safe_load((REPO / "recipes" / "rank_r1.yaml").read_text(encoding="utf-8"))
    adapter = Rerank(**recipe["datasets"]["msmarco"]["options"])
    row = next(prepare.convert(read_jsonl(FIXTURE)))
    example = adapter.example(row)
    docs = "\n".join(f"[{i + 1}] {p['text']}" for i, p in enumerate(_shown_order(example, row)))
    assert example["prompt"] == [{"role": "system", "content": system},
                                 {"role": "user", "content": user.format(query=row["query"], docs=docs)}]


def _shown_order(example: dict, row: dict) -> list[dict]:
    """The row's passages in the order the (shuffled) prompt lists them."""
    user = example["prompt"][-1]["content"]
    return sorted(row["passages"], key=lambda p: user.index(p["text"]))
