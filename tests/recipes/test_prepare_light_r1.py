"""scripts/prepare_light_r1.py: Light-R1-SFTData's ShareGPT conversations to math_qa rows, the R1 reply kept verbatim.

The fixtures are rows in the dataset's LLaMA-Factory ShareGPT schema (`conversations` of `from`/`value` turns),
with replies shaped like DeepSeek-R1's: <think>...</think>, then the answer in \\boxed{}.
"""

import pytest

from r1kit.data.math_qa import MathQA
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

convert = load_script(SCRIPTS / "prepare_light_r1.py").convert


@pytest.mark.parametrize("fixture", ["light_r1_stage1", "light_r1_stage2"])
def test_the_reply_is_the_sft_target_as_written_and_its_last_box_the_answer(fixture):
    rows = read_jsonl(FIXTURES / f"{fixture}.jsonl")
    examples = [MathQA(system_prompt=None, solution_as="verbatim").example(r) for r in convert(rows)]
    for row, example in zip(rows, examples, strict=True):
        question, reply = (t["value"] for t in row["conversations"])
        assert example["prompt"] == [{"role": "user", "content": question}]
        assert example["messages"][-1] == {"role": "assistant", "content": reply}
    assert examples[0]["answer"] in ("2", "63") and examples[3]["answer"] in (r"\frac{5}{6}", "32")


@pytest.mark.parametrize(("turns", "message"), [
    ([{"from": "user", "value": "1+1?"}], "a user and an assistant turn"),
    ([{"from": "human", "value": "1+1?"}, {"from": "gpt", "value": "It is 2."}], "no \\\\boxed"),
    ([], "a user and an assistant turn"),
])
def test_a_row_without_both_turns_or_a_boxed_answer_is_named(turns, message):
    ok = {"conversations": [{"from": "user", "value": "1+1?"}, {"from": "assistant", "value": r"\boxed{2}"}]}
    with pytest.raises(ValueError, match=message):
        list(convert([ok, {"conversations": turns}]))
