"""reasoning_steps: open-r1's step-marker count / 3, capped at 1."""

import pytest
from reward_cases import chat

from r1kit.rewards import resolve
from r1kit.rewards.steps import reasoning_steps
from tests.helpers import run_cli


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # open-r1's own cases (tests/test_rewards.py, test_reasoning_steps_reward)
        ("Step 1: Do this\nStep 2: Do that", 2 / 3),
        ("Step 1: Do this\nStep 2: Do that\nStep 3: Done", 1.0),
        ("First, do this.\nSecond, do that.\nFinally, done.", 1.0),
        ("Just do it.", 0.0),
        # more, counted by hand
        ("Step 1: a\nStep 2: b\nStep 3: c\nStep 4: d", 1.0),  # capped
        ("Plan:\n- a\n* b", 2 / 3),  # bullets after a newline
        ("- a without a newline before it", 0.0),
        ("1. a\n2. b\n3. c", 1 / 3),  # open-r1's `^` without MULTILINE: only the leading "1."
        ("step 1: lower case First, Next,", 2 / 3),  # case-sensitive
        ("", 0.0),
    ],
)
def test_reasoning_steps_counts_markers_over_three(text, expected):
    assert reasoning_steps([text]) == [pytest.approx(expected)]
    assert reasoning_steps([chat(text)]) == [pytest.approx(expected)]


def test_registered_with_no_options():
    assert resolve("reasoning_steps")(["First, a. Next, b."]) == [pytest.approx(2 / 3)]


def test_the_new_text_rewards_are_named_in_a_recipe():
    rewards = "[{name: reasoning_steps}, {name: think_only_format}, {name: repetition_zh, ngram_size: 2}]"
    ok = run_cli("train", "recipe=quickstart", "--cfg", "job", f"stages.grpo.rewards={rewards}")
    for name in ("reasoning_steps", "think_only_format", "repetition_zh"):
        assert f"name: {name}" in ok.stdout
    bad = run_cli("train", "recipe=quickstart", "--cfg", "job", "stages.grpo.rewards=[{name: reasoning_steps, n: 3}]",
                  check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "reward reasoning_steps has no option 'n'" in bad.stderr
