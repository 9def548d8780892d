"""The rerank, translation and preference adapters and their generators, through build_examples on real files."""

import re
from collections import Counter

import pytest

from r1kit.data.adapters import R1_SYSTEM_PROMPT
from r1kit.data.load import build_examples
from r1kit.data.text_adapters import Preference, Rerank, Translation
from r1kit.data.text_tasks import preference, rerank, translation
from r1kit.errors import UserError
from r1kit.rewards import resolve
from tests.data.cases import spec, write_jsonl


def perfect(answer: str) -> str:
    return f"<think>Read them all.</think><answer>{answer}</answer>"


def score(name: str, examples, completions, **options) -> list:
    columns = {key: list(examples[key]) for key in examples.column_names if key not in ("prompt", "task")}
    return resolve(name, **options)(completions, **columns)


# --- rerank ------------------------------------------------------------------------------------


TREC_ROW = {"query": "what causes tides", "passages": ["Tides come from the Moon's pull.", "Bread needs yeast.",
                                                       "Tides rise twice a day."], "relevance": [3, 0, 1]}


def test_rerank_setwise_row_is_rank_r1s_prompt():
    ex = Rerank().example(TREC_ROW)
    assert ex["prompt"][0] == {"role": "system", "content": R1_SYSTEM_PROMPT}
    user = ex["prompt"][1]["content"]
    assert user.startswith('Given the query: "what causes tides", which of the following documents is most relevant?\n'
                           "[1] Tides come from the Moon's pull.\n[2] Bread needs yeast.\n[3] Tides rise twice a day.\n")
    assert user.endswith("<answer>[3]</answer>.")
    assert ex["answer"] == "[1]" and ex["relevance"] == [3.0, 0.0, 1.0] and ex["task"] == "rerank"


def test_rerank_listwise_row_and_ideal_answer():
    adapter = Rerank(mode="listwise")
    ex = adapter.example(TREC_ROW)
    assert adapter.metric == "rerank_listwise" and "RankLLM" in ex["prompt"][0]["content"]
    assert "I will provide you with 3 passages" in ex["prompt"][1]["content"]
    assert ex["answer"] == "[1] > [3] > [2]"


def test_rerank_relevance_as_qrels_mappings():
    passages = [{"docid": "D7", "title": "Tides", "text": "come from the Moon."}, {"docid": "D9", "text": "Bread."}]
    ex = Rerank().example({"query": "tides", "passages": passages, "relevance": {"D7": 2}})
    assert ex["relevance"] == [2.0, 0.0] and ex["prompt"][1]["content"].count("[1] Tides come from the Moon.") == 1
    ex = Rerank().example({"query": "tides", "passages": ["a", "b"], "relevance": {"2": 1, "1": None}})
    assert ex["relevance"] == [0.0, 1.0] and ex["answer"] == "[2]"


def test_rerank_shuffle_is_seeded_and_keeps_grades_with_their_passages():
    rows = rerank(n=30, passages=6, seed=3)
    first = [Rerank(shuffle=True, seed=1).example(r) for r in rows]
    again = [Rerank(shuffle=True, seed=1).example(r) for r in rows]
    assert first == again
    for row, ex in zip(rows, first):
        listed = re.findall(r"^\[\d+\] (.*)$", ex["prompt"][1]["content"], flags=re.MULTILINE)
        assert sorted(listed) == sorted(row["passages"])
        grade_of = dict(zip(row["passages"], row["relevance"]))
        assert ex["relevance"] == [float(grade_of[p]) for p in listed]
    assert any(ex["relevance"] != [float(g) for g in r["relevance"]] for r, ex in zip(rows, first))


@pytest.mark.parametrize(("row", "message"), [
    ({"query": " ", "passages": ["a"], "relevance": [1]}, "column 'query' is not a non-empty string"),
    ({"query": "q", "passages": [], "relevance": []}, "column 'passages' is not a non-empty list"),
    ({"query": "q", "passages": ["a", "b"], "relevance": [1]}, "column 'relevance' has 1 grades for 2 passages"),
    ({"query": "q", "passages": ["a", ""], "relevance": [1, 0]}, "passage 2 is not a non-empty string"),
    ({"query": "q", "passages": ["a"], "relevance": {"D1": 1}}, "column 'relevance' grades passage 'D1'"),
    ({"query": "q", "passages": ["a"], "relevance": ["high"]}, "column 'relevance' has a grade 'high' that"),
    ({"query": "q", "passages": ["a"], "relevance": 3}, "column 'relevance' must be a list of grades"),
])
def test_rerank_bad_rows_name_the_row(tmp_path, row, message):
    good = dict(TREC_ROW)
    path = write_jsonl(tmp_path / "rr.jsonl", [good, row])
    with pytest.raises(UserError, match=rf"row 1: {re.escape(message)}"):
        build_examples(spec("rerank", path=path), "datasets.rr")


def test_rerank_missing_columns_and_bad_options(tmp_path):
    path = write_jsonl(tmp_path / "rr.jsonl", [{"query": "q", "docs": ["a"], "relevance": [1]}])
    with pytest.raises(UserError, match=r"needs passages \(column 'passages'\).*columns: \{query: <your column>\}"):
        build_examples(spec("rerank", path=path), "datasets.rr")
    ds, _ = build_examples(spec("rerank", path=path, columns={"passages": "docs"}), "datasets.rr")
    assert ds[0]["relevance"] == [1.0]
    with pytest.raises(UserError, match=r"datasets\.rr\.options: .*mode='pointwise' must be one of setwise, listwise"):
        build_examples(spec("rerank", path=path, options={"mode": "pointwise"}), "datasets.rr")


@pytest.mark.parametrize("mode", ["setwise", "listwise"])
def test_rerank_generator_rows_and_a_perfect_reranker(mode):
    ds, adapter = build_examples(spec("rerank", generator={"name": "rerank", "n": 40}, options={"mode": mode}),
                                 "datasets.rr")
    assert len(ds) == 40 and set(ds["task"]) == {"rerank"}
    assert all(sorted(r) == [0.0, 0.0, 1.0, 2.0, 3.0] for r in ds["relevance"])
    rewards = score(adapter.metric, ds, [perfect(a) for a in ds["answer"]])
    assert rewards == [pytest.approx(1.0 if mode == "setwise" else 1.3)] * 40
    worst = score(adapter.metric, ds, [perfect("[99]")] * 40)
    assert all(r == 0.0 for r in worst)


# --- translation -------------------------------------------------------------------------------


def test_translation_row_is_mt_r1_zeros_chat_prompt():
    ex = Translation().example({"source": "The cat sees the dog.", "reference": "猫看见狗。", "lang_pair": "en-zh"})
    system, user = ex["prompt"]
    assert "translation from English to Chinese" in system["content"]
    assert "<think> </think> and <answer> </answer>" in system["content"]
    assert user == {"role": "user", "content": "The cat sees the dog."}
    assert ex["answer"] == "猫看见狗。" and ex["lang_pair"] == "en-zh" and ex["task"] == "translation"


def test_translation_reads_mt_r1_zeros_own_rows(tmp_path):
    rows = [{"data_source": "train", "lg": "en-zh", "en": "28-Year-Old Chef Found Dead at San Francisco Mall",
             "zh": "28岁厨师被发现死于旧金山一家商场"},
            {"data_source": "train", "lg": "zh-en", "zh": "一切终于好起来了。", "en": "Things were finally going well."}]
    path = write_jsonl(tmp_path / "mt.jsonl", rows)
    ds, _ = build_examples(spec("translation", path=path, columns={"lang_pair": "lg"},
                                options={"answer_tag": "translate"}), "datasets.mt")
    assert ds["answer"] == ["28岁厨师被发现死于旧金山一家商场", "Things were finally going well."]
    assert ds["lang_pair"] == ["en-zh", "zh-en"]
    assert "<translate> final translation here </translate>" in ds[0]["prompt"][0]["content"]
    got = score("mt_r1_zero", ds, ["<think>t</think><translate>28岁厨师被发现死于旧金山一家商场</translate>"] * 2,
                answer_tag="translate")
    assert got[0] == pytest.approx(2.0) and got[1] < 1.1


def test_translation_lang_pair_option_and_missing_columns(tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"en": "Hello.", "de": "Hallo."}])
    ds, _ = build_examples(spec("translation", path=path, options={"lang_pair": "en-de"}), "datasets.mt")
    assert ds[0]["answer"] == "Hallo." and "English to German" in ds[0]["prompt"][0]["content"]
    with pytest.raises(UserError, match=r"needs columns 'source' and 'reference', or a language pair"):
        build_examples(spec("translation", path=path), "datasets.mt")
    with pytest.raises(UserError, match=r"columns named 'en' and 'fr'"):
        build_examples(spec("translation", path=path, options={"lang_pair": "en-fr"}), "datasets.mt")
    with pytest.raises(UserError, match=r"options: .*'english' is not a language pair"):
        build_examples(spec("translation", path=path, options={"lang_pair": "english"}), "datasets.mt")
    bad = write_jsonl(tmp_path / "b.jsonl", [{"source": "a", "reference": "b"}, {"source": "a", "reference": " "}])
    with pytest.raises(UserError, match=r"row 1: column 'reference' is not a non-empty string"):
        build_examples(spec("translation", path=bad), "datasets.mt")


@pytest.mark.parametrize("pair", ["en-zh", "en-de"])
def test_translation_generator_rows_and_a_perfect_translator(pair):
    ds, adapter = build_examples(spec("translation", generator={"name": "translation", "n": 30, "lang_pair": pair}),
                                 "datasets.mt")
    assert adapter.metric == "translation_bleu" and set(ds["lang_pair"]) == {pair}
    assert score("translation_bleu", ds, [perfect(a) for a in ds["answer"]]) == [pytest.approx(1.0)] * 30
    assert score("mt_r1_zero", ds, [perfect(a) for a in ds["answer"]]) == [pytest.approx(2.0)] * 30
    assert translation(n=5, lang_pair=pair, seed=1) == translation(n=5, lang_pair=pair, seed=1)


# --- preference --------------------------------------------------------------------------------


PAIR = {"prompt": "What is 2 + 2?", "chosen": "2 + 2 = 4.", "rejected": "2 + 2 = 5."}


def test_preference_row_is_rm_r1s_template():
    ex = Preference().example(PAIR)
    user = ex["prompt"][1]["content"]
    assert user.startswith("[Client Question]\nWhat is 2 + 2?\n\n[The Start of Chatbot A's Response]\n")
    first = user.split("[The Start of Chatbot A's Response]\n")[1].split("\n")[0]
    assert ex["answer"] == ("A" if first == PAIR["chosen"] else "B")
    assert "<answer>[[A]]</answer>" in ex["prompt"][0]["content"] and ex["task"] == "preference"


def test_preference_order_is_seeded_per_row_and_balanced():
    rows = preference(n=400, seed=0)
    answers = [Preference(seed=7).example(r)["answer"] for r in rows]
    assert answers == [Preference(seed=7).example(r)["answer"] for r in rows]
    assert answers != [Preference(seed=8).example(r)["answer"] for r in rows]
    counts = Counter(answers)
    assert 150 < counts["A"] < 250, counts  # binomial(400, 0.5): outside this is > 4 sigma


def test_preference_conversations_and_bad_rows(tmp_path):
    convo = {"prompt": [{"role": "user", "content": "Hi?"}],
             "chosen": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello!"}],
             "rejected": [{"from": "human", "value": "Hi?"}, {"from": "gpt", "value": "Go away."}]}
    ex = Preference().example(convo)
    assert "[Client Question]\nClient: Hi?" in ex["prompt"][1]["content"]
    assert "Hello!" in ex["prompt"][1]["content"] and "Go away." in ex["prompt"][1]["content"]
    path = write_jsonl(tmp_path / "p.jsonl", [PAIR, {**PAIR, "rejected": PAIR["chosen"]}])
    with pytest.raises(UserError, match=r"row 1: the chosen and rejected responses are identical"):
        build_examples(spec("preference", path=path), "datasets.pref")
    path = write_jsonl(tmp_path / "q.jsonl", [{"prompt": "q", "chosen": "a"}])
    with pytest.raises(UserError, match=r"needs rejected \(column 'rejected'\)"):
        build_examples(spec("preference", path=path), "datasets.pref")


BUILT = {"prompt": [{"role": "system", "content": "Judge the two responses. End with <answer>[[A/B]]</answer>"},
                    {"role": "user", "content": "[Client Question]\nHi?\n\n[The Start of Chatbot A's Response]\n"
                                                "Hello!\n[The End of Chatbot A's Response]\n"}],
         "label": "model_b"}


def test_preference_built_judge_prompt_is_used_as_written(tmp_path):
    """RM-R1's RL rows (context_messages + winner), mapped to prompt + label: the conversation is kept verbatim."""
    ex = Preference().example(BUILT)
    assert ex == {"prompt": BUILT["prompt"], "answer": "B", "task": "preference"}
    assert Preference().example({**BUILT, "label": "A"})["answer"] == "A"
    path = write_jsonl(tmp_path / "rl.jsonl", [{"context_messages": BUILT["prompt"], "winner": "model_a"}])
    ds, _ = build_examples(spec("preference", path=path, columns={"prompt": "context_messages", "label": "winner"}),
                           "datasets.rl")
    assert ds["answer"] == ["A"] and ds["prompt"][0] == BUILT["prompt"]
    for bad, match in (({"label": "tie"}, r"row 0: column 'label' is 'tie'"),
                       ({"prompt": BUILT["prompt"][:1]}, "must end with the user turn"),
                       ({"prompt": "Hi?"}, "must be the judge conversation")):
        path = write_jsonl(tmp_path / "bad.jsonl", [{**BUILT, **bad}])
        with pytest.raises(UserError, match=match):
            build_examples(spec("preference", path=path), "datasets.rl")
    path = write_jsonl(tmp_path / "nolabel.jsonl", [{"context_messages": BUILT["prompt"], "label": "A"}])
    with pytest.raises(UserError, match="built judge prompts from column 'prompt'"):
        build_examples(spec("preference", path=path), "datasets.rl")


def test_preference_generator_and_a_perfect_judge():
    ds, adapter = build_examples(spec("preference", generator={"name": "preference", "n": 50}), "datasets.pref")
    assert adapter.metric == "preference_judgment" and set(ds["answer"]) == {"A", "B"}
    assert score("preference_judgment", ds, [perfect(f"[[{a}]]") for a in ds["answer"]]) == [1.0] * 50
    flipped = [perfect("[[B]]" if a == "A" else "[[A]]") for a in ds["answer"]]
    assert score("preference_judgment", ds, flipped) == [-1.0] * 50


def test_r1kit_ls_lists_the_text_rewards_and_adapters(capsys):
    from r1kit.listing import print_listing

    print_listing()
    out = capsys.readouterr().out
    for name in ("rerank_setwise", "rerank_listwise", "translation_bleu", "translation_chrf", "mt_r1_zero",
                 "patch_similarity", "time_date", "time_difference", "time_ordering", "time_completion",
                 "preference_judgment", "rerank", "translation", "preference"):
        assert re.search(rf"^  {name} ", out, flags=re.MULTILINE), name
