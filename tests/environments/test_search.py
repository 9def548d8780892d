"""Search: BM25 over a local jsonl corpus, indexed once per file, replies capped, bad corpora named."""

import json

import pytest

from r1kit.environments.search import Search, corpus_index
from r1kit.errors import UserError

PASSAGES = [
    {"title": "Paris", "text": "Paris is the capital and largest city of France."},
    {"title": "Oslo", "text": "Oslo is the capital of Norway, at the head of the Oslofjord."},
    {"contents": "The Nile is the longest river in Africa, flowing north into the Mediterranean."},
    {"title": "Bread", "text": "Bread is baked from a dough of flour and water. " * 40},
]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PASSAGES))
    return path


def test_the_best_passages_come_first_with_their_titles(corpus):
    env = Search(corpus=str(corpus), k=2)
    env.reset(prompt=[], answer="Oslo")
    reply = env.search("capital of Norway")
    assert reply.startswith("[1] Oslo\nOslo is the capital of Norway") and "[2] Paris" in reply
    assert env.search("longest river").startswith("[1] The Nile is the longest river")  # `contents`, no title
    assert env.search("the of and") == "no passage matches 'the of and'; try other keywords"  # stopwords only
    assert env.search("zzzz qqqq").startswith("no passage matches")
    assert env.queries == ["capital of Norway", "longest river", "the of and", "zzzz qqqq"]
    env.reset()
    assert env.queries == []


def test_replies_and_queries_are_capped(corpus):
    env = Search(corpus=str(corpus), k=3, passage_chars=100, max_chars=150, max_query_chars=20)
    reply = env.search("bread flour dough water")
    assert reply.startswith("[1] Bread\nBread is baked") and len(reply) <= 154
    assert env.search(["flour"] * 10_000).startswith("[1] Bread")  # not a string: searched as its (cut) text
    assert len(env.queries[-1]) == 20


def test_the_index_is_built_once_per_file_and_again_when_it_changes(corpus):
    first, second = Search(corpus=str(corpus)), Search(corpus=str(corpus))
    assert first.index is second.index
    corpus.write_text(json.dumps({"text": "a new passage about glaciers"}) + "\n")
    assert corpus_index(corpus) is not first.index and Search(corpus=str(corpus)).search("glaciers").startswith("[1]")


def test_a_missing_or_broken_corpus_is_named(tmp_path):
    with pytest.raises(UserError, match="corpus='.*nope.jsonl': no such file"):
        Search(corpus=str(tmp_path / "nope.jsonl"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"title": "no text"}\n')
    with pytest.raises(UserError, match=r"bad.jsonl:2: a passage needs a non-empty `text` \(or `contents`\)"):
        Search(corpus=str(bad))
    bad.write_text('{"text": "fine"}\n{oops\n')
    with pytest.raises(UserError, match=r"bad.jsonl:2: not valid JSON"):
        Search(corpus=str(bad))
