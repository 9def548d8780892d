"""class_match: CLS-RL's equality and Visual-RFT's containment, with and without a label set."""

import pytest
from reward_cases import answer_block as A
from reward_cases import score

from r1kit.errors import UserError
from r1kit.rewards import resolve


def test_class_match_exact():
    completions = [A("Golden Retriever"), A(" golden_retriever. "), A("golden-retriever!"), "I think\nGolden retriever\n",
                   A("a golden retriever"), A("cat"), A(""), "<think>golden retriever</think>"]
    assert score("class_match", completions, answer="golden retriever") == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    assert score("class_match", completions[3:4], {"require_tags": True}, answer="golden retriever") == [0.0]
    assert score("class_match", [A("Puppy")], answer=["dog", "puppy"]) == [1.0]
    assert score("class_match", [A("cat")], answer=None) == [None]


def test_class_match_contains_with_and_without_labels():
    completions = [A("a golden retriever"), A("retriever"), A("golden retriever or cat"), A(""), A("GoldenRetriever")]
    assert score("class_match", completions, {"match": "contains", "labels_column": None},
                 answer="golden retriever", labels=["golden retriever", "retriever", "cat"]) == [1.0, 1.0, 1.0, 0.0, 1.0]
    assert score("class_match", completions, {"match": "contains"},
                 answer="golden retriever", labels=["golden retriever", "retriever", "cat"]) == [1.0, 0.0, 0.0, 0.0, 1.0]
    assert score("class_match", completions[:3], {"match": "contains", "labels_column": "classes"},
                 answer="golden retriever", classes=["golden retriever", "cat"]) == [1.0, 0.0, 0.0]


@pytest.mark.parametrize("name, options", [
    ("class_match", {"match": "fuzzy"}), ("class_match", {"labels_column": ""}),
])
def test_bad_options_fail_when_resolved(name, options):
    with pytest.raises(UserError):
        resolve(name, **options)
