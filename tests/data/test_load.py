"""Loading raw rows (jsonl, json, parquet, folders, generators) on real files written to tmp_path."""

import json
import re

import pytest

from r1kit.data.load import build_examples, load_rows
from r1kit.errors import UserError
from tests.data.cases import spec, write_jsonl

ROWS = [{"question": f"What is {i}+{i}?", "answer": str(2 * i)} for i in range(6)]


def test_load_jsonl_json_and_limit(tmp_path):
    jsonl = write_jsonl(tmp_path / "a.jsonl", ROWS)
    rows, source = load_rows(spec("math_qa", path=str(jsonl)), "datasets.a")
    assert rows == ROWS and source == f"datasets.a ({jsonl})"
    (tmp_path / "list.json").write_text(json.dumps(ROWS))
    (tmp_path / "wrapped.json").write_text(json.dumps({"data": ROWS, "version": "1"}))
    for name in ("list.json", "wrapped.json"):
        assert load_rows(spec("math_qa", path=str(tmp_path / name)), "d")[0] == ROWS
    ds, _ = build_examples(spec("math_qa", path=str(jsonl), limit=4), "datasets.a")
    assert len(ds) == 4 and ds["answer"] == ["0", "2", "4", "6"]


def test_load_parquet(tmp_path):
    import datasets

    path = tmp_path / "rows.parquet"
    datasets.Dataset.from_list(ROWS).to_parquet(str(path))
    rows, _ = load_rows(spec("math_qa", path=str(path)), "d")
    assert rows == ROWS
    ds, _ = build_examples(spec("math_qa", path=str(path)), "datasets.p")
    assert ds["answer"] == [r["answer"] for r in ROWS]


def test_load_folder_of_mixed_files(tmp_path):
    import pandas as pd

    folder = tmp_path / "shards"
    (folder / "sub").mkdir(parents=True)
    write_jsonl(folder / "a.jsonl", ROWS[:2])
    pd.DataFrame(ROWS[2:4]).to_parquet(folder / "b.parquet")
    (folder / "sub" / "c.json").write_text(json.dumps(ROWS[4:]))
    (folder / "README.md").write_text("not data")
    rows, source = load_rows(spec("math_qa", path=str(folder)), "datasets.f")
    assert sorted(rows, key=lambda r: r["question"]) == sorted(ROWS, key=lambda r: r["question"])
    assert str(folder) in source
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UserError, match=r"datasets\.e\.path: .*empty has no \.jsonl/\.json/\.parquet/\.csv files"):
        load_rows(spec("math_qa", path=str(empty)), "datasets.e")


def test_broken_files_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(ROWS[0]) + "\n" + '{"question": "x", ' + "\n")
    with pytest.raises(UserError, match=rf"{re.escape(str(bad))}:2: not valid JSON"):
        load_rows(spec("math_qa", path=str(bad)), "d")
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('[\n{"a": 1},\n{"a": }\n]')
    with pytest.raises(UserError, match=rf"{re.escape(str(bad_json))}: not valid JSON \(line 3"):
        load_rows(spec("math_qa", path=str(bad_json)), "d")
    bad_parquet = tmp_path / "bad.parquet"
    bad_parquet.write_bytes(b"definitely not parquet")
    with pytest.raises(UserError, match=rf"{re.escape(str(bad_parquet))}: could not be read as parquet"):
        load_rows(spec("math_qa", path=str(bad_parquet)), "d")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(UserError, match=r"datasets\.z \(.*empty\.jsonl\): no rows"):
        build_examples(spec("math_qa", path=str(empty)), "datasets.z")


def test_generator_with_bad_arguments():
    with pytest.raises(UserError, match=r"datasets\.g\.generator: .*unexpected keyword argument 'size'"):
        build_examples(spec("addition", generator={"name": "addition", "size": 5}), "datasets.g")
