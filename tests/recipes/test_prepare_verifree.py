"""scripts/prepare_verifree.py: VeriFree's webdata rows (problem, answer, category) to math_qa rows with its prompt."""

import pytest

from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_verifree.py")


def test_the_question_carries_verifrees_instruction_and_the_answer_is_the_reference():
    rows = read_jsonl(FIXTURES / "verifree_webdata.jsonl")
    out = list(prepare.convert(rows))
    assert out[0]["question"] == (rows[0]["problem"] + "\nPlease reason step by step, and put your final answer "
                                  "within <answer> \\boxed{} </answer>.")
    assert [r["answer"] for r in out] == [r["answer"] for r in rows]
    assert out[3]["category"] == "Economics"


def test_the_recipes_template_renders_verifrees_prompt_string():
    """verifree.py builds `<|im_start|>user\\n{question}\\n{instruction}<|im_end|>\\n<|im_start|>assistant\\n`."""
    from r1kit.data.math_qa import MathQA
    from r1kit.models.tiny import build_char_tokenizer
    from tests.recipes.tiny import composed

    tokenizer = build_char_tokenizer()
    tokenizer.chat_template = {"chatml": tokenizer.chat_template}.get(composed("verifree")["model"]["chat_template"])
    row = next(prepare.convert(read_jsonl(FIXTURES / "verifree_webdata.jsonl")))
    prompt = MathQA(system_prompt=None).example(row)["prompt"]
    assert tokenizer.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True) == (
        f"<|im_start|>user\n{row['question']}<|im_end|>\n<|im_start|>assistant\n")


def test_a_save_to_disk_folder_is_read_as_verifree_stores_it(tmp_path):
    import datasets

    datasets.Dataset.from_list(read_jsonl(FIXTURES / "verifree_webdata.jsonl")).save_to_disk(tmp_path / "webdata")
    assert [r["answer"] for r in prepare.load(str(tmp_path / "webdata"))][:2] == ["carbon dioxide", "60"]


def test_a_row_without_problem_or_answer_is_named():
    with pytest.raises(ValueError, match="need `problem` and `answer`"):
        list(prepare.convert([{"problem": "Why?", "answer": ""}]))
