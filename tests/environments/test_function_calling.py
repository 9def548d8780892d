"""FunctionCalling: deterministic replies, every call recorded, and the reward rule against the gold calls."""

import json

import pytest
from transformers.utils import get_json_schema

from r1kit.environments.function_calling import FunctionCalling, score_calls

GOLD = [{"name": "get_weather", "arguments": {"city": "Paris"}},
        {"name": "convert_currency", "arguments": {"amount": 100, "source": "USD", "target": "EUR"}}]


def test_replies_are_deterministic_and_calls_are_recorded():
    env = FunctionCalling()
    env.reset(prompt=[], gold_calls=GOLD, answer="")
    assert env.get_weather("Paris") == env.get_weather(" paris ").replace("paris", "Paris")
    assert env.convert_currency(100, "usd", "EUR") == "100 USD = 92.00 EUR"
    assert env.convert_currency("lots", "USD", "EUR") == "error: amount must be a number, not 'lots'"
    assert env.convert_currency(1, "USD", "XXX").startswith("error: unknown currency 'XXX'")
    assert env.set_alarm("07:30", "gym") == "alarm set for 07:30 (gym)"
    assert env.search_flights("Lima", "Oslo", "2025-01-02") == env.search_flights("Lima", "Oslo", "2025-01-02")
    assert [c["name"] for c in env.calls] == ["get_weather", "get_weather", "convert_currency", "convert_currency",
                                             "convert_currency", "set_alarm", "search_flights", "search_flights"]
    env.reset(gold_calls=GOLD)
    assert env.calls == [] and env.get_reward() == 0.0


@pytest.mark.parametrize("calls, reward", [
    ([("convert_currency", {"amount": "100.0", "source": "usd", "target": " EUR"}), ("get_weather", {"city": "PARIS"})],
     1.0),  # order, case, spaces and number spelling do not matter
    ([("get_weather", {"city": "Paris"})], 0.5),  # one of two gold calls
    ([("get_weather", {"city": "Rome"}), ("convert_currency", {"amount": 100, "source": "USD", "target": "EUR"})],
     0.75),  # right name, wrong arguments: half credit
    ([("get_weather", {"city": "Paris"}), ("convert_currency", {"amount": 100, "source": "USD", "target": "EUR"}),
      ("set_alarm", {"time": "07:00", "label": "x"}), ("set_alarm", {"time": "08:00", "label": "y"})], 0.5),  # extras
    ([], 0.0),
    ([("set_alarm", {"time": "07:00", "label": "x"})], 0.0),
])
def test_the_reward_compares_calls_with_the_gold_ones(calls, reward):
    env = FunctionCalling()
    env.reset(gold_calls=json.dumps(GOLD))  # a JSON string is read too
    for name, arguments in calls:
        getattr(env, name)(**arguments)
    assert env.get_reward() == reward


def test_null_arguments_from_a_dataset_are_dropped_and_no_gold_rewards_no_call():
    env = FunctionCalling()
    env.reset(gold_calls=[{"name": "get_weather", "arguments": {"city": "Oslo", "amount": None, "date": None}}])
    env.get_weather("Oslo")
    assert env.get_reward() == 1.0
    assert score_calls([], []) == 1.0 and score_calls([{"name": "get_weather", "arguments": {}}], []) == 0.0


def test_a_rollout_cannot_call_without_end_and_every_tool_has_a_schema():
    env = FunctionCalling(max_calls=2)
    env.reset(gold_calls=[])
    env.get_weather("a"), env.get_weather("b")
    assert env.get_weather("c") == "error: at most 2 calls a conversation" and len(env.calls) == 2
    names = [get_json_schema(getattr(env, n))["function"]["name"]
             for n in ("get_weather", "convert_currency", "set_alarm", "search_flights")]
    assert names == ["get_weather", "convert_currency", "set_alarm", "search_flights"]
