"""ReCode's API-update training set (zjunlp/ReCode-Train-Data) as math_qa rows: ReCode's prompt, the new code.

Each published row names a library (`dependency`), the version that changed its API (`new_version`,
e.g. "==2.2.0"), the change (`update_info`), code written against the old API (`old_code`) and the same
code updated (`new_code`), plus a `description`. `convert` writes ReCode's user turn (src/GRPO/data.py
generate_prompt, the version without its "==") as the question and `new_code`, verbatim, as the answer
that `code_similarity` compares with; the system turn and the prefilled "Let me solve this step by
step.\\n<think>" of the assistant turn are the recipe's.

    python scripts/prepare_recode.py --out data/recode_train.jsonl
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

SOURCE = "zjunlp/ReCode-Train-Data"
FIELDS = ("dependency", "new_version", "update_info", "old_code", "new_code")

# src/GRPO/data.py generate_prompt, the user message (it opens and ends with a newline).
USER = """
{dependency} performed an API update in version {version}, and the update content includes:
<doc>
{update_info}
</doc>
The old version of the code is:
```python
{old_code}
```

Show your work in <think> </think> tags. And return the final code in <answer> </answer>, the code within <answer></answer> should be enclosed in ```python ``` tags.
"""


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """ReCode rows -> math_qa rows: question (ReCode's user turn), answer (new_code as written)."""
    for i, row in enumerate(rows):
        missing = [f for f in FIELDS if not isinstance(row.get(f), str) or not row[f].strip()]
        if missing:
            raise ValueError(f"row {i}: ReCode rows need {', '.join(FIELDS)}; missing or empty: {', '.join(missing)}")
        yield {
            "question": USER.format(dependency=row["dependency"], version=row["new_version"][2:],
                                    update_info=row["update_info"], old_code=row["old_code"]),
            "answer": row["new_code"],
            "dependency": row["dependency"],
        }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=SOURCE, help=f"hub id or a local json/jsonl/parquet (default {SOURCE})")
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/recode_train.jsonl")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source)), args.out)


if __name__ == "__main__":
    main()
