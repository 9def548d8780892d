"""A small synthetic API the model must call correctly: the reward is whether its calls match the gold calls.

The pattern of function-calling RL (Reasoning-Action Synergy, ToolRL, Nemotron-style tool-use
RL): the user asks for something, the model picks the function and fills its arguments, and the
reward compares the calls it made with the gold ones. Four functions with deterministic canned
replies (weather, currency, alarm, flights) stand in for a real API; every call is recorded.

The reward (`get_reward`), order-insensitive over the calls of one rollout: each gold call earns
1 if an unused recorded call has its name and normalised arguments, else 0.5 if an unused
recorded call has its name only, else 0; the sum is divided by the larger of the number of gold
calls and of calls made, so an extra call costs as much as a missing one. All calls right and
none extra: 1.0. No gold calls: 1.0 when no call was made, else 0. Arguments are normalised
before comparing: numbers as numbers (100 == "100.0"), text case-folded with whitespace collapsed,
absent or null arguments dropped.
"""

import json
import zlib

from r1kit.errors import UserError

RATES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 151.0, "CHF": 0.88, "CAD": 1.36, "INR": 83.0, "CNY": 7.2}
SKIES = ("sunny", "cloudy", "rainy", "windy", "snowy", "foggy")


class FunctionCalling:
    """A synthetic API (get_weather, convert_currency, set_alarm, search_flights); the row's `gold_calls` score it."""

    def __init__(self, max_calls: int = 16):
        self.max_calls = int(max_calls)
        self.calls: list[dict] = []
        self.gold: list[dict] = []

    def reset(self, gold_calls=None, **row) -> None:
        self.calls = []
        self.gold = parse_calls(gold_calls)

    def get_weather(self, city: str) -> str:
        """The current weather in a city.

        Args:
            city: the city's name, e.g. "Paris".
        """
        if error := self._record("get_weather", city=city):
            return error
        seed = _seed(city)
        return f"{str(city).strip()}: {SKIES[seed % len(SKIES)]}, {seed % 35 - 5} C"

    def convert_currency(self, amount: float, source: str, target: str) -> str:
        """Convert an amount of money from one currency to another.

        Args:
            amount: how much money.
            source: the currency code it is in, e.g. "USD".
            target: the currency code to convert to, e.g. "EUR".
        """
        if error := self._record("convert_currency", amount=amount, source=source, target=target):
            return error
        codes = [str(c).strip().upper() for c in (source, target)]
        unknown = [c for c in codes if c not in RATES]
        if unknown:
            return f"error: unknown currency {unknown[0]!r}; known: {', '.join(RATES)}"
        try:
            value = float(amount)
        except (TypeError, ValueError):
            return f"error: amount must be a number, not {amount!r}"
        return f"{value:g} {codes[0]} = {value / RATES[codes[0]] * RATES[codes[1]]:.2f} {codes[1]}"

    def set_alarm(self, time: str, label: str) -> str:
        """Set an alarm.

        Args:
            time: the time as HH:MM, e.g. "07:30".
            label: what the alarm is for.
        """
        if error := self._record("set_alarm", time=time, label=label):
            return error
        return f"alarm set for {str(time).strip()} ({str(label).strip()[:100]})"

    def search_flights(self, origin: str, destination: str, date: str) -> str:
        """Find flights between two cities on a date.

        Args:
            origin: the city to fly from.
            destination: the city to fly to.
            date: the day as YYYY-MM-DD.
        """
        if error := self._record("search_flights", origin=origin, destination=destination, date=date):
            return error
        seed = _seed(f"{origin}|{destination}|{date}")
        return (f"flight R{seed % 900 + 100} from {str(origin).strip()[:50]} to {str(destination).strip()[:50]} on "
                f"{str(date).strip()[:20]}, departs {seed % 24:02d}:{seed % 60:02d}, {seed % 400 + 80} USD")

    def get_reward(self) -> float:
        return score_calls(self.calls, self.gold)

    def _record(self, name: str, **arguments) -> str | None:
        """Record a call; an error text once the rollout has made `max_calls` calls."""
        if len(self.calls) >= self.max_calls:
            return f"error: at most {self.max_calls} calls a conversation"
        self.calls.append({"name": name, "arguments": arguments})
        return None


def _seed(text) -> int:
    return zlib.crc32(" ".join(str(text).split()).casefold().encode("utf-8", "replace"))


def parse_calls(value) -> list[dict]:
    """A row's `gold_calls` ([{name, arguments}], or that as a JSON string) as a list of calls.

    A dataset stores calls to different functions with the union of their arguments, the ones a call lacks as null:
    null arguments are dropped."""
    if value is None:
        raise UserError("the function_calling environment needs a `gold_calls` column: a list of "
                        "{name, arguments} per row (the generator `function_calls` writes them)")
    if isinstance(value, str):
        value = json.loads(value)
    calls = []
    for call in value:
        arguments = call.get("arguments") or {}
        if isinstance(arguments, str):
            arguments = json.loads(arguments)
        calls.append({"name": str(call["name"]), "arguments": {k: v for k, v in arguments.items() if v is not None}})
    return calls


def _normal(value):
    if isinstance(value, bool):
        return value
    try:
        return round(float(value), 6)
    except (TypeError, ValueError, OverflowError):
        return " ".join(str(value).split()).casefold()


def _key(call: dict):
    return call["name"], sorted((k, repr(_normal(v))) for k, v in call["arguments"].items() if v is not None)


def score_calls(calls: list[dict], gold: list[dict]) -> float:
    """The reward for the recorded `calls` against the `gold` ones (the rule in the module docstring)."""
    if not gold:
        return 0.0 if calls else 1.0
    unused = [_key(c) for c in calls]
    credit, partial = 0.0, []
    for call in gold:
        key = _key(call)
        if key in unused:
            unused.remove(key)
            credit += 1.0
        else:
            partial.append(key[0])
    for name in partial:
        same_name = next((k for k in unused if k[0] == name), None)
        if same_name is not None:
            unused.remove(same_name)
            credit += 0.5
    return credit / max(len(gold), len(calls))
