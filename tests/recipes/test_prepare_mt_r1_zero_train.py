"""scripts/prepare_mt_r1_zero_train.py: MT-R1-Zero's WMT pairs become translation rows, prompted with <translate>."""

import pytest

from r1kit.data.text_adapters import Translation
from r1kit.rewards.translation import mt_r1_zero
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

prepare = load_script(SCRIPTS / "prepare_mt_r1_zero_train.py")
RAW = read_jsonl(FIXTURES / "mt_r1_zero_train.jsonl")


def test_source_and_reference_follow_lg_both_ways():
    rows = list(prepare.convert(RAW))
    assert {row["lang_pair"] for row in rows} == {"en-zh", "zh-en"}
    for src, row in zip(RAW, rows):
        source_code, target_code = src["lg"].split("-")
        assert (row["source"], row["reference"]) == (src[source_code], src[target_code])


@pytest.mark.parametrize("row, message", [
    ({"lg": "en", "en": "a", "zh": "b"}, "not a language pair"),
    ({"lg": "en-zh", "en": "a"}, "needs text under 'en' and 'zh'"),
])
def test_unreadable_rows_are_refused(row, message):
    with pytest.raises(ValueError, match=message):
        list(prepare.convert([row]))


def test_recipe_adapter_and_reward_use_the_translate_tag():
    """The recipe's adapter asks for <translate>; the reward scores a perfect translation in it 1 + 1 (format + BLEU/100)."""
    adapter = Translation(answer_tag="translate")
    for row in prepare.convert(RAW):
        example = adapter.example(row)
        assert example["prompt"][-1] == {"role": "user", "content": row["source"]}
        assert "<translate> </translate>" in example["prompt"][0]["content"]
        assert example["lang_pair"] == row["lang_pair"]
        good = f"<think> ok </think><translate>{example['answer']}</translate>"
        broken = f"<think> ok </think><answer>{example['answer']}</answer>"
        scores = mt_r1_zero([good, broken], answer=[example["answer"]] * 2, lang_pair=[example["lang_pair"]] * 2,
                            answer_tag="translate")
        assert scores == [pytest.approx(2.0), -3.0]
