"""time_r1: one reward over mixed Time-R1 rows, each scored by the temporal reward its gold's format names."""

import pytest

from r1kit.rewards import resolve

GOLDS = {
    "time_date": "2019-03",
    "time_difference": "Event 1: 2019-03, Event 2: 2020-01. Month difference: 10.",
    "time_ordering": "Event 1: 2021-05, Event 2: 2019-11, Event 3: 2022-08. Event order: 2-1-3.",
    "time_completion": "Event: 2021-03. Missing entity: 2019.",
}
ANSWERS = [  # right, near, unparsable, missing
    "<think>t</think><answer>{gold}</answer>",
    "<think>t</think><answer>2019-05</answer>",
    "<think>t</think><answer>sometime in spring</answer>",
    "no tags at all",
]


@pytest.mark.parametrize("task", sorted(GOLDS))
def test_each_row_gets_its_tasks_score(task):
    completions = [a.format(gold=GOLDS[task]) for a in ANSWERS]
    golds = [GOLDS[task]] * len(completions)
    options = {"alpha": 0.07, "no_answer_penalty": 0.3}
    assert resolve("time_r1", **options)(completions, answer=golds) == resolve(task, **options)(completions, answer=golds)


def test_a_mixed_batch_and_a_gold_no_task_parses():
    tasks = sorted(GOLDS)
    completions = [f"<think>t</think><answer>{GOLDS[t]}</answer>" for t in tasks] + ["<answer>2019-03</answer>"]
    scores = resolve("time_r1")(completions, answer=[GOLDS[t] for t in tasks] + ["March 2019"])
    assert scores[:-1] == [resolve(t)([c], answer=[GOLDS[t]])[0] for t, c in zip(tasks, completions, strict=False)]
    assert scores[0] == pytest.approx(1.05) and scores[-1] is None
