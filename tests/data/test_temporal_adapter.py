"""The `temporal` adapter: math_qa's rows with Time-R1's system prompt, held out by `time_r1` (not math-verify)."""

from r1kit.data.adapters import get_adapter_class
from r1kit.data.temporal import TIME_R1_SYSTEM
from r1kit.rewards import resolve


def test_rows_keep_the_answer_string_and_the_metric_scores_it():
    adapter = get_adapter_class("temporal")()
    row = {"question": "When did it happen?", "answer": "Event 1: 2019-03, Event 2: 2020-01. Month difference: 10."}
    example = adapter.example(row)
    assert example["prompt"] == [{"role": "system", "content": TIME_R1_SYSTEM},
                                 {"role": "user", "content": "When did it happen?"}]
    assert example["answer"] == row["answer"]
    right = f"<think>t</think><answer>{row['answer']}</answer>"
    assert adapter.metric == "time_r1"
    assert resolve(adapter.metric)([right], answer=[example["answer"]])[0] > 1.0



def test_math_verify_would_read_a_date_as_a_subtraction():
    """Why the held-out metric is not math_qa's: "2016" would count as the date 2019-03."""
    wrong = ["<think>t</think><answer>2016</answer>"]
    assert resolve("math_accuracy")(wrong, answer=["2019-03"]) == [1.0]
    assert resolve(get_adapter_class("temporal").metric)(wrong, answer=["2019-03"]) == [0.0]


def test_system_prompt_can_be_replaced():
    assert get_adapter_class("temporal")(system_prompt=None).prompt("q") == [{"role": "user", "content": "q"}]
