"""The reasoning_gym generator and adapter: reasoning-gym's own rows, mixtures, curriculum levels, references."""

import json
from collections import Counter

import pytest
import reasoning_gym

from r1kit.data.load import build_examples
from r1kit.data.reasoning_gym import generate
from r1kit.errors import UserError
from tests.data.cases import spec, write_jsonl


def _entry(row):
    source = json.loads(row["rg_source"])
    return reasoning_gym.create_dataset(source["task"], **source["options"])[source["index"]]


def test_rows_are_reasoning_gyms_own_and_their_reference_rebuilds_each_entry():
    rows = generate("chain_sum", size=5, seed=7)
    dataset = reasoning_gym.create_dataset("chain_sum", size=5, seed=7)
    assert [r["question"] for r in rows] == [dataset[i]["question"] for i in range(5)]
    assert [r["answer"] for r in rows] == [dataset[i]["answer"] for i in range(5)]
    for row in rows:
        assert _entry(row)["question"] == row["question"]
    assert generate("chain_sum", size=5, seed=7) == rows
    assert generate("chain_sum", size=5, seed=8) != rows


def test_a_weighted_mixture_is_reasoning_gyms_composite_and_each_row_rebuilds_from_its_part():
    rows = generate({"chain_sum": 3, "leg_counting": {"weight": 1, "options": {"min_animals": 1, "max_animals": 2}}}, size=200, seed=0)
    counts = Counter(r["rg_task"] for r in rows)
    assert set(counts) == {"chain_sum", "leg_counting"}
    assert counts["chain_sum"] > 2 * counts["leg_counting"]  # weights 3:1 (seed 0: 154:46)
    for row in rows[:40]:
        entry = _entry(row)
        assert entry["question"] == row["question"] and entry["metadata"]["source_dataset"] == row["rg_task"]
    legs = [json.loads(r["rg_source"]) for r in rows if r["rg_task"] == "leg_counting"]
    assert all(s["options"]["max_animals"] == 2 for s in legs)


def test_a_level_sets_the_options_of_the_tasks_curriculum():
    easy, hard = generate("basic_arithmetic", size=20, level=0), generate("basic_arithmetic", size=20, level=3)
    curriculum = reasoning_gym.factory.create_curriculum("basic_arithmetic")
    attr = curriculum.attributes["num_terms"]
    easy_options, hard_options = (json.loads(rows[0]["rg_source"])["options"] for rows in (easy, hard))
    assert easy_options["max_terms"] == attr.levels[0] < hard_options["max_terms"]
    assert {r["difficulty"] for r in easy} == {0} and {r["difficulty"] for r in hard} == {3}
    assert max(len(r["question"]) for r in easy) < max(len(r["question"]) for r in hard)
    capped = generate("basic_arithmetic", size=2, level=99)  # every attribute at its own highest level
    assert json.loads(capped[0]["rg_source"])["options"]["max_terms"] == attr.levels[-1]
    one = generate("basic_arithmetic", size=2, level={"num_terms": 1})
    assert json.loads(one[0]["rg_source"])["options"]["max_terms"] == attr.levels[1]


def test_the_adapter_builds_prompts_and_keeps_the_reference():
    generator = {"name": "reasoning_gym", "tasks": ["chain_sum", "leg_counting"], "size": 6, "seed": 1}
    ds, adapter = build_examples(spec("reasoning_gym", generator=generator), "datasets.rg")
    assert adapter.metric == "reasoning_gym"
    row = ds[0]
    assert row["task"] == "reasoning_gym" and row["rg_task"] in ("chain_sum", "leg_counting")
    assert row["prompt"][0]["role"] == "system" and row["prompt"][-1]["content"] == _entry(row)["question"]
    assert json.loads(row["rg_source"])["task"] == row["rg_task"]


def test_rows_from_a_file_keep_their_reference(tmp_path):
    path = write_jsonl(tmp_path / "rg.jsonl", generate("chain_sum", size=3))
    ds, _ = build_examples(spec("reasoning_gym", path=path), "datasets.rg")
    assert [_entry(r)["answer"] for r in ds] == ds["answer"]
    broken = write_jsonl(tmp_path / "broken.jsonl", [{"question": "1+1?", "rg_source": "{not json"}])
    with pytest.raises(UserError, match=r"row 0: column 'rg_source' is not a reasoning-gym reference"):
        build_examples(spec("reasoning_gym", path=broken), "datasets.rg")


@pytest.mark.parametrize(("generator", "message"), [
    ({"tasks": "chain_sums"}, r"unknown reasoning-gym task 'chain_sums'. Did you mean chain_sum"),
    ({}, r"give `tasks`"),
    ({"tasks": {"chain_sum": {"weight": 0}}}, r"tasks.chain_sum.weight=0 must be a number > 0"),
    ({"tasks": {"chain_sum": {"wieght": 1}}}, r"tasks.chain_sum must be a weight or a mapping"),
    ({"tasks": {"chain_sum": {"options": {"min_terms": 9, "max_terms": 2}}}}, r"refused the task options"),
    ({"tasks": {"chain_sum": {"options": {"seed": 3}}}}, r"seed and size are the generator's own keys"),
    ({"tasks": "chain_sum", "level": {"num_termz": 1}}, r"no curriculum attribute \['num_termz'\]"),
    ({"tasks": "chain_sum", "level": -1}, r"level -1 .* must be a whole number >= 0"),
    ({"tasks": "chain_sum", "size": 0}, r"size=0 must be a whole number >= 1"),
])
def test_bad_generator_options_name_the_key(generator, message):
    with pytest.raises(UserError, match=message):
        build_examples(spec("reasoning_gym", generator={"name": "reasoning_gym", **generator}), "datasets.rg")


def test_a_prompt_template_wraps_the_question_in_the_papers_instruction():
    generator = {"name": "reasoning_gym", "tasks": "chain_sum", "size": 2, "seed": 1}
    options = {"system_prompt": None, "prompt_template": "{question}Answer in <answer> </answer> tags, e.g. {{1}}."}
    ds, _ = build_examples(spec("reasoning_gym", generator=generator, options=options), "datasets.rg")
    question = _entry(ds[0])["question"]
    assert ds[0]["prompt"] == [{"role": "user", "content": question + "Answer in <answer> </answer> tags, e.g. {1}."}]


@pytest.mark.parametrize("template", ["no question here", "{question} {answer}", 3])
def test_a_prompt_template_without_the_question_is_refused(template):
    generator = {"name": "reasoning_gym", "tasks": "chain_sum", "size": 2, "seed": 1}
    with pytest.raises(UserError, match="prompt_template=.*must be text that shows the question"):
        build_examples(spec("reasoning_gym", generator=generator, options={"prompt_template": template}), "datasets.rg")
