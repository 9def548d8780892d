"""completion_text, which every reward reads model output through, and check_tag for recipe options."""

import pytest
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards.text import check_tag, completion_text


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


@pytest.mark.parametrize("tag", ["", "<think>", "a/b", " think", None, 3])
def test_check_tag_refuses_names_that_are_not_tags(tag):
    with pytest.raises(UserError, match="think_tag"):
        check_tag("think_tag", tag)
