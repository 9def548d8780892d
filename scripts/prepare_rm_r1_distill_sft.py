"""RM-R1's distillation data: gaotang/RM-R1-Distill-SFT judge conversations as `chat_sft` rows.

Each published row is `context_messages` (RM-R1's judge prompt: the rubric/solution system turn
and the user turn with the question and Chatbot A's and B's responses) and `winner`, which in
this set is the distilled reasoning chain itself: `<type>`, a `<rubric>` or `<solution>`, an
`<eval>` and the verdict `<answer>[[A]]</answer>` or `[[B]]` (the SFT script trains on it as the
output, rm_r1/scripts/Distill/local/distill_qwen2.5-7b-instruct.sh:19-20). `convert` keeps both
verbatim as one conversation and records the verdict as `answer`.

    python scripts/prepare_rm_r1_distill_sft.py --out data/rm_r1_distill_sft.jsonl [--source gaotang/RM-R1-Distill-SFT]
"""

import re
from collections.abc import Iterable, Iterator

from prepare_common import prepare_main  # scripts/prepare_common.py

HUB_ID = "gaotang/RM-R1-Distill-SFT"
VERDICT = re.compile(r"<answer>\s*\[\[([AB])\]\]\s*</answer>")


def _reply(value) -> str | None:
    """The chain as text, or the content of the last assistant message when given as messages."""
    if isinstance(value, list):
        value = next((m.get("content") for m in reversed(value) if isinstance(m, dict)
                      and m.get("role") == "assistant"), None)
    return value if isinstance(value, str) and value.strip() else None


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """Rows (context_messages, winner: the reasoning chain) -> `messages` (prompt + chain) and `answer` (A or B)."""
    for i, row in enumerate(rows):
        context = row.get("context_messages")
        if not isinstance(context, list) or not context or not all(isinstance(m, dict) for m in context):
            raise ValueError(f"row {i}: `context_messages` is not a list of chat messages: {context!r:.200}")
        chain = _reply(row.get("winner"))
        if chain is None:
            raise ValueError(f"row {i}: `winner` holds no reasoning chain to train on: {row.get('winner')!r:.200}")
        verdicts = VERDICT.findall(chain[-200:])
        if not verdicts:
            raise ValueError(f"row {i}: the chain does not end with <answer>[[A]]</answer> or <answer>[[B]]</answer>")
        messages = [{"role": m["role"], "content": m["content"]} for m in context]
        yield {"messages": messages + [{"role": "assistant", "content": chain}], "answer": verdicts[-1]}


def main(argv=None):
    prepare_main(convert, __doc__, "data/rm_r1_distill_sft.jsonl", source_help="hub id or local json/jsonl/parquet file",
                 source_default=HUB_ID, argv=argv)


if __name__ == "__main__":
    main()
