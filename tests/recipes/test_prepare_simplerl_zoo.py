"""scripts/prepare_simplerl_zoo.py: SimpleRL-Zoo-Data's verl rows to math_qa rows, the prompt text kept verbatim.

The fixtures are rows in verl's schema (data_source, prompt, ability, reward_model, extra_info) with the
"qwen" prompt text of SimpleRL's own evaluation templates (examples/simplelr_math_eval/utils.py:134-140).
"""

import pytest

from r1kit.data.math_qa import MathQA
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

convert = load_script(SCRIPTS / "prepare_simplerl_zoo.py").convert


@pytest.mark.parametrize("fixture", ["simplerl_zoo", "simplerl_zoo_test"])
def test_prompt_text_kept_verbatim_and_ground_truth_is_the_answer(fixture):
    rows = read_jsonl(FIXTURES / f"{fixture}.jsonl")
    out = list(convert(rows))
    assert [r["question"] for r in out] == [r["prompt"][0]["content"] for r in rows]
    assert [r["answer"] for r in out] == [r["reward_model"]["ground_truth"] for r in rows]
    examples = [MathQA(system_prompt=None).example(r) for r in out]  # the recipe's adapter options
    assert examples[0]["prompt"] == [{"role": "user", "content": rows[0]["prompt"][0]["content"]}]
    assert [e["answer"] for e in examples] == [r["reward_model"]["ground_truth"] for r in rows]


def test_chat_template_of_the_recipe_passes_the_text_through():
    """The recipe's template renders the prompt as verl feeds it: the text alone, nothing added."""
    import jinja2

    from tests.recipes.tiny import composed

    template = composed("simplerl_zoo")["model"]["chat_template"]
    text = read_jsonl(FIXTURES / "simplerl_zoo.jsonl")[0]["prompt"][0]["content"]
    rendered = jinja2.Template(template).render(messages=[{"role": "user", "content": text}],
                                                add_generation_prompt=True)
    assert rendered == text


@pytest.mark.parametrize(("row", "message"), [
    ({"prompt": [], "reward_model": {"ground_truth": "3"}}, "prompt"),
    ({"prompt": [{"role": "user", "content": "2+1?"}], "reward_model": {"ground_truth": ""}}, "ground_truth"),
    ({"prompt": [{"role": "user", "content": "2+1?"}]}, "ground_truth"),
])
def test_a_row_without_prompt_or_answer_is_named(row, message):
    with pytest.raises(ValueError, match=message):
        list(convert([{"prompt": [{"role": "user", "content": "ok"}], "reward_model": {"ground_truth": "1"}}, row]))
