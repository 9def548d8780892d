"""The addition task: the teacher's traces and mistakes, the generator, and the adapter through it."""

import re

from r1kit.data.addition import generate, solve
from r1kit.data.load import build_examples, load_rows
from tests.data.cases import spec

TRACE = re.compile(r"<think>(?P<trace>[^<]*)</think><answer>(?P<answer>\d+)</answer>")
TRACE = re.compile(r"<think>(?P<trace>[^<]*)</think><answer>(?P<answer>\d+)</answer>")
STEP = re.compile(r"(\d)\+(\d)(?:\+(1))?=(\d+)")


def check_trace(question: str, solution: str) -> tuple[int, bool]:
    """Parse a teacher trace; return its answer and whether its column steps are self-consistent."""
    m = TRACE.fullmatch(solution)
    assert m, solution
    a, b = (int(x) for x in question.split("+"))
    steps = m["trace"].split(",")
    assert len(steps) == max(len(str(a)), len(str(b)))
    for i, step in enumerate(steps):
        s = STEP.fullmatch(step)
        assert s, step
        assert int(s[1]) == (a // 10**i) % 10 and int(s[2]) == (b // 10**i) % 10  # the right digits, lowest first
    return int(m["answer"]), True


def test_addition_teacher_is_right_about_three_in_four():
    rows = generate(n=5000, seed=0)
    assert len(rows) == 5000
    accuracy = sum(r["teacher_correct"] for r in rows) / len(rows)
    assert 0.65 <= accuracy <= 0.85, accuracy
    for r in rows:
        a, b = (int(x) for x in r["question"].split("+"))
        assert 100 <= a <= 999 and 100 <= b <= 999
        assert r["answer"] == str(a + b)  # the gold answer is always the true sum
        teacher, _ = check_trace(r["question"], r["solution"])
        assert (teacher == a + b) == r["teacher_correct"]


def test_addition_teacher_without_errors_is_exact():
    rows = generate(n=2000, seed=3, blind_spot_rate=0.0, slip_rate=0.0)
    assert all(r["teacher_correct"] for r in rows)
    for r in rows:
        teacher, _ = check_trace(r["question"], r["solution"])
        assert teacher == int(r["answer"])


def test_addition_blind_spot_is_systematic():
    import random

    assert solve(55, 55) == ("5+5=10,5+5+1=11", 110)  # exact with both rates 0
    # a column summing to exactly 10 "has no carry" in the blind spot
    assert solve(55, 55, blind_spot_rate=1.0) == ("5+5=10,5+5=10", 0)
    assert solve(78, 15, blind_spot_rate=1.0) == ("8+5=13,7+1+1=9", 93)  # other carries are kept
    # at 0.8 the right answer is still sampled sometimes, so RL has something correct to reinforce
    outcomes = [solve(55, 45, random.Random(s), blind_spot_rate=0.8)[1] for s in range(200)]
    assert 5 <= outcomes.count(100) <= 100 and set(outcomes) - {100}


def test_addition_generator_is_seeded_and_sized():
    assert generate(n=50, seed=9) == generate(n=50, seed=9)
    assert generate(n=50, seed=9) != generate(n=50, seed=10)
    four = generate(n=20, digits=4)
    assert all(len(x) == 4 for r in four for x in r["question"].split("+"))
    assert all(r["difficulty"] == 4 for r in four)


def test_addition_adapter_through_the_generator():
    ds, adapter = build_examples(spec("addition", generator={"name": "addition", "n": 30, "seed": 5},
                                      limit=10), "datasets.traces")
    assert len(ds) == 10 and adapter.metric == "exact_match"
    ex = ds[0]
    assert ex["prompt"] == [{"role": "user", "content": ex["prompt"][0]["content"]}]  # no system prompt
    assert re.fullmatch(r"\d{3}\+\d{3}", ex["prompt"][0]["content"])
    a, b = ex["prompt"][0]["content"].split("+")
    assert ex["answer"] == str(int(a) + int(b))
    assert TRACE.fullmatch(ex["messages"][-1]["content"]) and ex["task"] == "addition"
    # a dataset without path or generator falls back to the adapter's default generator
    rows, source = load_rows(spec("addition"), "datasets.d")
    assert len(rows) == 1000 and source == "datasets.d (generator)"
