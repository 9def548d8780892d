"""AdaR1's bi-level preference pairs: the long- and short-CoT models' samples -> `preference_pairs` rows.

AdaR1 (StarDewXXX/AdaR1, Dataset-Construction/deepscaler-release/scripts/constrcut_adaptive_dataset.py)
samples K = 12 replies per MixMathematics problem from the long-CoT model (DeepSeek-R1-Distill-Qwen) and
from the short-CoT model (scripts/eval/sample_from_model.sh: verl's main_generation, T 0.6, top-p 0.95,
16384 new tokens), one JSON line per problem: `prompt` (a one-message chat), `reward_model.ground_truth`,
`responses` (the K replies). `build_pairs` then writes, per problem:

- group level: the style whose expected accuracy gain is worth its extra length wins. With the
  accuracies a_L, a_S and mean token lengths l_L, l_S of the two groups, g = a_L - a_S - 1/(2K) and
  r = (l_L - l_S) / l_S, the gain is g / r when g > 0, else g * r / 10; a positive gain prefers the long
  group. Chosen replies are the preferred group's correct ones (all of them when none is), rejected the
  other group's wrong ones (all of them when none is); 4 of these cross pairs, drawn by a seeded shuffle;
- instance level: among the preferred group's chosen replies (its correct ones, or all of them when
  none is), the shortest against the 2 longest: concise and correct over long and correct. (The
  authors' script also has a branch for a group with both right and wrong replies, which it never
  reaches, since the group is cut down to its right replies first.)

Problems whose gold answer is a choice letter or empty, and those both models always miss, are skipped.
The pairs are the authors' saved schema (`instruction`, `chosen`, `rejected`, `weight`: LLaMA-Factory's
ranking format), which `convert` turns into `preference_pairs` rows (the instruction as the user turn).

    python scripts/prepare_adar1_pairs.py --out data/adar1_pairs.jsonl \\
        --long <long model>/mix_mathematic_problems.json --short <short model>/mix_mathematic_problems.json
    python scripts/prepare_adar1_pairs.py --out data/adar1_pairs.jsonl --source <pairs json/jsonl/parquet>

Differences from the authors' script: replies are graded with math-verify on their last \\boxed{} (r1kit's
`math_accuracy`, mode boxed) instead of DeepScaleR's sympy grader; an instance pair whose two replies are
the same text (a group with a single correct reply) is left out, as DPO learns nothing from it and r1kit's
`preference_pairs` adapter refuses it; equal mean lengths with a positive accuracy gain count as a
positive gain (the authors' script divides by zero there).
"""

import argparse
import random
from collections.abc import Callable, Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

GROUP_PAIRS = 4  # M1: cross-group pairs per problem (construct_pairwise_json_data(selected_data, 4, ...), :360)
INSTANCE_PAIRS = 2  # M2: the longest replies set against the shortest (M = 2, :125)
MAX_LENGTH_RATIO = 10  # max_length_inc_ratio (:228)
SEED = 0  # random.seed(0) (:20)
TOKENIZER = "Qwen/Qwen2.5-7B"  # lengths in this tokenizer's tokens (:191)
CHOICE_LETTERS = {f"{wrap[0]}{c}{wrap[1]}" for c in "ABCDEF" for wrap in [("", ""), ("\\text{", "}"),
                                                                         ("\\boxed{", "}")]}


def group_gain(long_correct: list[bool], short_correct: list[bool], long_lengths: list[int],
               short_lengths: list[int]) -> float:
    """AdaR1's gain of the long style over the short one on a problem: > 0 prefers the long group (:264-277)."""
    k = len(long_correct)
    accuracy_gain = sum(long_correct) / k - sum(short_correct) / len(short_correct) - 1 / (2 * k)
    short_mean = sum(short_lengths) / len(short_lengths)
    length_increase = (sum(long_lengths) / len(long_lengths) - short_mean) / max(short_mean, 1e-9)
    if accuracy_gain > 0:
        return accuracy_gain / length_increase if length_increase else accuracy_gain
    return accuracy_gain * (length_increase / MAX_LENGTH_RATIO)


def math_verify_grader(replies: list[str], gold: str) -> list[bool]:
    """Whether each reply's last \\boxed{} equals the gold answer (math-verify)."""
    from r1kit.rewards.math_accuracy import math_accuracy

    return [score == 1.0 for score in math_accuracy(replies, answer=[gold] * len(replies), mode="boxed")]


def _problem(row: dict, i: int, which: str) -> tuple[str, str, list[str]]:
    prompt, gold, replies = row.get("prompt"), (row.get("reward_model") or {}).get("ground_truth"), row.get("responses")
    if isinstance(prompt, list):
        prompt = prompt[0].get("content") if prompt and isinstance(prompt[0], dict) else None
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError(f"{which} samples, row {i}: `prompt` must be a chat ([{{role, content}}]) or text")
    if not isinstance(replies, list) or not replies or not all(isinstance(r, str) for r in replies):
        raise ValueError(f"{which} samples, row {i}: `responses` must be a non-empty list of replies (verl's "
                         "main_generation output)")
    return prompt, "" if gold is None else str(gold), replies


def _pair(prompt: str, chosen: str, rejected: str) -> dict:
    return {"instruction": prompt, "chosen": chosen, "rejected": rejected, "weight": 1}


def _instance_pairs(prompt: str, replies: list[str], lengths: list[int]) -> list[dict]:
    """The shortest reply against the longest ones (:132-143, the branch the kept replies reach)."""
    ranked = sorted(range(len(replies)), key=lambda i: lengths[i])
    best = ranked[0]
    return [_pair(prompt, replies[best], replies[i]) for i in ranked[-INSTANCE_PAIRS:] if replies[i] != replies[best]]


def build_pairs(long_rows: Iterable[dict], short_rows: Iterable[dict], count_tokens: Callable[[str], int],
                grade: Callable[[list[str], str], list[bool]] = math_verify_grader, seed: int = SEED) -> Iterator[dict]:
    """Per problem, the group-level then the instance-level pairs, in AdaR1's saved schema.

    `long_rows` and `short_rows` are the two models' samples of the same problems in the same order."""
    rng = random.Random(seed)
    long_rows, short_rows = list(long_rows), list(short_rows)
    if len(long_rows) != len(short_rows):
        raise ValueError(f"the long model has samples of {len(long_rows)} problems, the short one of "
                         f"{len(short_rows)}: sample both on the same problems, in the same order")
    for i, (long_row, short_row) in enumerate(zip(long_rows, short_rows)):
        prompt, gold, long_replies = _problem(long_row, i, "long")
        short_prompt, _, short_replies = _problem(short_row, i, "short")
        if short_prompt != prompt:
            raise ValueError(f"row {i}: the long and short samples are of different problems ({prompt[:60]!r} vs "
                             f"{short_prompt[:60]!r}); keep both files in the problems' order")
        if gold in CHOICE_LETTERS or gold in ("", "None"):  # multiple choice and missing golds are skipped (:243-246)
            continue
        long_ok, short_ok = grade(long_replies, gold), grade(short_replies, gold)
        if not any(long_ok) and not any(short_ok):  # both always wrong (:280-281)
            continue
        long_len, short_len = [count_tokens(r) for r in long_replies], [count_tokens(r) for r in short_replies]
        gain = group_gain(long_ok, short_ok, long_len, short_len)
        if gain > 0:
            chosen, rejected = (long_replies, long_ok, long_len), (short_replies, short_ok)
        else:
            chosen, rejected = (short_replies, short_ok, short_len), (long_replies, long_ok)
        replies, ok, lengths = chosen
        keep = [j for j, right in enumerate(ok) if right] or list(range(len(replies)))  # its right replies (:109-112)
        losers = [r for r, right in zip(*rejected) if not right] or rejected[0]  # the other's wrong ones (:152-154)
        replies, lengths = [replies[j] for j in keep], [lengths[j] for j in keep]
        cross = [_pair(prompt, a, b) for a in replies for b in losers]
        rng.shuffle(cross)
        yield from cross[:GROUP_PAIRS]
        yield from _instance_pairs(prompt, replies, lengths)


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """AdaR1 pairs (instruction, chosen, rejected[, weight]) -> preference_pairs rows (prompt, chosen, rejected).

    A pair whose two replies are the same text is left out (the authors' data can hold them; DPO learns
    nothing from one)."""
    for i, row in enumerate(rows):
        fields = {key: row.get(key) for key in ("instruction", "chosen", "rejected")}
        empty = [key for key, value in fields.items() if not isinstance(value, str) or not value.strip()]
        if empty:
            raise ValueError(f"row {i}: AdaR1 pairs need text in `instruction`, `chosen` and `rejected`; "
                             f"{', '.join(empty)} missing or empty")
        if fields["chosen"] == fields["rejected"]:
            continue
        yield {"prompt": [{"role": "user", "content": fields["instruction"]}], "chosen": fields["chosen"],
               "rejected": fields["rejected"]}


def token_counter(tokenizer: str) -> Callable[[str], int]:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer)
    return lambda text: len(tok(text)["input_ids"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/adar1_pairs.jsonl")
    parser.add_argument("--source", help="pairs already built (instruction/chosen/rejected): json/jsonl/parquet")
    parser.add_argument("--long", help="the long-CoT model's samples (verl main_generation jsonl, `responses`)")
    parser.add_argument("--short", help="the short-CoT model's samples of the same problems, in the same order")
    parser.add_argument("--tokenizer", default=TOKENIZER, help="the tokenizer that measures reply lengths")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.source and (args.long or args.short):
        parser.error("give --source (built pairs) or --long and --short (samples to build them from), not both")
    if args.source:
        pairs = read_rows(args.source)
    elif args.long and args.short:
        pairs = build_pairs(read_rows(args.long), read_rows(args.short), token_counter(args.tokenizer), seed=args.seed)
    else:
        parser.error("give --long and --short (the two models' samples), or --source (built pairs)")
    write_rows(convert(pairs), args.out)


if __name__ == "__main__":
    main()
