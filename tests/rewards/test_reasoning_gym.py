"""reasoning_gym: each task's own score_answer on the answer outside the reasoning, in the sandbox by default."""

import json

import pytest
import reasoning_gym as rg
from reward_cases import HOSTILE

from r1kit.data.reasoning_gym import generate
from r1kit.errors import UserError
from r1kit.rewards import resolve

TASKS = ["chain_sum", "leg_counting", "arc_agi", "n_queens", "countdown", "word_sorting"]


@pytest.fixture(scope="module")
def rows():
    return generate({task: 1 for task in TASKS}, size=24, seed=0)


def _answer(text) -> str:
    return f"<think>working it out</think>\n<answer>{text}</answer>"


def _own_score(row, answer):
    source = json.loads(row["rg_source"])
    dataset = rg.create_dataset(source["task"], **source["options"])
    return dataset.score_answer(answer, dataset[source["index"]])


@pytest.mark.parametrize("sandbox", [True, False])
def test_scores_are_the_tasks_own(rows, sandbox):
    assert {r["rg_task"] for r in rows} == set(TASKS)
    candidates = [r["answer"] for r in rows] + ["7", "", "[1, 2]"] * 8
    sources = [r["rg_source"] for r in rows] * 2
    rewards = resolve("reasoning_gym", sandbox=sandbox)([_answer(c) for c in candidates], rg_source=sources)
    expected = [_own_score(row, c.strip()) for row, c in zip(rows * 2, candidates)]
    assert rewards == pytest.approx(expected)
    assert rewards[: len(rows)] == [1.0] * len(rows)  # the oracle answers, where each task has one
    assert min(rewards[len(rows):]) < 1.0


def test_the_answer_is_read_outside_the_reasoning(rows):
    row = next(r for r in rows if r["rg_task"] == "chain_sum")
    fn = resolve("reasoning_gym", sandbox=False)
    right, wrong = row["answer"], str(int(row["answer"]) + 1)
    completions = [f"<think><answer>{right}</answer></think><answer>{wrong}</answer>",
                   f"<think>so <answer>{right}</answer></think>",
                   f"<think>{wrong}?</think> {right} ",
                   f"<answer>  {right}\n</answer>"]
    assert fn(completions, rg_source=[row["rg_source"]] * 4) == [0.0, 0.0, 0.0, 1.0]
    outside = resolve("reasoning_gym", sandbox=False, answer_tag=None)
    assert outside(completions[2:3], rg_source=[row["rg_source"]]) == [1.0]


def test_rows_without_a_reference_are_skipped(rows):
    fn = resolve("reasoning_gym")
    sources = [None, "", "{broken", json.dumps({"task": "chain_sum", "options": {}, "index": True}), rows[0]["rg_source"]]
    assert fn([_answer(rows[0]["answer"])] * 5, rg_source=sources) == [None, None, None, None, 1.0]
    assert fn([_answer("1")] * 2) == [None, None]


def test_model_text_a_scorer_evaluates_runs_in_the_sandbox(rows, tmp_path):
    queens = next(r for r in rows if r["rg_task"] == "n_queens")  # n_queens' scorer calls eval() on the answer
    marker = tmp_path / "written_by_the_answer"
    answer = _answer(f"open({str(marker)!r}, 'w').write('x')")
    assert resolve("reasoning_gym")([answer], rg_source=[queens["rg_source"]]) == [0.0]
    assert not marker.exists()
    resolve("reasoning_gym", sandbox=False)([answer], rg_source=[queens["rg_source"]])
    assert marker.exists()  # why the sandbox is the default: in this process the answer ran


def test_an_answer_that_ends_the_sandbox_costs_only_its_own_row(rows):
    queens = next(r for r in rows if r["rg_task"] == "n_queens")
    others = [r for r in rows if r["rg_task"] in ("chain_sum", "leg_counting")]
    completions = [_answer(r["answer"]) for r in others] + [_answer("__import__('os')._exit(0)")]
    sources = [r["rg_source"] for r in others] + [queens["rg_source"]]
    assert resolve("reasoning_gym")(completions, rg_source=sources) == [1.0] * len(others) + [0.0]


def test_a_slow_answer_stops_at_the_row_time_limit(rows):
    countdown = next(r for r in rows if r["rg_task"] == "countdown")  # sympy's parse_expr reads the answer
    fn = resolve("reasoning_gym", row_time_s=1)
    completions = [_answer("9**9**9**9"), _answer(countdown["answer"]), "<answer>" + "1+" * 30_000 + "1</answer>"]
    assert fn(completions, rg_source=[countdown["rg_source"]] * 3) == [0.0, 1.0, 0.0]


def test_hostile_output_scores_low(rows):
    row = rows[0]
    fn = resolve("reasoning_gym", time_s=20, row_time_s=2)
    rewards = fn(list(HOSTILE.values()), rg_source=[row["rg_source"]] * len(HOSTILE))
    assert all(r is not None and 0.0 <= r < 1.0 for r in rewards), dict(zip(HOSTILE, rewards))


@pytest.mark.parametrize(("options", "message"), [
    ({"sandbox": "yes"}, r"sandbox='yes' must be true or false"),
    ({"time_s": 0}, r"time_s=0 must be a number of seconds"),
    ({"row_time_s": -1}, r"row_time_s=-1 must be a number of seconds"),
    ({"memory_mb": 100}, r"memory_mb=100 must be a whole number >= 256"),
    ({"answer_tag": "<answer>"}, r"answer_tag='<answer>' must be a tag name"),
    ({"row_time": 1}, r"has no option 'row_time'"),
])
def test_bad_options_fail_when_the_recipe_is_read(options, message):
    with pytest.raises(UserError, match=message):
        resolve("reasoning_gym", **options)


def test_an_unknown_isolation_is_refused_naming_the_option():
    with pytest.raises(UserError, match=r"isolation='jail' must be auto, namespaces or process"):
        resolve("reasoning_gym", isolation="jail")
