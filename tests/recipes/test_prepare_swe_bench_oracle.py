"""scripts/prepare_swe_bench_oracle.py: SWE-bench_oracle rows -> SWE-RL's repair prompt and search/replace reference."""

import json

import pytest

from r1kit.rewards.similarity import patch_similarity
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_swe_bench_oracle.py")


def test_fixture_rows_give_swe_rl_prompts_and_the_files_before_and_after():
    published = read_jsonl(FIXTURES / "swe_bench_oracle.jsonl")
    rows = list(prepare.convert(published))
    assert [r["instance_id"] for r in rows] == [p["instance_id"] for p in published]
    first = rows[0]
    assert first["question"].startswith("We are currently solving the following issue within our repository.")
    assert published[0]["problem_statement"].strip() in first["question"]
    assert "### requests/models.py\nclass PreparedRequest(object):\n" in first["question"]
    assert "README" not in first["question"]  # only the files the patch edits
    reference = json.loads(first["answer"])
    assert list(reference["code_context"]) == list(reference["oracle_new_content"]) == ["requests/models.py"]
    assert "self.headers['Content-Length'] = '0'\n        if hasattr" in reference["code_context"]["requests/models.py"]
    assert "elif self.method not in ('GET', 'HEAD'):" in reference["oracle_new_content"]["requests/models.py"]


def test_the_oracle_edit_written_as_search_replace_scores_one():
    row = next(r for r in prepare.convert(read_jsonl(FIXTURES / "swe_bench_oracle.jsonl"))
               if r["instance_id"] == "pallets__flask-4045")
    edit = ("```python\n### src/flask/blueprints.py\n<<<<<<< SEARCH\n        super().__init__(import_name=import_name, "
            "static_folder=static_folder)\n=======\n        super().__init__(import_name=import_name, "
            "static_folder=static_folder)\n\n        if \".\" in name:\n            raise ValueError(\"'name' may not "
            "contain a dot '.' character.\")\n\n>>>>>>> REPLACE\n```")
    completion = f"<think>\nthe name needs a check\n</think>\n<solution>\n{edit}\n</solution>"
    assert patch_similarity([completion], answer=[row["answer"]], mode="search_replace",
                            answer_tag="solution") == [1.0]


def test_line_numbers_are_removed_and_hunks_checked():
    assert prepare.oracle_files("[start of a.py]\n1 x = 1\n2 \n3 y = 2\n[end of a.py]") == {"a.py": "x = 1\n\ny = 2"}
    patch = "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n-x = 1\n+x = 3\n \n"
    assert prepare.apply_patch({"a.py": "x = 1\n\ny = 2"}, patch) == {"a.py": "x = 3\n\ny = 2"}
    assert prepare.apply_patch({}, "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n+z = 0\n") == {"new.py": "z = 0\n"}
    with pytest.raises(ValueError, match="does not apply"):
        prepare.apply_patch({"a.py": "x = 2\n\ny = 2"}, patch)


def test_bad_rows_are_refused_by_number():
    rows = read_jsonl(FIXTURES / "swe_bench_oracle.jsonl")[:2]
    with pytest.raises(ValueError, match=r"row 1 \(pallets__flask-4045\): SWE-bench_oracle rows need"):
        list(prepare.convert([rows[0], dict(rows[1], patch="")]))
    with pytest.raises(ValueError, match=r"row 0 \(psf__requests-1142\): the patch edits src/flask/blueprints.py"):
        list(prepare.convert([dict(rows[0], patch=rows[1]["patch"])]))
