"""scripts/prepare_adar1_pairs.py: AdaR1's bi-level pairs from two models' samples, and the pairs as DPO rows.

The sample fixtures (tests/recipes/fixtures/adar1_samples/) are verl main_generation rows as AdaR1's
sampling script writes them: five MixMathematics-style problems, K = 4 replies each from a long-CoT model
(<think>...</think> then a boxed answer) and from a short-CoT one. Lengths are counted in words here.
"""

import pytest

from r1kit.data.pairs import PreferencePairs
from tests.recipes.tiny import FIXTURES, SCRIPTS, load_script, read_jsonl

script = load_script(SCRIPTS / "prepare_adar1_pairs.py")
LONG = read_jsonl(FIXTURES / "adar1_samples" / "long.jsonl")
SHORT = read_jsonl(FIXTURES / "adar1_samples" / "short.jsonl")


def words(text):
    return len(text.split())


def pairs_by_problem():
    out = {}
    for pair in script.build_pairs(LONG, SHORT, words):
        out.setdefault(pair["instruction"].split(" Let's")[0], []).append(pair)
    return out


def test_the_fixture_pairs_become_user_prompts_with_a_chosen_and_a_rejected_reply():
    rows = read_jsonl(FIXTURES / "adar1_pairs.jsonl")
    examples = [PreferencePairs(system_prompt=None).example(r) for r in script.convert(rows)]
    assert len(examples) == len(rows)
    for row, example in zip(rows, examples, strict=True):
        assert example["prompt"] == [{"role": "user", "content": row["instruction"]}]
        assert example["chosen"] == [{"role": "assistant", "content": row["chosen"]}]
        assert example["rejected"] == [{"role": "assistant", "content": row["rejected"]}]
        assert row["instruction"].endswith("output the final answer within \\boxed{}.")


def test_easy_problems_prefer_the_short_style_and_hard_ones_the_long_style():
    pairs = pairs_by_problem()
    remainder, divisors, product = (pairs[k] for k in sorted(pairs, key=lambda k: ("remainder" not in k,
                                                                                      "divisors" not in k)))
    short, long = set(SHORT[0]["responses"]), set(LONG[1]["responses"])
    # both styles always right on 2^10 mod 7: the long one's extra length buys nothing, so short replies win
    assert len(remainder) == 4 + 2 and all(p["chosen"] in short for p in remainder[:4])
    assert all(p["rejected"] in set(LONG[0]["responses"]) for p in remainder[:4])
    # divisors of 360: long right 3/4, short 0/4: the long group's right replies beat the short group's
    assert len(divisors) == 4 + 2 and all(p["chosen"] in long and p["rejected"] in set(SHORT[1]["responses"])
                                          for p in divisors[:4])
    assert "18" not in "".join(p["chosen"] for p in divisors)  # the long model's wrong reply is never chosen
    # both right once: short wins; its single right reply against the long group's wrong ones, no instance pair
    assert len(product) == 3 and all("{117}" in p["chosen"] and "{117}" not in p["rejected"]
                                        for p in product)


def test_the_instance_level_prefers_the_shortest_right_reply_to_the_longest_right_ones():
    divisors = pairs_by_problem()["How many positive divisors does $360$ have?"][4:]
    right = [r for r in LONG[1]["responses"] if "\\boxed{24}" in r]
    shortest, *longest = sorted(right, key=words)[:1] + sorted(right, key=words)[-2:]
    assert [(p["chosen"], p["rejected"]) for p in divisors] == [(shortest, r) for r in longest]


def test_choice_letters_and_problems_nobody_solves_are_skipped_and_the_draw_is_seeded():
    pairs = list(script.build_pairs(LONG, SHORT, words))
    assert not any("prime number" in p["instruction"] or "ordered pairs" in p["instruction"] for p in pairs)
    assert pairs == list(script.build_pairs(LONG, SHORT, words))
    assert all(p["weight"] == 1 for p in pairs)


def test_the_gain_follows_the_authors_formula():
    # long 3/4 right at mean 40 tokens, short 1/4 at 20: g = 0.75 - 0.25 - 1/8 = 0.375, r = 1 -> 0.375
    assert script.group_gain([1, 1, 1, 0], [1, 0, 0, 0], [40] * 4, [20] * 4) == pytest.approx(0.375)
    # both 4/4: g = -1/8, r = 1 -> -1/8 * 1/10
    assert script.group_gain([1] * 4, [1] * 4, [40] * 4, [20] * 4) == pytest.approx(-0.0125)


def test_identical_pairs_are_dropped_and_a_bad_row_is_named():
    ok = {"instruction": "1+1? Let's think step by step.", "chosen": "\\boxed{2}", "rejected": "\\boxed{3}"}
    assert len(list(script.convert([ok, dict(ok, rejected=ok["chosen"])]))) == 1
    with pytest.raises(ValueError, match=r"row 1: .*rejected missing or empty"):
        list(script.convert([ok, dict(ok, rejected="")]))


def test_samples_of_different_problems_or_without_replies_are_refused():
    with pytest.raises(ValueError, match="same problems"):
        list(script.build_pairs(LONG, SHORT[:-1], words))
    with pytest.raises(ValueError, match="row 0: the long and short samples are of different problems"):
        list(script.build_pairs(LONG[:1], SHORT[1:2], words))
    with pytest.raises(ValueError, match="short samples, row 0: `responses`"):
        list(script.build_pairs(LONG[:1], [dict(SHORT[0], responses=[])], words))
