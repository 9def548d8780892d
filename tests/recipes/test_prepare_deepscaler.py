"""scripts/prepare_deepscaler.py: DeepScaleR-Preview-Dataset rows to math_qa rows with DeepScaleR's prompt.

The fixtures are rows of the hub dataset's schema (problem, answer, solution), competition-style problems
written for the test.
"""

import pytest

from r1kit.data.math_qa import MathQA
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

script = load_script(SCRIPTS / "prepare_deepscaler.py")


def test_question_is_the_problem_then_deepscalers_instruction():
    rows = read_jsonl(FIXTURES / "deepscaler.jsonl")
    out = list(script.convert(rows))
    assert out[0]["question"] == (rows[0]["problem"]
                                  + " Let's think step by step and output the final answer within \\boxed{}.")
    assert [r["answer"] for r in out] == [r["answer"] for r in rows]
    example = MathQA(system_prompt=None).example(out[1])  # the autothink recipe's adapter options
    assert example["prompt"] == [{"role": "user", "content": out[1]["question"]}]
    assert example["answer"] == "30" and "messages" not in example  # the solution is not an SFT target here


@pytest.mark.parametrize(("row", "message"), [
    ({"answer": "3"}, "problem"),
    ({"problem": "2+1?", "answer": ""}, "answer"),
    ({"problem": "2+1?"}, "answer"),
])
def test_a_row_without_problem_or_answer_is_named(row, message):
    with pytest.raises(ValueError, match=f"row 1: no `{message}`"):
        list(script.convert([{"problem": "1+1?", "answer": "2"}, row]))


def test_autothink_template_ends_the_prompt_with_the_ellipsis():
    """The reply starts after `<think>\\n...\\n` (AutoThink's README), so `</think>` first means no-think."""
    import jinja2

    from tests.recipes.tiny import composed

    template = composed("autothink")["model"]["chat_template"]
    question = next(script.convert(read_jsonl(FIXTURES / "deepscaler.jsonl")))["question"]
    rendered = jinja2.Template(template).render(messages=[{"role": "user", "content": question}],
                                                add_generation_prompt=True)
    assert rendered == f"<｜begin▁of▁sentence｜><｜User｜>{question}<｜Assistant｜><think>\n...\n"
