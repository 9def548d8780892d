"""T1's data: its SFT replies (trial-and-error and self-verification CoT) and its RL math prompts, as `math_qa` rows.

T1 (arXiv 2501.11651) released its data on the hub as THUDM/T1 (now zai-org/T1): `sft.jsonl` (the synthesised
long-CoT replies of the SFT initialisation) and `rl-data.jsonl` (the RL prompts, drawn from MATH-train and
NuminaMath, with their answers). Neither file's columns could be read here, so `convert` recognises the
common layouts per row and names the row when it recognises none:

- a conversation: `messages` or `conversations` (OpenAI role/content or ShareGPT from/value): the first
  user turn is the question, the last assistant turn the reply;
- a pair: the question in `prompt` / `question` / `problem` / `text` / `instruction`, the reply in
  `response` / `output` / `completion`, the gold in `label` / `answer` / `ground_truth` (`text` and `label`
  are the keys of the authors' later OpenRLHF scripts, THUDM/TreeRL).

`convert` writes `question`, the reply as `solution` (the SFT target, kept verbatim) when there is one, and
`answer` (the gold; for a reply without one, the math_qa adapter reads its last \\boxed{}).

    python scripts/prepare_t1.py --out data/t1_sft.jsonl --source zai-org/T1 --data-files sft.jsonl
    python scripts/prepare_t1.py --out data/t1_rl.jsonl --source zai-org/T1 --data-files rl-data.jsonl
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

QUESTION = ("prompt", "question", "problem", "text", "instruction")
REPLY = ("response", "output", "completion")
GOLD = ("label", "answer", "ground_truth")
ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}


def _first(row: dict, keys: tuple[str, ...]):
    return next((str(row[k]).strip() for k in keys if isinstance(row.get(k), (str, int, float))
                 and str(row[k]).strip()), None)


def _turns(turns: list) -> tuple[str | None, str | None]:
    """(first user turn, last assistant turn) of a conversation."""
    said = [(ROLES.get(t.get("role") or t.get("from")), t.get("content") or t.get("value") or "") for t in turns
            if isinstance(t, dict)]
    users = [text for role, text in said if role == "user" and text.strip()]
    replies = [text for role, text in said if role == "assistant" and text.strip()]
    return (users[0].strip() if users else None), (replies[-1].strip() if replies else None)


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """T1 rows (a conversation, or a question with a reply and/or a gold answer) -> question, solution, answer."""
    for i, row in enumerate(rows):
        turns = row.get("messages") or row.get("conversations")
        if isinstance(turns, list):
            question, reply = _turns(turns)
        else:
            question, reply = _first(row, QUESTION), _first(row, REPLY)
        gold = _first(row, GOLD)
        if not question:
            raise ValueError(f"row {i}: no question: a `messages`/`conversations` user turn or one of "
                             f"{', '.join(QUESTION)} (columns {sorted(row)})")
        if not gold and not (reply and "\\boxed{" in reply):
            raise ValueError(f"row {i}: no answer: one of {', '.join(GOLD)}, or a reply with \\boxed{{}} "
                             f"(columns {sorted(row)})")
        out = {"question": question}
        if reply:
            out["solution"] = reply
        if gold:
            out["answer"] = gold
        yield out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/t1_sft.jsonl")
    parser.add_argument("--source", default="zai-org/T1", help="hub id, or a local json/jsonl/parquet file")
    parser.add_argument("--data-files", help="the hub dataset's file: sft.jsonl or rl-data.jsonl")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, data_files=args.data_files)), args.out)


if __name__ == "__main__":
    main()
