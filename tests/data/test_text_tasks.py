"""The synthetic reranking, translation and preference generators (r1kit.data.text_tasks)."""

import pytest

from r1kit.data.load import build_examples
from r1kit.data.text_tasks import translation
from r1kit.errors import UserError
from tests.data.cases import spec


def test_generated_german_is_grammatical():
    assert {"source": "The dog sees the cat.", "reference": "Der Hund sieht die Katze.", "lang_pair": "en-de"} in \
        translation(n=400, lang_pair="en-de")


def test_generators_refuse_bad_arguments():
    with pytest.raises(UserError, match=r"generator: .*passages=2"):
        build_examples(spec("rerank", generator={"name": "rerank", "passages": 2}), "datasets.rr")
    with pytest.raises(UserError, match=r"generator: .*lang_pair='en-fr'"):
        build_examples(spec("translation", generator={"name": "translation", "lang_pair": "en-fr"}), "datasets.mt")
