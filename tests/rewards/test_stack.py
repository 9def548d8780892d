"""The reward stack: weights, names, the error policy for rewards that raise, timing."""

import pytest

from r1kit.errors import UserError
from r1kit.rewards.stack import RewardError, RewardStack


def flaky(completions, answer=None, **kwargs):
    """Raises on any completion containing 'boom'; otherwise 1.0."""
    if any("boom" in str(c) for c in completions):
        raise ValueError("boom in the completion")
    return [1.0] * len(completions)


TARGET = f"{__name__}.flaky"


def test_weights_and_names_come_from_the_entries():
    stack = RewardStack([{"name": "think_format", "weight": 0.5}, "exact_match"])
    assert [f.__name__ for f in stack.functions] == ["think_format", "exact_match"]
    assert stack.weights == [0.5, 1.0]


def test_the_same_reward_twice_gets_two_log_names():
    stack = RewardStack([{"name": "repetition", "kwargs": {"ngram_size": 2}},
                         {"name": "repetition", "kwargs": {"ngram_size": 4}}])
    assert [f.__name__ for f in stack.functions] == ["repetition_0", "repetition_1"]


def test_policy_zero_scores_only_the_failing_rows_and_counts_them():
    stack = RewardStack([{"_target_": TARGET}], policy="zero")
    fn = stack.functions[0]
    assert fn(["fine", "boom!", "ok"], answer=["1", "2", "3"]) == [1.0, 0.0, 1.0]
    assert stack.errors == {"flaky": 1}
    assert stack.seconds > 0


def test_policy_raise_stops_with_the_row_shown():
    stack = RewardStack([{"_target_": TARGET}], policy="raise")
    with pytest.raises(RewardError, match=r"(?s)flaky.*boom!.*answer.*'2'"):
        stack.functions[0](["fine", "boom!"], answer=["1", "2"])


@pytest.mark.parametrize("entry, message", [
    ({"name": "think_format", "wieght": 1}, "`wieght` is not a key of a reward entry"),
    ({"name": "think_format", "weight": "heavy"}, "expected a number"),
    ({"name": "think_formt"}, "think_format"),
    ({"_target_": "no_such_module.fn"}, "no_such_module"),
    ({"name": "think_format", "kwargs": {"no_such_option": 1}}, "no_such_option"),
    (42, "a name or a mapping"),
])
def test_bad_entries_are_user_errors(entry, message):
    with pytest.raises(UserError, match=message):
        RewardStack([entry], where="stages.rl.rewards")


def test_an_empty_stack_is_refused():
    with pytest.raises(UserError, match="at least one reward"):
        RewardStack([])
