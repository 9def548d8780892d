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


def test_an_empty_stack_scores_nothing():
    # an environment's get_reward may be a stage's whole reward; a grpo stage with neither is refused in validation
    # (tests/config/test_validate.py::test_grpo_stage_without_rewards)
    stack = RewardStack([])
    assert stack.functions == [] and stack.weights == []


def seen(completions, answer=None, domain=None, **kwargs):
    """Scores each row it is asked about by its answer, so a test sees which rows reached it."""
    return [float(a) for a in answer]


def test_domains_route_rows_and_only_routed_rows_reach_the_reward():
    stack = RewardStack([{"_target_": f"{__name__}.seen", "domains": ["rule"]},
                         {"_target_": f"{__name__}.seen", "domains": "judge"}])
    rule, judge = stack.functions
    columns = {"answer": ["1", "2", "3"], "domain": ["rule", "judge", "rule"]}
    assert rule(["a", "b", "c"], **columns) == [1.0, None, 3.0]
    assert judge(["a", "b", "c"], **columns) == [None, 2.0, None]
    assert rule(["a"], answer=["5"], domain=["other"]) == [None]  # nothing routed: the reward is not called
    assert rule(["a"], answer=["5"]) == [None]  # rows without a domain are not this reward's
    assert [f.__name__ for f in stack.functions] == ["seen_0", "seen_1"]


@pytest.mark.parametrize("domains", [[], [""], 3, {"a": 1}])
def test_bad_domains_are_user_errors(domains):
    with pytest.raises(UserError, match=r"stages.rl.rewards\[0\].domains="):
        RewardStack([{"name": "think_format", "domains": domains}], where="stages.rl.rewards")


def test_domains_of_a_mixed_stage_must_name_its_datasets():
    from r1kit.stages.grpo import check_reward_domains

    stage = {"data": ["rule", "judge"], "rewards": [{"name": "math_accuracy", "domains": ["rule"]},
                                                      {"name": "judge_equivalence", "domains": ["jugde"]}]}
    with pytest.raises(UserError, match=r"stages.rl.rewards\[1\].domains: \['jugde'\] name no dataset"):
        check_reward_domains("stages.rl", stage)
    check_reward_domains("stages.rl", dict(stage, data="mixed"))  # one dataset: its rows' own domain column routes
