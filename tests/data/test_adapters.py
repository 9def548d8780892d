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
