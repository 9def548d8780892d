"""scripts/prepare_recode.py: ReCode's API-update rows -> ReCode's user prompt and the updated code."""

import pytest

from r1kit.rewards.similarity import code_similarity
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_recode.py")


def test_fixture_rows_give_recode_prompts_and_the_new_code():
    published = read_jsonl(FIXTURES / "recode_train.jsonl")
    rows = list(prepare.convert(published))
    assert [r["answer"] for r in rows] == [p["new_code"] for p in published]
    first = rows[0]["question"]
    assert first.startswith("\nNumpy performed an API update in version 2.2.0, and the update content includes:\n<doc>\n")
    assert f"```python\n{published[0]['old_code']}\n```\n\nShow your work in <think> </think> tags." in first
    assert first.endswith("should be enclosed in ```python ``` tags.\n")
    # the updated code written back in ReCode's answer layout scores ES* 2.0, the old code less
    reply = f"reasoning</think>\n<answer>\n```python\n{published[1]['new_code']}\n```\n</answer>"
    stale = f"reasoning</think>\n<answer>\n```python\n{published[1]['old_code']}\n```\n</answer>"
    right, old = code_similarity([reply, stale], answer=[rows[1]["answer"]] * 2)
    assert right == 2.0 and old < 2.0


def test_bad_rows_are_refused_by_number():
    rows = read_jsonl(FIXTURES / "recode_train.jsonl")[:2]
    with pytest.raises(ValueError, match="row 1: ReCode rows need .* missing or empty: new_code"):
        list(prepare.convert([rows[0], dict(rows[1], new_code=" ")]))
