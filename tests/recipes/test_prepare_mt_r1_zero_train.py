"""scripts/prepare_mt_r1_zero_train.py: MT-R1-Zero's WMT pairs become translation rows, prompted with <translate>."""

import pytest
import yaml

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


def _base_prompt(src_name: str, tgt_name: str, source: str) -> str:
    """MT-R1-Zero's data/process_data.py make_prefix, template_type 'base' (the one main_grpo.sh uses)."""
    return (f"A conversation between User and Assistant. The User asks for a translation from {src_name} to "
            f"{tgt_name}, and the Assistant solves it. The Assistant first thinks about the reasoning process in the "
            "mind and then provides the user with the final translation. The reasoning process and final translation "
            "are enclosed within <think> </think> and <translate> </translate> tags, respectively, i.e., <think> "
            f"reasoning process here <translate> final translation here </translate>. \n\nUser:{source}\nAssistant:")


def test_recipe_chat_template_renders_mt_r1_zero_s_base_prompt():
    from r1kit.models.tiny import build_char_tokenizer
    from tests.recipes.tiny import REPO

    recipe = yaml.safe_load((REPO / "recipes" / "mt_r1_zero.yaml").read_text(encoding="utf-8"))
    tokenizer = build_char_tokenizer()
    tokenizer.chat_template = recipe["model"]["chat_template"]
    adapter = Translation(answer_tag="translate")
    names = {"en": "English", "zh": "Chinese"}
    for row in prepare.convert(RAW):
        example = adapter.example(row)
        src, tgt = row["lang_pair"].split("-")
        rendered = tokenizer.apply_chat_template(example["prompt"], tokenize=False, add_generation_prompt=True)
        assert rendered == _base_prompt(names[src], names[tgt], row["source"])
