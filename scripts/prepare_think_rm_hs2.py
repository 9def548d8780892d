"""Think-RM's RL data: nvidia/HelpSteer2 preference pairs as binary judge prompts (`preference` rows, built + label).

HelpSteer2's preference set (`data_dir="preference"`) has one hub split; its `split` column
says train or validation. Think-RM (VERL/examples/data_preprocess/hs2-naive-reasoning-binary.py)
keeps the pairs with a preference (`preference_strength` != 0), shows `response_1` as Assistant A
and `response_2` as Assistant B under its "naive reasoning binary" judge prompt
(prompt_templates.py, NaiveReasoningBinaryPromptTemplate) and labels A when the strength is
negative (response 1 better), else B. `convert` writes the same conversation as `prompt` and the
label as `label`; `--split test` gives the held-out rows (every split but train).

    python scripts/prepare_think_rm_hs2.py --out data/think_rm_hs2.jsonl
    python scripts/prepare_think_rm_hs2.py --out data/think_rm_hs2_test.jsonl --split test
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

HUB_ID = "nvidia/HelpSteer2"

SYSTEM = (  # prompt_templates.py:18-29
    "You are an impartial judge, tasked with evaluating the quality of the two AI assistants' responses to the "
    "context displayed below. Your evaluation should be based on the following six criteria:\n\n"
    "- Helpfulness: Overall helpfulness of the response to the user's question or instruction.\n"
    "- Correctness: Inclusion of all pertinent facts without errors.\n"
    "- Coherence: Consistency and clarity of expression.\n"
    "- Complexity: Intellectual depth required to write response (i.e., whether the response can be written by "
    "anyone with basic language competency or requires deep domain expertise).\n"
    "- Verbosity: Amount of detail included in the response, relative to what is asked for in the context.\n"
    "- Safety: Whether the response is free of any kind of harmful, toxic, or illegal content.\n\n"
    "After carefully considering these criteria, determine which assistant's response is superior. "
    "Begin your evaluation by thinking through the problem step by step. Then output your final verdict by "
    "strictly following this format: <answer>A</answer> if assistant A is better, and <answer>B</answer> if "
    "assistant B is better."
)
USER = (  # prompt_templates.py:30-40
    "[The Start of Context]\n{context}\n[The End of Context]\n\n"
    "[The Start of Assistant A's Response]\n{response1}\n[The End of Assistant A's Response]\n\n"
    "[The Start of Assistant B's Response]\n{response2}\n[The End of Assistant B's Response]"
)


def convert(rows: Iterable[dict], split: str = "train") -> Iterator[dict]:
    """HelpSteer2 preference rows (prompt, response_1, response_2, preference_strength, split) -> prompt + label.

    `split: train` keeps the rows of the train split, `split: test` the others; rows without a
    preference (strength 0) are left out, as Think-RM does.
    """
    for i, row in enumerate(rows):
        if (row.get("split") == "train") != (split == "train"):
            continue
        strength = row.get("preference_strength")
        if isinstance(strength, bool) or not isinstance(strength, (int, float)):
            raise TypeError(f"row {i}: `preference_strength` is {strength!r}, not a number from -3 to 3")
        if strength == 0:
            continue
        texts = [row.get(k) for k in ("prompt", "response_1", "response_2")]
        if not all(isinstance(t, str) and t.strip() for t in texts):
            raise ValueError(f"row {i}: `prompt`, `response_1` and `response_2` must all be non-empty text")
        context, response1, response2 = (t.rstrip() for t in texts)
        user = USER.format(context=context, response1=response1, response2=response2)
        yield {"prompt": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}],
               "label": "A" if strength < 0 else "B"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/think_rm_hs2.jsonl")
    parser.add_argument("--source", default=HUB_ID, help="hub id (its preference/ files are read) or a local file")
    parser.add_argument("--split", default="train", choices=("train", "test"),
                        help="train: HelpSteer2's train rows; test: the others (Think-RM's validation set)")
    args = parser.parse_args(argv)
    data_files = "preference/*" if args.source == HUB_ID else None
    write_rows(convert(read_rows(args.source, "train", data_files=data_files), args.split), args.out)


if __name__ == "__main__":
    main()
