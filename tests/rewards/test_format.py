"""think_format (strict, a fullmatch like R1-V's) and think_format_soft (open-r1 tag_count)."""

import pytest
from reward_cases import GOOD, chat

from r1kit.errors import UserError
from r1kit.rewards.format import think_format, think_format_soft, think_only_format


@pytest.mark.parametrize(
    "text",
    [
        GOOD,
        "<think>\nreason\n</think>\n<answer>\n5\n</answer>",  # open-r1's layout
        "  \n<think>r</think><answer>5</answer>\n ",  # surrounding whitespace is stripped
        "<think></think><answer></answer>",  # R1-V's .*? allows empty blocks
    ],
)
def test_think_format_accepts_the_r1_layout(text):
    assert think_format([text]) == [1.0]
    assert think_format([chat(text)]) == [1.0]


@pytest.mark.parametrize(
    "text",
    [
        "<think>r</think> so <answer>5</answer>",  # text between the blocks
        "preamble <think>r</think><answer>5</answer>",
        "<think>r</think><answer>5</answer> postscript",
        "<think><think>x</think></think><answer>5</answer>",  # nested
        "<think>a</think><think>b</think><answer>5</answer>",  # repeated think
        "<think>a</think><answer>4</answer><answer>5</answer>",  # two answers
        "<answer>5</answer><think>why</think>",  # wrong order
        "<think>r</think>",
        "<answer>5</answer>",
        "<think>r<answer>5</answer></think>",
        "",
    ],
)
def test_think_format_rejects_anything_else(text):
    assert think_format([text]) == [0.0]


def test_think_format_uses_configured_tags():
    text = "<reasoning>r</reasoning><final>5</final>"
    assert think_format([text], think_tag="reasoning", answer_tag="final") == [1.0]
    assert think_format([text]) == [0.0]
    with pytest.raises(UserError):
        think_format([text], think_tag="<reasoning>")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD, 1.0),
        ("<answer>5</answer><think>why</think>", 1.0),  # order is think_format's job
        ("<think>r</think> 5", 0.5),
        ("<think>a</think><think>b</think><answer>5</answer>", 0.5),
        ("<think>r", 0.25),
        ("nothing", 0.0),
        ("", 0.0),
    ],
)
def test_think_format_soft_counts_tags_present_exactly_once(text, expected):
    assert think_format_soft([text]) == [expected]
    assert think_format_soft([chat(text)]) == [expected]


def test_soft_format_uses_configured_tags():
    assert think_format_soft(["<r>x</r><a>5</a>"], think_tag="r", answer_tag="a") == [1.0]


OPEN_R1_FORMAT = r"^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$"  # open-r1 format_reward's pattern


@pytest.mark.parametrize(
    "text",
    [
        "<think>\nr\n</think>\n<answer>\n5\n</answer>\nActually, the answer is 6.",
        "<think>\nr\n</think>\n<answer>\n5\n</answer>\nor \\boxed{6}",
    ],
)
def test_think_format_is_a_fullmatch_where_open_r1s_multiline_dollar_is_not(text):
    import re

    # open-r1 matches with re.MULTILINE, so its `$` stops at the first line end after </answer>.
    assert re.match(OPEN_R1_FORMAT, text, re.DOTALL | re.MULTILINE)
    assert not re.fullmatch(OPEN_R1_FORMAT, text, re.DOTALL)
    assert think_format([text]) == [0.0]


THINK_ONLY_CASES = [
    "<think>\nThis is my reasoning.\n</think>\nThis is my answer.",  # TRL's docstring cases
    "<think>\nThis is my reasoning.\nThis is my answer.",
    "<think>\nThis is my reasoning.\n</think>\n<answer>5</answer>",  # answer tags allowed, not needed
    "<think></think>",
    "<think>a</think>b</think>",  # TRL allows a stray close
    "<think>a</think><think>b</think>",  # a second block
    "<think>a <think>b</think></think>",  # nested
    "This is my reasoning.\n</think>\nThis is my answer.",  # no opening tag
    "Preamble <think>a</think> answer",  # not leading
    "</think><think>a",
    "",
]


@pytest.mark.parametrize("text", THINK_ONLY_CASES)
def test_think_only_format_scores_as_trls_think_format_reward(text):
    from trl.rewards import think_format_reward

    assert think_only_format([text]) == think_format_reward([chat(text)])
    assert think_only_format([chat(text)]) == think_format_reward([chat(text)])


def test_think_only_format_by_hand():
    texts = THINK_ONLY_CASES[:5] + ["\n  <think>a</think> b"]  # leading whitespace is stripped here
    assert think_only_format(texts) == [1.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    assert think_only_format(THINK_ONLY_CASES[5:]) == [0.0] * 6


def test_think_only_format_uses_the_configured_tag():
    assert think_only_format(["<reasoning>r</reasoning> 5"], think_tag="reasoning") == [1.0]
    assert think_only_format(["<reasoning>r</reasoning> 5"]) == [0.0]
    with pytest.raises(UserError):
        think_only_format(["x"], think_tag="</think>")


def test_ordered_layout_is_rulereasoners_first_occurrence_order():
    texts = [
        "<think>a</think><answer>b</answer>",             # strict and ordered
        "Sure. <think>a</think> so <answer>b</answer> done",  # text around the blocks: ordered only
        "a</think><answer>b</answer>",                     # no <think> (-1 in RuleReasoner's check): ordered
        "<think>a<answer>b</answer></think>",              # answer inside the reasoning
        "<think>a</think>b",                                # no answer
        "<answer>b</answer><think>a</think>",              # answer first
    ]
    assert think_format(texts, layout="ordered") == [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    assert think_format(texts) == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    with pytest.raises(UserError, match="layout"):
        think_format([], layout="loose")


def test_a_prefix_written_by_the_prompt_is_put_back_before_the_check():
    """ReCode's prompt ends the assistant turn with "<think>", so completions start inside the reasoning."""
    reply = "the API moved</think>\n<answer>x</answer>"
    assert think_format([reply]) == [0.0]
    assert think_format([reply], prefix="<think>") == [1.0]
    assert think_format(["<think>a</think><answer>x</answer>"], prefix="<think>") == [0.0]  # <think> twice


def test_observe_format_takes_observe_r1s_two_layouts():
    """Observe-R1's format_reward_func_mm: the observation first, or inside the reasoning; each tag once."""
    from r1kit.rewards.format import observe_format

    good = [
        "<observe>a red square</observe>\n<think>so 4 sides</think> <answer>4</answer>",
        "<think>I look: <observe>a red square</observe> so 4 sides</think><answer>4</answer>",
        "Sure. <observe>x</observe><think>y</think><answer>4</answer> Done.",  # a search, as Observe-R1's regex
    ]
    bad = [
        "<think>so 4 sides</think><answer>4</answer>",  # no observation
        "<think>y</think><observe>x</observe><answer>4</answer>",  # observed after reasoning
        "<observe>x</observe> text <think>y</think><answer>4</answer>",  # text between the blocks
        "<observe></observe><think>y</think><answer>4</answer>",  # an empty block
        "<think><observe>x</observe> y</think><answer>4</answer>",  # nested with nothing before it
        "<observe>x</observe><think>y</think><answer>4</answer><answer>5</answer>",  # a tag twice
        "<observe>x</observe><think>y <observe>z</observe> w</think><answer>4</answer>",
        "<observe>x</observe><think>y</think><answer></answer>",
    ]
    assert observe_format(good + bad) == [1.0] * len(good) + [0.0] * len(bad)
