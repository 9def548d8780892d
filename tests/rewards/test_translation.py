"""translation_bleu, translation_chrf and mt_r1_zero against sacrebleu's own corpus figures and MT-R1-Zero's rules."""

import pytest
import sacrebleu
from reward_cases import chat

from r1kit.errors import UserError
from r1kit.rewards import resolve
from r1kit.rewards.translation import bleu_tokenizer, mt_format_ok, mt_r1_zero, translation_bleu, translation_chrf

EN_HYP, EN_REF = "the cat sat on the mat", "the cat sat on a mat"
ZH_HYP, ZH_REF = "猫看见了狗。", "猫看见狗。"


def tagged(text: str, tag: str = "answer") -> str:
    return f"<think>Word by word.</think><{tag}>{text}</{tag}>"


def test_bleu_is_sacrebleu_corpus_bleu_of_one_segment_over_100():
    expected = sacrebleu.corpus_bleu([EN_HYP], [[EN_REF]]).score / 100
    assert expected == pytest.approx(0.5373, abs=1e-4)  # 83.3/60.0/50.0/33.3, BP 1
    assert translation_bleu([tagged(EN_HYP), chat(tagged(EN_HYP))], answer=[EN_REF] * 2) == [
        pytest.approx(expected), pytest.approx(expected)]
    assert translation_bleu([tagged(EN_REF)], answer=[EN_REF]) == [pytest.approx(1.0)]


def test_chinese_targets_use_the_zh_tokenizer():
    zh = sacrebleu.corpus_bleu([ZH_HYP], [[ZH_REF]], tokenize="zh").score / 100
    plain = sacrebleu.corpus_bleu([ZH_HYP], [[ZH_REF]], tokenize="13a").score / 100
    assert zh == pytest.approx(0.3799, abs=1e-4) and plain == 0.0  # 13a sees one unmatched "word"
    assert translation_bleu([tagged(ZH_HYP)], answer=[ZH_REF], lang_pair=["en-zh"]) == [pytest.approx(zh)]
    # Without a language pair, a reference in Chinese characters still gets `zh`.
    assert translation_bleu([tagged(ZH_HYP)], answer=[ZH_REF]) == [pytest.approx(zh)]
    assert translation_bleu([tagged(ZH_HYP)], answer=[ZH_REF], tokenize="13a") == [0.0]


def test_tokenizer_choice_follows_mt_r1_zero():
    assert bleu_tokenizer("en-zh", "x") == "zh"
    assert bleu_tokenizer("de-en", "x") == "13a"
    assert bleu_tokenizer("en-ja", "x") in ("ja-mecab", "char")  # char when sacrebleu[ja] is not installed
    assert bleu_tokenizer(None, "ねこ") in ("ja-mecab", "char")
    assert bleu_tokenizer(None, "plain English") == "13a"


def test_chrf_is_sacrebleu_chrf_over_100():
    expected = sacrebleu.corpus_chrf([EN_HYP], [[EN_REF]]).score / 100
    assert expected == pytest.approx(0.7208, abs=1e-4)
    assert translation_chrf([tagged(EN_HYP)], answer=[EN_REF]) == [pytest.approx(expected)]


def test_answer_reading_and_odd_outputs():
    completions = [
        EN_REF,                                      # no tags: the text outside the reasoning
        f"<think>{EN_REF}</think>",                  # only reasoning: nothing to score
        tagged(""),                                  # empty translation
        tagged(EN_REF + " and so on" * 400),         # far longer than the reference
    ]
    assert translation_bleu(completions, answer=[EN_REF] * 4) == [pytest.approx(1.0), 0.0, 0.0, 0.0]
    assert translation_bleu([EN_REF], answer=[EN_REF], require_tags=True) == [0.0]
    assert translation_bleu([tagged(EN_REF)] * 3, answer=[None, "", 5]) == [None] * 3


# --- MT-R1-Zero ----------------------------------------------------------------------------


def test_mt_r1_zero_rule():
    bleu = sacrebleu.corpus_bleu([EN_HYP], [[EN_REF]]).score / 100
    completions = [
        tagged(EN_REF),                                        # +1 format, +1 BLEU
        tagged(EN_HYP),                                        # +1 format, + BLEU/100
        f"<answer>{EN_REF}</answer>",                          # no <think>: -1 format, -2
        tagged(EN_REF) + "<answer>again</answer>",             # a tag twice: -3
        f"<answer>{EN_REF}</answer><think>why</think>",        # wrong order: -3
        tagged("   "),                                         # format right, empty translation: +1 - 2
    ]
    assert mt_r1_zero(completions, answer=[EN_REF] * 6) == [
        pytest.approx(2.0), pytest.approx(1 + bleu), -3.0, -3.0, -3.0, -1.0]


def test_mt_r1_zero_own_tags_and_prefill():
    # MT-R1-Zero's prompt asks for <translate>; its check counts tags, so text around them is fine.
    text = "Sure. <think>猫 = cat</think>\n<translate>猫看见狗。</translate>"
    assert mt_r1_zero([text], answer=[ZH_REF], lang_pair=["en-zh"], answer_tag="translate") == [pytest.approx(2.0)]
    assert mt_format_ok("<think>a</think><translate>b</translate>", "think", "translate")
    assert not mt_format_ok("</think><think><translate>b</translate>", "think", "translate")


def test_mt_r1_zero_metrics():
    chrf = sacrebleu.corpus_chrf([EN_HYP], [[EN_REF]]).score / 100
    bleu = sacrebleu.corpus_bleu([EN_HYP], [[EN_REF]]).score / 100
    assert mt_r1_zero([tagged(EN_HYP)], answer=[EN_REF], metric="chrf") == [pytest.approx(1 + chrf)]
    assert mt_r1_zero([tagged(EN_HYP)], answer=[EN_REF], metric="bleu+chrf") == [pytest.approx(1 + bleu + chrf)]


def test_options_are_checked_when_the_recipe_is_read():
    for name, bad in (("mt_r1_zero", {"metric": "comet"}), ("translation_bleu", {"tokenize": "moses"}),
                      ("translation_bleu", {"answer_tag": "<a>"}), ("translation_chrf", {"tokenize": "zh"})):
        with pytest.raises(UserError):
            resolve(name, **bad)
    try:
        sacrebleu.BLEU(tokenize="ja-mecab")
    except RuntimeError:  # sacrebleu[ja] missing: asking for it is a clear error, not a crash mid-run
        with pytest.raises(UserError, match="ja-mecab"):
            resolve("translation_bleu", tokenize="ja-mecab")
