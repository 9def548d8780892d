"""The math_qa adapter: GSM8K and MATH gold answers, cold-start targets, bad rows."""

import re

import pytest

from r1kit.answers import gold_answer, last_boxed
from r1kit.data.adapters import R1_SYSTEM_PROMPT
from r1kit.data.load import build_examples
from r1kit.data.math_qa import MathQA
from r1kit.errors import UserError
from tests.data.cases import spec, write_jsonl


def test_math_qa_gsm8k_rows():
    row = {"question": "Natalia sold 48 clips in April and 1,024 in May. How many in all?",
           "answer": "She sold 48+1,024 = <<48+1024=1072>>1,072 clips.\n#### 1,072"}
    ex = MathQA().example(row)
    assert ex["answer"] == "1072" and ex["task"] == "math_qa"
    assert ex["prompt"] == [{"role": "system", "content": R1_SYSTEM_PROMPT},
                            {"role": "user", "content": row["question"]}]
    # GSM8K's reasoning before #### becomes a cold-start target
    target = ex["messages"][-1]
    assert target["role"] == "assistant" and ex["messages"][:-1] == ex["prompt"]
    assert target["content"] == "<think>She sold 48+1,024 = <<48+1024=1072>>1,072 clips.</think><answer>1072</answer>"


def test_math_qa_plain_answer_has_no_sft_target():
    ex = MathQA().example({"question": "2+2?", "answer": "4"})
    assert ex["answer"] == "4" and "messages" not in ex


def test_math_style_boxed_answers_keep_nested_braces():
    solution = r"We have $x = \frac{2}{4}$, so $x = \boxed{\frac{1}{2}}$."
    assert last_boxed(solution) == r"\frac{1}{2}"
    assert last_boxed(r"\boxed{1} then \boxed{\sqrt{\frac{a}{b}}}") == r"\sqrt{\frac{a}{b}}"
    assert last_boxed(r"\boxed{unbalanced") is None and last_boxed("no box") is None
    assert gold_answer(solution) == r"\frac{1}{2}" and gold_answer(" 17 ") == "17"
    ex = MathQA(columns={"question": "problem"}).example({"problem": "Solve 4x = 2.", "solution": solution})
    assert ex["answer"] == r"\frac{1}{2}"
    content = ex["messages"][-1]["content"]
    assert content == rf"<think>{solution}</think><answer>\frac{{1}}{{2}}</answer>"


def test_math_qa_solution_already_tagged_is_kept():
    solution = "<think>6*7 is 42</think><answer>42</answer>"
    ex = MathQA().example({"question": "6*7?", "answer": "42", "solution": solution})
    assert ex["answer"] == "42" and ex["messages"][-1]["content"] == solution


def test_math_qa_bad_rows_name_the_row(tmp_path):
    data = write_jsonl(tmp_path / "qa.jsonl", [{"question": "1+1", "answer": "2"}, {"question": "  ", "answer": "3"}])
    with pytest.raises(UserError, match=rf"datasets\.qa \({re.escape(str(data))}\), row 1: column 'question' is empty"):
        build_examples(spec("math_qa", path=str(data)), "datasets.qa")
    data = write_jsonl(tmp_path / "noanswer.jsonl", [{"question": "1+1", "answer": ""}])
    with pytest.raises(UserError, match=r"row 0: no answer in 'answer' or 'solution'"):
        build_examples(spec("math_qa", path=str(data)), "datasets.qa")


def test_math_qa_needs_an_answer_or_a_solution_column(tmp_path):
    data = write_jsonl(tmp_path / "q.jsonl", [{"question": "1+1", "gold": "2"}])
    with pytest.raises(UserError, match=r"needs an answer: a column 'answer' or a solution 'solution'.*\['gold', "
                                        r"'question'\].*columns: \{answer: <column>\}"):
        build_examples(spec("math_qa", path=str(data)), "datasets.qa")


def test_a_distilled_reply_is_kept_verbatim_as_the_sft_target():
    """Light-R1's SFT data: DeepSeek-R1 replies, <think> then a \\boxed{} answer, trained on as written."""
    reply = "<think>3 and 4 make 7.</think>\n\nThe sum is $\\boxed{7}$."
    out = MathQA(system_prompt=None, solution_as="verbatim").example({"question": "3+4?", "solution": reply})
    assert out["answer"] == "7" and out["messages"][-1] == {"role": "assistant", "content": reply}
    wrapped = MathQA(system_prompt=None).example({"question": "3+4?", "solution": reply})["messages"][-1]["content"]
    assert wrapped.startswith("<think><think>")  # why verbatim exists: the default wraps it again
    with pytest.raises(UserError, match=r"solution_as='raw': use `r1_tags` .* or `verbatim`"):
        MathQA(solution_as="raw")


def test_a_verbatim_answer_is_not_read_for_a_gold_answer():
    """Code or patches as references (SWE-RL, ReCode): `####` or `\\boxed{}` inside them is just text."""
    code = "#### helpers\ndef f(x):\n    return x  # \\boxed{x}\n"
    assert MathQA().example({"question": "q", "answer": code})["answer"] == "helpers\ndef f(x):\n    return x  # \\boxed{x}"
    assert MathQA(answer_as="verbatim").example({"question": "q", "answer": code})["answer"] == code.strip()
    with pytest.raises(UserError, match=r"answer_as='raw': use `gold` .* or `verbatim`"):
        MathQA(answer_as="raw")


def test_a_row_system_turn_replaces_the_system_prompt():
    row = {"question": "2+2?", "answer": "4", "system": "Put the final answer in \\boxed{}."}
    for adapter in (MathQA(), MathQA(system_prompt=None)):
        assert adapter.example(row)["prompt"] == [{"role": "system", "content": row["system"]},
                                                  {"role": "user", "content": "2+2?"}]
    # an empty system column keeps the adapter's own
    assert MathQA().example({**row, "system": ""})["prompt"][0] == {"role": "system", "content": R1_SYSTEM_PROMPT}
