"""Light-R1's curriculum SFT data: qihoo360/Light-R1-SFTData conversations as `math_qa` rows.

The dataset holds the two SFT stages' files (stage 1, ~76k questions; stage 2, 3k harder ones:
paper §3.1.3) in LLaMA-Factory's ShareGPT form: `conversations`, a user turn (the question) and
an assistant turn (a verified DeepSeek-R1 reply: <think>...</think>, then the answer in
\\boxed{}). `convert` keeps the reply verbatim as the SFT target (`solution`, read by the
recipe's `math_qa` adapter with `solution_as: verbatim`); the gold answer is its last \\boxed{}.

    python scripts/prepare_light_r1.py --out data/light_r1_stage2.jsonl                       # stage-2 3k
    python scripts/prepare_light_r1.py --out data/light_r1_stage1.jsonl --data-files <stage-1 file>
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

HUB_ID = "qihoo360/Light-R1-SFTData"
STAGE2 = "stage2-3k.json"  # the stage-2 file as third-party training code loads it; check the hub's file list
USER, ASSISTANT = {"user", "human"}, {"assistant", "gpt"}


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """ShareGPT rows (conversations: [{from: user, value}, {from: assistant, value}]) -> question + solution."""
    for i, row in enumerate(rows):
        turns = row.get("conversations") or []
        question = next((t.get("value") for t in turns if t.get("from") in USER), None)
        reply = next((t.get("value") for t in reversed(turns) if t.get("from") in ASSISTANT), None)
        if not str(question or "").strip() or not str(reply or "").strip():
            raise ValueError(f"row {i}: `conversations` needs a user and an assistant turn, got {turns!r:.200}")
        if "\\boxed{" not in reply:
            raise ValueError(f"row {i}: the assistant reply has no \\boxed{{}} answer to score against")
        yield {"question": question.strip(), "solution": reply.strip()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/light_r1_stage2.jsonl")
    parser.add_argument("--source", default=HUB_ID, help="hub id or local json/jsonl/parquet")
    parser.add_argument("--data-files", default=STAGE2, help="the file of the hub dataset (default: stage 2)")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, data_files=args.data_files)), args.out)


if __name__ == "__main__":
    main()
