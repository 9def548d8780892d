"""Dataset adapters, local loading and the addition generator, on real files written to tmp_path."""

import json
import re

import pytest

from r1kit.data.adapters import ADAPTERS, R1_SYSTEM_PROMPT, ChatSFT, MathQA, extract_gold, last_boxed
from r1kit.data.addition import generate, solve
from r1kit.data.load import build_examples, load_rows
from r1kit.errors import UserError

TRACE = re.compile(r"<think>(?P<trace>[^<]*)</think><answer>(?P<answer>\d+)</answer>")
STEP = re.compile(r"(\d)\+(\d)(?:\+(1))?=(\d+)")


def spec(**kw) -> dict:
    """A dataset spec with every DatasetSchema default filled in, as validate() returns it."""
    return {"adapter": "math_qa", "path": None, "generator": None, "subset": None, "split": "train",
            "columns": {}, "options": {}, "limit": None, **kw}


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# --- math_qa -------------------------------------------------------------------------------------------------


def test_math_qa_gsm8k_rows():
    row = {"question": "Natalia sold 48 clips in April and 1,024 in May. How many in all?",
           "answer": "She sold 48+1,024 = <<48+1024=1072>>1,072 clips.\n#### 1,072"}
    ex = MathQA().example(row)
    assert ex["answer"] == "1072" and ex["task"] == "math_qa"
    assert ex["prompt"] == [{"role": "system", "content": R1_SYSTEM_PROMPT},
                            {"role": "user", "content": row["question"]}]
    # GSM8K's reasoning before #### becomes a cold-start target
    target = ex["messages"][-1]
    assert target["role"] == "assistant" and ex["messages"][:-1] == ex["prompt"]
    assert target["content"] == "<think>She sold 48+1,024 = <<48+1024=1072>>1,072 clips.</think><answer>1072</answer>"


def test_math_qa_plain_answer_has_no_sft_target():
    ex = MathQA().example({"question": "2+2?", "answer": "4"})
    assert ex["answer"] == "4" and "messages" not in ex


def test_math_style_boxed_answers_keep_nested_braces():
    solution = r"We have $x = \frac{2}{4}$, so $x = \boxed{\frac{1}{2}}$."
    assert last_boxed(solution) == r"\frac{1}{2}"
    assert last_boxed(r"\boxed{1} then \boxed{\sqrt{\frac{a}{b}}}") == r"\sqrt{\frac{a}{b}}"
    assert last_boxed(r"\boxed{unbalanced") is None and last_boxed("no box") is None
    assert extract_gold(solution) == r"\frac{1}{2}" and extract_gold(" 17 ") == "17"
    ex = MathQA(columns={"question": "problem"}).example({"problem": "Solve 4x = 2.", "solution": solution})
    assert ex["answer"] == r"\frac{1}{2}"
    content = ex["messages"][-1]["content"]
    assert content == rf"<think>{solution}</think><answer>\frac{{1}}{{2}}</answer>"


def test_math_qa_solution_already_tagged_is_kept():
    solution = "<think>6*7 is 42</think><answer>42</answer>"
    ex = MathQA().example({"question": "6*7?", "answer": "42", "solution": solution})
    assert ex["answer"] == "42" and ex["messages"][-1]["content"] == solution


def test_math_qa_bad_rows_name_the_row(tmp_path):
    data = write_jsonl(tmp_path / "qa.jsonl", [{"question": "1+1", "answer": "2"}, {"question": "  ", "answer": "3"}])
    with pytest.raises(UserError, match=rf"datasets\.qa \({re.escape(str(data))}\), row 1: column 'question' is empty"):
        build_examples(spec(path=str(data)), "datasets.qa")
    data = write_jsonl(tmp_path / "noanswer.jsonl", [{"question": "1+1", "answer": ""}])
    with pytest.raises(UserError, match=r"row 0: no answer in 'answer' or 'solution'"):
        build_examples(spec(path=str(data)), "datasets.qa")


def test_math_qa_needs_an_answer_or_a_solution_column(tmp_path):
    data = write_jsonl(tmp_path / "q.jsonl", [{"question": "1+1", "gold": "2"}])
    with pytest.raises(UserError, match=r"needs an answer: a column 'answer' or a solution 'solution'.*\['gold', "
                                        r"'question'\].*columns: \{answer: <column>\}"):
        build_examples(spec(path=str(data)), "datasets.qa")


def test_column_mapping(tmp_path):
    data = write_jsonl(tmp_path / "mapped.jsonl", [{"problem": "What is 3+4?", "final": "7"},
                                                    {"problem": "What is 5+5?", "final": "10"}])
    ds, adapter = build_examples(spec(path=str(data), columns={"question": "problem", "answer": "final"},
                                      options={"system_prompt": None}), "datasets.mapped")
    assert ds["answer"] == ["7", "10"]
    assert ds[0]["prompt"] == [{"role": "user", "content": "What is 3+4?"}]  # options reach the adapter
    assert adapter.columns["question"] == "problem"


def test_column_mapping_with_an_unknown_role(tmp_path):
    with pytest.raises(UserError, match=r"unknown column role\(s\) \['qustion'\] in `columns`; it reads question"):
        MathQA(columns={"qustion": "q"})
    data = write_jsonl(tmp_path / "q.jsonl", [{"q": "1+1", "answer": "2"}])
    with pytest.raises(UserError, match=r"^datasets\.q\.columns: adapter math_qa: unknown column role"):
        build_examples(spec(path=str(data), columns={"qustion": "q"}), "datasets.q")


def test_unknown_adapter_option(tmp_path):
    data = write_jsonl(tmp_path / "x.jsonl", [{"question": "1", "answer": "1"}])
    with pytest.raises(UserError, match=r"datasets\.x\.options: the `chat_sft` adapter got unexpected keyword "
                                        r"argument\(s\) \['sytem_prompt'\]"):
        build_examples(spec(adapter="chat_sft", path=str(data), options={"sytem_prompt": "hi"}), "datasets.x")


# --- chat_sft ------------------------------------------------------------------------------------------------


def test_chat_sft_openai_format():
    row = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                        {"role": "assistant", "content": "<think>greet</think><answer>Hello</answer>"}]}
    ex = ChatSFT().example(row)
    assert ex["messages"] == row["messages"]
    assert ex["prompt"] == row["messages"][:2] and ex["answer"] == "<think>greet</think><answer>Hello</answer>"
    assert ex["task"] == "chat_sft"


def test_chat_sft_sharegpt_format_and_system_prompt():
    row = {"conversations": [{"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"},
                             {"from": "human", "value": "and 3+3?"}, {"from": "gpt", "value": "6"}]}
    ex = ChatSFT(columns={"messages": "conversations"}, system_prompt="You add.").example(row)
    assert [m["role"] for m in ex["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert ex["messages"][0] == {"role": "system", "content": "You add."}
    assert ex["messages"][-1] == {"role": "assistant", "content": "6"} and ex["answer"] == "6"
    assert ex["prompt"] == ex["messages"][:-1]


def test_chat_sft_errors_name_the_row(tmp_path):
    good = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
    ends_with_user = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                                   {"role": "user", "content": "c"}]}
    data = write_jsonl(tmp_path / "chats.jsonl", [good, good, ends_with_user])
    with pytest.raises(UserError, match=rf"{re.escape(str(data))}\), row 2: the conversation does not end with an "
                                        r"assistant message"):
        build_examples(spec(adapter="chat_sft", path=str(data)), "datasets.chats")
    bad_role = {"messages": [{"role": "narrator", "content": "x"}, {"role": "assistant", "content": "y"}]}
    data = write_jsonl(tmp_path / "roles.jsonl", [good, bad_role])
    with pytest.raises(UserError, match=r"row 1: message .*narrator.* needs a role \(system/user/assistant\)"):
        build_examples(spec(adapter="chat_sft", path=str(data)), "datasets.chats")
    data = write_jsonl(tmp_path / "empty.jsonl", [{"messages": []}])
    with pytest.raises(UserError, match=r"row 0: column 'messages' is not a non-empty list"):
        build_examples(spec(adapter="chat_sft", path=str(data)), "datasets.chats")
    data = write_jsonl(tmp_path / "nocol.jsonl", [{"conversation": []}])
    with pytest.raises(UserError, match=r"the `chat_sft` adapter needs messages \(column 'messages'\)"):
        build_examples(spec(adapter="chat_sft", path=str(data)), "datasets.chats")


# --- loading -------------------------------------------------------------------------------------------------

ROWS = [{"question": f"What is {i}+{i}?", "answer": str(2 * i)} for i in range(6)]


def test_load_jsonl_json_and_limit(tmp_path):
    jsonl = write_jsonl(tmp_path / "a.jsonl", ROWS)
    rows, source = load_rows(spec(path=str(jsonl)), "datasets.a")
    assert rows == ROWS and source == f"datasets.a ({jsonl})"
    (tmp_path / "list.json").write_text(json.dumps(ROWS))
    (tmp_path / "wrapped.json").write_text(json.dumps({"data": ROWS, "version": "1"}))
    for name in ("list.json", "wrapped.json"):
        assert load_rows(spec(path=str(tmp_path / name)), "d")[0] == ROWS
    ds, _ = build_examples(spec(path=str(jsonl), limit=4), "datasets.a")
    assert len(ds) == 4 and ds["answer"] == ["0", "2", "4", "6"]


def test_load_parquet(tmp_path):
    import datasets

    path = tmp_path / "rows.parquet"
    datasets.Dataset.from_list(ROWS).to_parquet(str(path))
    rows, _ = load_rows(spec(path=str(path)), "d")
    assert rows == ROWS
    ds, _ = build_examples(spec(path=str(path)), "datasets.p")
    assert ds["answer"] == [r["answer"] for r in ROWS]


def test_load_folder_of_mixed_files(tmp_path):
    import pandas as pd

    folder = tmp_path / "shards"
    (folder / "sub").mkdir(parents=True)
    write_jsonl(folder / "a.jsonl", ROWS[:2])
    pd.DataFrame(ROWS[2:4]).to_parquet(folder / "b.parquet")
    (folder / "sub" / "c.json").write_text(json.dumps(ROWS[4:]))
    (folder / "README.md").write_text("not data")
    rows, source = load_rows(spec(path=str(folder)), "datasets.f")
    assert sorted(rows, key=lambda r: r["question"]) == sorted(ROWS, key=lambda r: r["question"])
    assert str(folder) in source
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UserError, match=r"datasets\.e\.path: .*empty has no \.jsonl/\.json/\.parquet/\.csv files"):
        load_rows(spec(path=str(empty)), "datasets.e")


def test_broken_files_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(ROWS[0]) + "\n" + '{"question": "x", ' + "\n")
    with pytest.raises(UserError, match=rf"{re.escape(str(bad))}:2: not valid JSON"):
        load_rows(spec(path=str(bad)), "d")
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('[\n{"a": 1},\n{"a": }\n]')
    with pytest.raises(UserError, match=rf"{re.escape(str(bad_json))}: not valid JSON \(line 3"):
        load_rows(spec(path=str(bad_json)), "d")
    bad_parquet = tmp_path / "bad.parquet"
    bad_parquet.write_bytes(b"definitely not parquet")
    with pytest.raises(UserError, match=rf"{re.escape(str(bad_parquet))}: could not be read as parquet"):
        load_rows(spec(path=str(bad_parquet)), "d")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(UserError, match=r"datasets\.z \(.*empty\.jsonl\): no rows"):
        build_examples(spec(path=str(empty)), "datasets.z")


# --- the addition generator ----------------------------------------------------------------------------------


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
    ds, adapter = build_examples(spec(adapter="addition", generator={"name": "addition", "n": 30, "seed": 5},
                                      limit=10), "datasets.traces")
    assert len(ds) == 10 and adapter.metric == "exact_match"
    ex = ds[0]
    assert ex["prompt"] == [{"role": "user", "content": ex["prompt"][0]["content"]}]  # no system prompt
    assert re.fullmatch(r"\d{3}\+\d{3}", ex["prompt"][0]["content"])
    a, b = ex["prompt"][0]["content"].split("+")
    assert ex["answer"] == str(int(a) + int(b))
    assert TRACE.fullmatch(ex["messages"][-1]["content"]) and ex["task"] == "addition"
    # a dataset without path or generator falls back to the adapter's default generator
    rows, source = load_rows(spec(adapter="addition"), "datasets.d")
    assert len(rows) == 1000 and source == "datasets.d (generator)"


def test_generator_with_bad_arguments():
    with pytest.raises(UserError, match=r"datasets\.g\.generator: .*unexpected keyword argument 'size'"):
        build_examples(spec(adapter="addition", generator={"name": "addition", "size": 5}), "datasets.g")


def test_registered_adapters():
    assert {"addition", "math_qa", "chat_sft"} <= set(ADAPTERS)
    assert all(cls.name == name for name, cls in ADAPTERS.items())
