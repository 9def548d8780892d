"""RuleReasoner's training data: its eight rule-reasoning domains as `math_qa` rows with a `domain` column.

RuleReasoner (bigai-nlco/RuleReasoner) publishes its curated tasks on the hub as
`RuleReasoner/rule-reasoning`: records of scripts/build_dataset.py (`type`, `instruction`, `rule`,
`input`, `output` = "<answer>…</answer>", `ground_truth`, ...). Its scripts/data/prepare_dataset.py
turns each into a verl row (`data_source`, `prompt` = one user turn "{input} {instruction}",
`reward_model.ground_truth` = `output`); `convert` reads either form. The gold is the text of the
answer block, as the reward parses it (verl/utils/reward_score/mix.py:parse_generation); for CLUTRR,
whose gold is a sentence, the relation it names ("is the X of", "-in-law" dropped). The `domain` is the
data source as RuleReasoner's domain sampler spells it (lower case, "-" and " " as "_").

    python scripts/prepare_rule_reasoning.py --out data/rule_reasoning.jsonl                # the hub's train split
    python scripts/prepare_rule_reasoning.py --source dataset/folio/train.parquet --out data/rule_reasoning.jsonl
"""

import argparse
import re
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

HUB_ID = "RuleReasoner/rule-reasoning"
DOMAINS = ("prontoqa", "proofwriter", "clutrr", "folio", "logic_nli", "logical_deduction", "ar_lsat", "logiqa")


def domain_name(source: str) -> str:
    """"AR-LSAT" -> "ar_lsat", "Logic NLI" -> "logic_nli" (ray_trainer.py:1131)."""
    return str(source).strip().lower().replace("-", "_").replace(" ", "_")


def answer_text(output: str) -> str:
    """The text of the last answer block (the whole text without one), as parse_generation reads it."""
    return output.rsplit("<answer>", 1)[-1].rsplit("</answer>", 1)[0].strip()


def clutrr_relation(text: str) -> str:
    """CLUTRR's gold as parse_generation reads it: a single word, or the X of "... is the X of ..."."""
    text = text.strip()
    if len(text.split()) == 1:
        return text.replace("-in-law", "").strip()
    text = text.rstrip(",.!?:;\"'()[]{}<>").replace("-in-law", "").strip()
    found = re.findall(r"is the (.*) of", text)
    return found[-1].strip() if found else text


def _fields(row: dict) -> tuple[str, str, str]:
    """(domain, question, raw gold) of a build_dataset record or a verl row."""
    if "prompt" in row and "reward_model" in row:  # prepare_dataset.py's verl row
        prompt = row["prompt"]
        question = prompt[-1]["content"] if isinstance(prompt, list) and prompt else prompt
        return row.get("data_source") or "", question, (row["reward_model"] or {}).get("ground_truth")
    question = row.get("input") if "input" in row else row.get("problem")
    instruction = row.get("instruction") or ""
    if isinstance(question, str) and instruction:
        question = f"{question} {instruction}"  # prepare_dataset.py:31-34
    gold = row.get("output") if row.get("output") is not None else row.get("ground_truth", row.get("answer"))
    return row.get("type") or row.get("data_source") or "", question, gold


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """RuleReasoner records (or its verl rows) -> math_qa rows: question, answer, domain."""
    for i, row in enumerate(rows):
        domain, question, gold = _fields(row)
        if not isinstance(question, str) or not question.strip() or not isinstance(gold, str) or not gold.strip():
            raise ValueError(f"row {i}: RuleReasoner rows need `input` (+ `instruction`) and `output` (or a verl "
                             f"`prompt` and `reward_model.ground_truth`), got {sorted(row)}")
        if not domain:
            raise ValueError(f"row {i}: no `type` or `data_source` to name its domain, got {sorted(row)}")
        domain = domain_name(domain)
        answer = answer_text(gold)
        if domain == "clutrr":
            answer = clutrr_relation(answer)
        yield {"question": question.strip(), "answer": answer, "domain": domain}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=HUB_ID, help=f"a hub id (default {HUB_ID}) or a json/jsonl/parquet file")
    parser.add_argument("--split", default="train")
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/rule_reasoning.jsonl")
    args = parser.parse_args(argv)
    write_rows(convert(read_rows(args.source, split=args.split)), args.out)


if __name__ == "__main__":
    main()
