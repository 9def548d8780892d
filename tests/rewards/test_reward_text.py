"""The text helpers every reward reads model output through."""

import pytest
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards.text import (
    answer_span,
    check_tag,
    completion_text,
    last_boxed,
    last_tag_block,
    outside_tag,
    tag_blocks,
)


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("plain", "plain"),
        (chat("from chat"), "from chat"),
        ({"role": "assistant", "content": "one message"}, "one message"),
        ([{"role": "assistant", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}], "ab"),
        (
            [
                {"role": "assistant", "content": "call"},
                {"role": "tool", "content": "tool output"},
                {"role": "assistant", "content": "final"},
            ],
            "call\nfinal",
        ),
        (None, ""),
        (chat(None), ""),
        ([{"role": "assistant"}], ""),
        ([], ""),
        (12345, ""),
        ([None, "stray", {"content": 3}], ""),
    ],
)
def test_completion_text_reads_every_shape_trl_passes(completion, expected):
    assert completion_text(completion) == expected


def test_tag_blocks_match_like_a_non_greedy_regex():
    assert tag_blocks("<a>1</a> x <a>2</a>", "a") == ["1", "2"]
    assert tag_blocks("<a>1<a>2</a>3</a>", "a") == ["1<a>2"]
    assert tag_blocks("<a>unclosed", "a") == []
    assert last_tag_block("<a>1</a><a>2</a>", "a") == "2"
    assert last_tag_block("no tags", "a") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>r</think>after", "after"),
        ("before<think>r</think>after", "beforeafter"),
        ("<think>never closed \\boxed{1}", ""),
        ("prefilled by the template</think>after", "after"),
        ("<think><think>x</think></think>after", "after"),
        ("<think>a</think>mid<think>b</think>end", "midend"),
        ("no reasoning", "no reasoning"),
    ],
)
def test_outside_tag_keeps_only_what_follows_the_reasoning(text, expected):
    assert outside_tag(text, "think") == expected


def test_last_boxed_matches_braces_and_skips_malformed_boxes():
    assert last_boxed("\\boxed{1} then \\boxed{\\frac{1}{2}}") == "\\frac{1}{2}"
    assert last_boxed("\\boxed{1} then \\boxed{unclosed") == "1"
    assert last_boxed("\\fbox{7}") == "7"
    assert last_boxed("\\boxed{" + "9" * 2000 + "}") is None
    assert last_boxed("no box") is None


def test_answer_span_ignores_answers_inside_the_reasoning():
    assert answer_span("<think><answer>1</answer></think><answer>2</answer>") == "2"
    assert answer_span("<think><answer>1</answer></think>") is None
    assert answer_span("<r>x</r><a>3</a>", think_tag="r", answer_tag="a") == "3"


@pytest.mark.parametrize("tag", ["", "<think>", "a/b", " think", None, 3])
def test_check_tag_refuses_names_that_are_not_tags(tag):
    with pytest.raises(UserError, match="think_tag"):
        check_tag("think_tag", tag)
