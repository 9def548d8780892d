"""patch_similarity: SWE-RL's format gate and difflib ratio, on SWE-RL's own test diffs."""

import difflib
import json

import pytest
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.similarity import (
    code_similarity,
    edit_similarity,
    file_diffs,
    patch_similarity,
    patch_similarity_score,
    ratio,
    strip_code,
)

# The diffs of SWE-RL's tests/test_reward.py.
DIFF_1 = """diff --git a/foo.txt b/foo.txt
index 83db48f..f73504f 100644
--- a/foo.txt
+++ b/foo.txt
@@ -1,4 +1,4 @@
-Hello world
+Hello World
 This is a file
-With some lines
+With some changed lines
 End
"""
DIFF_2 = DIFF_1.replace("+With some changed lines", "+With some changed")
DIFF_3 = DIFF_2.replace("foo.txt", "bar.txt")


def solution(text: str, tag: str = "answer") -> str:
    return f"<think>\ndummy\n</think>\n<{tag}>\n{text}\n</{tag}>\n"


def test_swe_rl_unidiff_cases():
    # SWE-RL: DIFF_2 vs DIFF_1 > 0.9; same -> 1.0; another file -> 0.0; [DIFF_1, DIFF_3] vs DIFF_1 -> 0.5.
    assert patch_similarity_score(DIFF_2, DIFF_1) > 0.9
    assert patch_similarity_score(DIFF_1, DIFF_1) == 1.0
    assert patch_similarity_score(DIFF_3, DIFF_1) == 0.0
    assert patch_similarity_score(DIFF_1 + DIFF_3, DIFF_1) == 0.5
    rewards = patch_similarity([solution(DIFF_1), solution(DIFF_3), chat(solution(DIFF_2))], answer=[DIFF_1] * 3)
    assert rewards[:2] == [1.0, 0.0] and rewards[2] > 0.9


def test_file_diffs_split_by_file_as_swe_rl():
    files = file_diffs(DIFF_1 + DIFF_3)
    assert sorted(files) == ["bar.txt", "foo.txt"]
    assert files["foo.txt"].startswith("@@ -1,4 +1,4 @@\n-Hello world") and files["foo.txt"].endswith(" End")
    plain = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"
    assert file_diffs(plain) == {"x.py": "@@ -1 +1 @@\n-a = 1\n+a = 2"}
    deleted = "diff --git a/y.py b/y.py\ndeleted file mode 100644\n--- a/y.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
    assert list(file_diffs(deleted)) == ["y.py"]
    assert file_diffs("no diff here") == {}


def test_text_mode_is_difflib_ratio():
    pred, ref = "def add(a: int, b: int) -> int:", "def add(a, b):"
    expected = difflib.SequenceMatcher(None, pred, ref, autojunk=False).ratio()
    assert patch_similarity([solution(pred)], answer=[ref]) == [pytest.approx(expected)]
    assert patch_similarity([solution(DIFF_2)], answer=[DIFF_1], mode="text") == [
        pytest.approx(difflib.SequenceMatcher(None, DIFF_2.strip(), DIFF_1.strip(), autojunk=False).ratio())]


@pytest.mark.parametrize("text", [
    "<answer>x = 1</answer>",                                      # no thought
    "<think>  </think><answer>x = 1</answer>",                     # empty thought
    "<think>t</think><answer>  </answer>",                         # empty solution
    "<think>t</think><answer>a</answer><answer>b</answer>",        # a tag twice
    "<think>t</think><think>u</think><answer>x = 1</answer>",
    "x = 1",
])
def test_format_errors_score_minus_one(text):
    assert patch_similarity([text], answer=["x = 1"]) == [-1.0]


def test_swe_rl_tags_and_missing_reference():
    assert patch_similarity([solution("x = 1", "solution")], answer=["x = 1"], answer_tag="solution") == [1.0]
    assert patch_similarity([solution("x = 1")] * 3, answer=[None, "  ", 3]) == [None] * 3


def test_long_predictions_score_zero_without_being_compared():
    ref = "x = 1\n" * 10
    assert ratio("y" * 100_000, ref) == 0.0
    assert patch_similarity([solution(ref * 50)], answer=[ref]) == [0.0]
    assert patch_similarity([solution(ref * 50)], answer=[ref], max_length_ratio=100) == [
        pytest.approx(2 * len(ref) / (len(ref) + len((ref * 50).strip())), abs=0.01)]


def test_options():
    for bad in ({"mode": "lines"}, {"max_length_ratio": 0.5}, {"max_length_ratio": True}):
        with pytest.raises(UserError):
            resolve("patch_similarity", **bad)


# SWE-RL's README example: a type hint added by one SEARCH/REPLACE edit.
FILE = "def sort_list(lst):\n    return sorted(lst)"
ORACLE = "def sort_list(lst: list[int]) -> list[int]:\n    return sorted(lst)"
REFERENCE = json.dumps({"code_context": {"example.py": FILE}, "oracle_new_content": {"example.py": ORACLE}})


def edit(search: str, replace: str, path: str = "example.py") -> str:
    return f"```python\n### {path}\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n```"


def test_search_replace_edits_are_applied_then_compared_as_swe_rl():
    right = edit("def sort_list(lst):", "def sort_list(lst: list[int]) -> list[int]:")
    close = edit("def sort_list(lst):", "def sort_list(lst: list) -> list:")
    other_file = edit("x = 1", "x = 2", path="other.py")
    rewards = patch_similarity([solution(right, "solution"), solution(close, "solution"),
                                solution(right + "\n" + other_file, "solution")],
                               answer=[REFERENCE] * 3, mode="search_replace", answer_tag="solution")
    assert rewards[0] == 1.0 and 0.5 < rewards[1] < 1.0
    assert rewards[2] == -1.0  # "x = 1" is not in other.py (absent: empty), so the edit does not apply


@pytest.mark.parametrize("text", [
    "no edit block at all",
    edit("def sort_list(lst):", "def sort_list(lst):"),          # search == replace
    edit("    def sort_list(lst):", "def f(lst):"),               # not in the file as written
    edit("ort_list(lst):", "ort_list(lst: list):"),               # matched from a line start only
])
def test_search_replace_bad_edits_score_minus_one(text):
    assert patch_similarity([solution(text)], answer=[REFERENCE], mode="search_replace") == [-1.0]


def test_search_replace_reference_must_be_the_json_of_files():
    right = solution(edit("def sort_list(lst):", "def f(lst):"))
    for bad in ("--- a/x\n+++ b/x\n", json.dumps({"code_context": {"a.py": 1}, "oracle_new_content": {}})):
        with pytest.raises(UserError, match="mode=search_replace: the answer column must be the JSON text"):
            patch_similarity([right], answer=[bad], mode="search_replace")


# ReCode's README example (numpy 2.2: _add_newdoc_ufunc deprecated in favour of ufunc.__doc__).
NEW_CODE = ('import numpy as np\n\nmy_ufunc = np.frompyfunc(lambda x: x**2, 1, 1)\n\n'
            'my_ufunc.__doc__ = "This is a custom ufunc that squares the input."')


def recode_reply(code: str) -> str:
    return f"the update replaces the helper</think>\n<answer>\n```python\n{code}\n```\n</answer>"


def test_code_similarity_is_recode_es_star_and_em_star():
    commented = NEW_CODE.replace("my_ufunc.__doc__", "# set the doc  # (was _add_newdoc_ufunc)\nmy_ufunc.__doc__")
    old = NEW_CODE.replace('my_ufunc.__doc__ = "', 'np._add_newdoc_ufunc(my_ufunc, "').rstrip('"') + '")'
    rewards = code_similarity([recode_reply(commented), recode_reply(old), "no code", recode_reply("def f(:")],
                              answer=[NEW_CODE] * 4)
    assert rewards[0] == 2.0  # comments and blank lines do not count
    a, b = strip_code(old), strip_code(NEW_CODE)
    assert rewards[1] == pytest.approx(edit_similarity(a, b) * 3.5 - 1.5) and -1.5 < rewards[1] < 2.0
    assert rewards[2:] == [-2.0, -2.0]  # no ```python block; a block that does not parse
    assert code_similarity([recode_reply(commented), recode_reply(old)], answer=[NEW_CODE] * 2,
                           metric="exact_match") == [2.0, -1.5]
    assert code_similarity([recode_reply(NEW_CODE)], answer=[None]) == [None]
    with pytest.raises(UserError, match="metric='bleu' must be one of edit_similarity, exact_match"):
        resolve("code_similarity", metric="bleu")


def test_edit_similarity_is_levenshtein_and_strings_keep_their_hashes():
    assert edit_similarity("kitten", "sitting") == pytest.approx(1 - 3 / 7)
    assert edit_similarity("", "") == 1.0 and edit_similarity("abc", "") == 0.0
    assert edit_similarity("x" * 3000, "y" * 3000) == 0.0  # over the table bound: scored as unlike
    assert strip_code('s = "#not a comment"  # a comment\n\n\nt = 1') == 's = "#not a comment"  \nt = 1'
