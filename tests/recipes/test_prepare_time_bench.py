"""scripts/prepare_time_bench.py: Time-Bench's verl rows to temporal rows whose answers the temporal rewards parse.

The fixture prompts are built by Time-R1's own prompt functions (examples/data_preprocess/
time_reasoning_nyt.py construct_prefix_*, time_prediction_nyt.py construct_prefix) around made-up articles;
the ground-truth dicts have the keys those scripts write.
"""

import pytest

from r1kit.data.temporal import Temporal
from r1kit.rewards import resolve
from tests.recipes.tiny import FIXTURES, SCRIPTS, composed, load_script, read_jsonl

script = load_script(SCRIPTS / "prepare_time_bench.py")
FILES = ["time_bench_inference_easy", "time_bench_comprehension", "time_bench_prediction", "time_bench_test_comprehension"]
TIME_REWARDS = ["time_date", "time_difference", "time_ordering", "time_completion"]


def _reward_of(truth: dict) -> str:
    return ("time_ordering" if "event_order" in truth else "time_difference" if "month_difference" in truth
            else "time_completion" if "masked_entity" in truth else "time_date")


@pytest.mark.parametrize("fixture", FILES)
def test_gold_is_what_the_task_reward_parses_and_only_it(fixture):
    rows = read_jsonl(FIXTURES / f"{fixture}.jsonl")
    for row, out in zip(rows, script.convert(rows), strict=True):
        task = _reward_of(row["reward_model"]["ground_truth"])
        perfect = f"<think>recalled it</think>\n<answer>{out['answer']}</answer>"
        for name in TIME_REWARDS:  # one stack serves mixed tasks: the other rewards skip the row
            score = resolve(name)([perfect], answer=[out["answer"]])[0]
            if name == task:
                assert score == pytest.approx(1.05 if name != "time_ordering" else 0.05 + 0.6 + 0.3996), out
            else:
                assert score is None, (name, out)
        assert resolve("time_r1")([perfect], answer=[out["answer"]]) == resolve(task)([perfect], answer=[out["answer"]])


@pytest.mark.parametrize("fixture", FILES)
def test_question_is_the_user_turn_and_the_system_turn_is_the_recipes(fixture):
    rows = read_jsonl(FIXTURES / f"{fixture}.jsonl")
    for row, out in zip(rows, script.convert(rows), strict=True):
        assert out["question"].startswith("Please carefully read the following")
        assert out["question"].endswith("Your answer must strictly follow the above format.")
        assert f"<|im_start|>user\n{out['question']}\n<|im_end|>" in row["prompt"][0]["content"]
        assert f"<|im_start|>system\n{script.SYSTEM}\n<|im_end|>" in row["prompt"][0]["content"]
    datasets = composed("time_r1")["datasets"]  # the adapter's default system prompt is that system turn
    assert {spec["adapter"] for spec in datasets.values()} == {"temporal"}
    assert not any(spec.get("options") for spec in datasets.values())
    assert Temporal().prompt("q")[0] == {"role": "system", "content": script.SYSTEM}


def test_gold_strings_match_time_r1s_answer_formats():
    assert script.gold({"event_pub_date": "2019-03"}) == "2019-03"
    assert script.gold({"event1_pub_date": "2019-03", "event2_pub_date": "2020-01", "month_difference": 10}) == \
        "Event 1: 2019-03, Event 2: 2020-01. Month difference: 10."
    assert script.gold({"event1_pub_date": "2021-05", "event2_pub_date": "2019-11", "event3_pub_date": "2022-08",
                        "event_order": "2-1-3"}) == \
        "Event 1: 2021-05, Event 2: 2019-11, Event 3: 2022-08. Event order: 2-1-3."
    assert script.gold({"event_pub_date": "2021-03", "mask_type": "month", "masked_entity": "June"}) == \
        "Event: 2021-03. Missing entity: June."


@pytest.mark.parametrize(("content", "truth", "message"), [
    ("no chat markup", {"event_pub_date": "2019-03"}, "user turn"),
    ("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhen?<|im_end|>", {"event_pub_date": "2019-03"},
     "system turn"),
    ("<|im_start|>user\nWhen?<|im_end|>", "2019-03", "must be a dict"),
    ("<|im_start|>user\nWhen?<|im_end|>", {"headline": "x"}, "unknown task"),
])
def test_a_bad_row_is_named(content, truth, message):
    row = {"prompt": [{"role": "user", "content": content}], "reward_model": {"ground_truth": truth}}
    with pytest.raises((ValueError, TypeError), match=f"row 0: .*{message}"):
        list(script.convert([row]))
