"""Think-RM's warm-up SFT data: the long-CoT judge conversations of ilgee/hs2-naive-reasoning-binary-max as `chat_sft` rows.

Each row's `chosen` is a whole conversation: Think-RM's binary judge prompt (system turn, then
the HelpSteer2 context and Assistant A's and B's responses) and the assistant's long reasoning
ending in `<answer>A</answer>` or `<answer>B</answer>`; OpenRLHF trains on that last turn
(OpenRLHF/run_binary_max_sft.sh:38, `--input_key chosen`, no output key). `convert` keeps the
conversation verbatim and the verdict as `answer`. The multiclass set
(ilgee/hs2-naive-reasoning-multiclass-max) has the same layout with a -3..3 verdict.

    python scripts/prepare_think_rm_sft.py --out data/think_rm_sft.jsonl [--source ilgee/hs2-naive-reasoning-binary-max]
"""

import re
from collections.abc import Iterable, Iterator

from prepare_common import prepare_main  # scripts/prepare_common.py

HUB_ID = "ilgee/hs2-naive-reasoning-binary-max"
ROLES = ("system", "user", "assistant")
ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """Rows (chosen: [system, user, assistant]) -> `messages` and `answer` (the last answer block's text)."""
    for i, row in enumerate(rows):
        chosen = row.get("chosen")
        if not isinstance(chosen, list) or not all(
                isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str) for m in chosen):
            raise ValueError(f"row {i}: `chosen` is not a list of system/user/assistant messages: {chosen!r:.200}")
        if len(chosen) < 2 or chosen[-1]["role"] != "assistant":
            raise ValueError(f"row {i}: `chosen` does not end with the assistant's judgment")
        verdicts = ANSWER.findall(chosen[-1]["content"])
        if not verdicts:
            raise ValueError(f"row {i}: the assistant's judgment has no <answer>...</answer> verdict")
        yield {"messages": [{"role": m["role"], "content": m["content"]} for m in chosen],
               "answer": verdicts[-1].strip()}


def main(argv=None):
    prepare_main(convert, __doc__, "data/think_rm_sft.jsonl", source_help="hub id or local json/jsonl/parquet file",
                 source_default=HUB_ID, argv=argv)


if __name__ == "__main__":
    main()
