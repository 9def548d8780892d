"""RM-R1's RL data: gaotang/RM-R1-after-Distill-RLVR judge prompts as `preference` rows (built prompt + label).

Each published row is `context_messages`, the judge conversation RM-R1's mix_data.py built
(system turn with the rubric/solution instructions; user turn with the question, or the two
conversations, and Chatbot A's and B's responses, the chosen one first on every other row), and
`winner`, "model_a" or "model_b". `convert` keeps the conversation verbatim as `prompt` and the
label as `label`; the `preference` adapter then uses the prompt as written. The DeepSeek-distilled
variants train on gaotang/RM-R1-Reasoning-RLVR, the same schema (`--source`).

    python scripts/prepare_rm_r1_rlvr.py --out data/rm_r1_rlvr.jsonl [--source gaotang/RM-R1-after-Distill-RLVR]
"""

from collections.abc import Iterable, Iterator

from prepare_common import prepare_main  # scripts/prepare_common.py

HUB_ID = "gaotang/RM-R1-after-Distill-RLVR"
LABELS = ("model_a", "model_b")  # lm_as_judge.py:6,11; any other label is an error there too


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """Rows (context_messages, winner: model_a | model_b) -> `prompt` (the judge conversation) and `label`."""
    for i, row in enumerate(rows):
        context = row.get("context_messages")
        if not isinstance(context, list) or not context or not all(isinstance(m, dict) for m in context):
            raise ValueError(f"row {i}: `context_messages` is not a list of chat messages: {context!r:.200}")
        if row.get("winner") not in LABELS:
            raise ValueError(f"row {i}: `winner` is {row.get('winner')!r}, not model_a or model_b")
        yield {"prompt": [{"role": m["role"], "content": m["content"]} for m in context], "label": row["winner"]}


def main(argv=None):
    prepare_main(convert, __doc__, "data/rm_r1_rlvr.jsonl", source_help="hub id or local json/jsonl/parquet file",
                 source_default=HUB_ID, argv=argv)


if __name__ == "__main__":
    main()
