"""Every registered reward scores hostile model output without raising, in any thread."""

import importlib
import threading
from pathlib import Path

import pytest
from cases_visual import CASES as VISUAL_CASES
from reward_cases import GOOD, HOSTILE, score

from r1kit.rewards import available, resolve

# A reward that reads other columns than `answer` (or needs options) says so in a
# tests/rewards/cases_<area>.py file: CASES = {name: {"columns": {...}, "options": {...}}}.
# A reward that cannot run here without a service (a judge) lists itself in
# TESTED_ELSEWHERE with the test that feeds it hostile output instead.
CASES, TESTED_ELSEWHERE = {}, {}
for _file in sorted(Path(__file__).parent.glob("cases_*.py")):
    _module = importlib.import_module(_file.stem)
    CASES.update(getattr(_module, "CASES", {}))
    TESTED_ELSEWHERE.update(getattr(_module, "TESTED_ELSEWHERE", {}))

NAMES = sorted(set(available()) - set(TESTED_ELSEWHERE))


def _call(name, completions):
    n = len(completions)
    case = CASES.get(name, {})
    columns = {"answer": "5", **case.get("columns", {})}
    return resolve(name, **case.get("options", {}))(
        completions, **{k: [v] * n for k, v in columns.items()}, prompts=["p"] * n,
        completion_ids=[[1, 2, 3]] * n, trainer_state=None
    )


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_completion_scores_without_raising(name, case):
    rewards = _call(name, [HOSTILE[case]])
    assert len(rewards) == 1
    assert rewards[0] is None or isinstance(rewards[0], float)


@pytest.mark.parametrize("name", NAMES)
def test_hostile_batch_in_a_worker_thread(name):
    completions = [GOOD, *HOSTILE.values()]
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("rewards", _call(name, completions)), daemon=True)
    worker.start()
    worker.join(timeout=60)  # a guard against a hang, not a timing assertion
    assert not worker.is_alive()
    assert len(result["rewards"]) == len(completions)


@pytest.mark.parametrize("name", ["think_format", "math_accuracy", "exact_match", "hard_format_accuracy"])
def test_hostile_output_never_scores_as_correct_format_or_answer(name):
    well_formed = {"power_tower", "deep_brackets"} if name == "think_format" else set()
    right_by_accident = {"nested", "repeated_think", "two_answers", "wrong_order", "boxed_in_think_only"}
    cases = [case for case in HOSTILE if case not in right_by_accident | well_formed]
    rewards = _call(name, [HOSTILE[case] for case in cases])
    assert all(r in (0.0, None) for r in rewards), dict(zip(cases, rewards))


def test_malformed_tags_score_as_the_sources_define():
    assert _call("math_accuracy", [HOSTILE["two_answers"], HOSTILE["boxed_in_think_only"]]) == [1.0, 0.0]
    assert _call("think_format", [HOSTILE["nested"], HOSTILE["wrong_order"], HOSTILE["two_answers"]]) == [0.0] * 3
    assert _call("think_format_soft", [HOSTILE["nested"]]) == [0.5]  # <answer> and </answer> once each


# Long, unclosed structures aimed at the visual rewards' parsers (boxes, actions, permutations).
ADVERSARIAL = {
    "open_quads": "<answer>" + "[1, 2, 3, " * 20_000 + "</answer>",
    "spaces_after_pair": "<answer>(1,2)" + " " * 60_000 + "x</answer>",
    "spaces_in_quad": "<answer>[1" + " " * 60_000 + "</answer>",
    "open_actions": "<answer>" + "{'action': '" * 10_000 + "</answer>",
    "many_keys": "<answer>{" + "a: " * 1300 + "}</answer>",
    "bare_keys": "<answer>" + "a:" * 50_000 + "</answer>",
    "quotes": "<answer>" + "'" * 100_000 + "</answer>",
    "open_brackets": "<answer>{'action': 'click', 'point': " + "[" * 3000 + "}</answer>",
    "long_digits": "<answer>[" + "9" * 100_000 + ", 1, 2, 3]</answer>",
    "zeros": "<answer>" + "0 " * 100_000 + "</answer>",
    "braces": "<answer>" + "{" * 50_000 + "}" * 50_000 + "</answer>",
}


@pytest.mark.parametrize("name", sorted(VISUAL_CASES))
def test_hostile_and_adversarial_output_scores_nothing(name):
    case = VISUAL_CASES[name]
    completions = list(HOSTILE.values()) + list(ADVERSARIAL.values())
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("rewards", score(
        name, completions, case.get("options"), **case["columns"])), daemon=True)
    worker.start()
    worker.join(timeout=60)  # a guard against a hang, not a timing assertion
    assert not worker.is_alive()
    assert all(r in (0.0, None) for r in result["rewards"]), dict(zip(list(HOSTILE) + list(ADVERSARIAL), result["rewards"]))
