"""DianJin-R1's data: DianJin-R1-Data reasoning replies as `math_qa` rows, for its SFT and its GRPO stage.

DianJin-R1-Data (DianJin/DianJin-R1-Data) holds LLaMA-Factory alpaca files (`instruction`, `output`; the
authors' src/sft/dataset_info.json): CFLUE multiple-choice and open-ended questions and FinQA, each with a
verified DeepSeek-R1 reply written as <think>...</think><answer>...</answer>, a multiple-choice answer
boxed inside the answer block (the CCC compliance set is not public). `convert` keeps the reply verbatim as
the SFT target (`solution`) and, for a multiple-choice reply, the option letters of its last \\boxed{}
as the gold (`answer`, e.g. "AC"; None for an open-ended reply).

The GRPO stage trains on CFLUE multiple-choice questions only (the authors' README: 4096 of them); the file
of those exact questions is not named in the release, so `--rl` keeps the rows whose reply boxes option
letters and drops the replies.

    python scripts/prepare_dianjin_r1.py --out data/dianjin_r1_sft.jsonl
    python scripts/prepare_dianjin_r1.py --out data/dianjin_r1_cflue_mcq.jsonl --rl --data-files CFLUE_MCQ_SFT.json
"""

import argparse
import re
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

HUB_ID = "DianJin/DianJin-R1-Data"
SFT_FILES = ["CFLUE_MCQ_SFT.json", "CFLUE_Open_SFT.json", "Fin-qa_SFT.json"]  # dataset_info.json, CCC left out
LETTERS = "ABCDEFG"  # reward_score_cflue.py get_choices
_ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_BOXED = re.compile(r"\\boxed\{(.*?)\}", re.DOTALL)


def gold_letters(reply: str) -> str | None:
    """The option letters of the last \\boxed{} in the reply's answer block, read as reward_score_cflue.py reads
    a completion; None when the answer boxes no option letter (an open-ended reply)."""
    answers = _ANSWER.findall(reply)
    boxes = _BOXED.findall(answers[-1]) if answers else []
    letters = "".join(c for c in LETTERS if boxes and c in boxes[-1])
    return letters or None


def convert(rows: Iterable[dict], rl: bool = False) -> Iterator[dict]:
    """Alpaca rows (instruction, output) -> question, solution (the reply), answer (option letters or None).

    With `rl`, only multiple-choice rows, without their replies (prompts for GRPO)."""
    for i, row in enumerate(rows):
        question, reply = row.get("instruction"), row.get("output")
        if not str(question or "").strip() or not str(reply or "").strip():
            raise ValueError(f"row {i}: needs `instruction` and `output` (LLaMA-Factory alpaca columns), "
                             f"got columns {sorted(row)}")
        if "<think>" not in reply or "<answer>" not in reply:
            raise ValueError(f"row {i}: the reply is not <think>...</think><answer>...</answer>: {reply[:80]!r}")
        answer = gold_letters(reply)
        if rl:
            if answer:
                yield {"question": question.strip(), "answer": answer}
            continue
        yield {"question": question.strip(), "solution": reply.strip(), "answer": answer}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/dianjin_r1_sft.jsonl")
    parser.add_argument("--source", default=HUB_ID, help="hub id, or a local json/jsonl/parquet file")
    parser.add_argument("--data-files", nargs="+", default=SFT_FILES, help="files of the hub dataset to read")
    parser.add_argument("--rl", action="store_true", help="multiple-choice prompts and their gold letters only")
    args = parser.parse_args(argv)
    if args.source == HUB_ID:
        rows = [row for name in args.data_files for row in read_rows(args.source, data_files=name)]
    else:
        rows = read_rows(args.source)
    write_rows(convert(rows, rl=args.rl), args.out)


if __name__ == "__main__":
    main()
