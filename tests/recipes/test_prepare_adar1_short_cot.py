"""scripts/prepare_adar1_short_cot.py: short solutions -> math_qa rows whose SFT target is the reply as written.

The fixtures are `problem`/`solution` rows as AdaR1's format_dataset reads them (an instruct model's short
reply ending in \\boxed{}), with the extra ground-truth column its script drops.
"""

import pytest

from r1kit.data.math_qa import MathQA
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

convert = load_script(SCRIPTS / "prepare_adar1_short_cot.py").convert


def test_the_prompt_carries_adar1s_instruction_and_the_reply_is_the_target():
    rows = read_jsonl(FIXTURES / "adar1_short_cot.jsonl")
    examples = [MathQA(system_prompt=None, solution_as="verbatim").example(r) for r in convert(rows)]
    for row, example in zip(rows, examples, strict=True):
        question = f"{row['problem']} Let's think step by step and output the final answer within \\boxed{{}}."
        assert example["prompt"] == [{"role": "user", "content": question}]
        assert example["messages"][-1] == {"role": "assistant", "content": row["solution"]}
        assert example["answer"] == row["ground_truth_answer"]


@pytest.mark.parametrize(("row", "message"), [
    ({"problem": "", "solution": "\\boxed{1}"}, "row 1: `problem`"),
    ({"problem": "1+1?", "solution": "It is 2."}, "row 1: `solution` must be"),
])
def test_a_row_without_a_problem_or_a_boxed_reply_is_named(row, message):
    with pytest.raises(ValueError, match=message):
        list(convert([{"problem": "2+2?", "solution": "\\boxed{4}"}, row]))
