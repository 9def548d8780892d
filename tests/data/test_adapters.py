"""What every adapter shares: column mapping, option checks, the registry."""

import pytest

from r1kit.data.adapters import ADAPTERS
from r1kit.data.load import build_examples
from r1kit.data.math_qa import MathQA
from r1kit.errors import UserError
from tests.data.cases import spec, write_jsonl


def test_column_mapping(tmp_path):
    data = write_jsonl(tmp_path / "mapped.jsonl", [{"problem": "What is 3+4?", "final": "7"},
                                                    {"problem": "What is 5+5?", "final": "10"}])
    ds, adapter = build_examples(spec("math_qa", path=str(data), columns={"question": "problem", "answer": "final"},
                                      options={"system_prompt": None}), "datasets.mapped")
    assert ds["answer"] == ["7", "10"]
    assert ds[0]["prompt"] == [{"role": "user", "content": "What is 3+4?"}]  # options reach the adapter
    assert adapter.columns["question"] == "problem"


def test_column_mapping_with_an_unknown_role(tmp_path):
    with pytest.raises(UserError, match=r"unknown column role\(s\) \['qustion'\] in `columns`; it reads question"):
        MathQA(columns={"qustion": "q"})
    data = write_jsonl(tmp_path / "q.jsonl", [{"q": "1+1", "answer": "2"}])
    with pytest.raises(UserError, match=r"^datasets\.q\.columns: adapter math_qa: unknown column role"):
        build_examples(spec("math_qa", path=str(data), columns={"qustion": "q"}), "datasets.q")


def test_unknown_adapter_option(tmp_path):
    data = write_jsonl(tmp_path / "x.jsonl", [{"question": "1", "answer": "1"}])
    with pytest.raises(UserError, match=r"datasets\.x\.options: the `chat_sft` adapter got unexpected keyword "
                                        r"argument\(s\) \['sytem_prompt'\]"):
        build_examples(spec("chat_sft", path=str(data), options={"sytem_prompt": "hi"}), "datasets.x")


def test_registered_adapters():
    assert {"addition", "math_qa", "chat_sft"} <= set(ADAPTERS.names())
    assert all(cls.name == name for name, cls in ADAPTERS.items())


def test_few_shot_examples_come_before_every_question(tmp_path):
    data = write_jsonl(tmp_path / "q.jsonl", [{"question": "What is 2+2?", "answer": "4"}])
    shots = [{"user": "What is 1+1?", "assistant": "2"}, {"user": "What is 3+3?", "assistant": "6"}]
    ds, _ = build_examples(spec("math_qa", path=str(data), options={"system_prompt": "Be brief.", "few_shot": shots}),
                           "datasets.q")
    assert [(m["role"], m["content"]) for m in ds[0]["prompt"]] == [
        ("system", "Be brief."), ("user", "What is 1+1?"), ("assistant", "2"), ("user", "What is 3+3?"),
        ("assistant", "6"), ("user", "What is 2+2?")]


@pytest.mark.parametrize("shots", [[{"user": "1+1"}], [{"user": "1+1", "assistant": ""}], "1+1=2",
                                   [{"question": "1+1", "answer": "2"}]])
def test_malformed_few_shot_is_named(tmp_path, shots):
    data = write_jsonl(tmp_path / "q.jsonl", [{"question": "1", "answer": "1"}])
    with pytest.raises(UserError, match=r"`few_shot` must be a list of \{user: <text>, assistant: <text>\}"):
        build_examples(spec("math_qa", path=str(data), options={"few_shot": shots}), "datasets.q")
