"""AlphaMed's training data: MedQA, MedMCQA and PubMedQA as lettered multiple-choice `math_qa` rows.

AlphaMed (arXiv 2505.17952) trains on the public multiple-choice sets MedQA (USMLE, 4 options),
MedMCQA and PubMedQA. Each published schema is recognised per row:

- MedQA (GBaker/MedQA-USMLE-4-options): `question`, `options` {"A": ..., "D": ...}, `answer_idx` "B";
- MedMCQA (openlifescienceai/medmcqa): `question`, `opa`..`opd`, `cop` (the right option, 0-3);
- PubMedQA (qiaojin/PubMedQA, pqa_labeled): `question`, `context.contexts` (the abstract's
  paragraphs), `final_decision` yes / no / maybe, asked as options A yes, B no, C maybe.

`convert` writes the question followed by one "X. option" line per option (`question`), the gold
letter (`answer`) and the source set (`source`).

    python scripts/prepare_medical_mcqa.py --out data/medical_mcqa.jsonl     # all three sets, train splits
    python scripts/prepare_medical_mcqa.py --out data/medical_mcqa.jsonl --source GBaker/MedQA-USMLE-4-options
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

# hub id[:config] -> split; the three sets AlphaMed names
SOURCES = {"GBaker/MedQA-USMLE-4-options": "train", "openlifescienceai/medmcqa": "train",
           "qiaojin/PubMedQA:pqa_labeled": "train"}
LETTERS = "ABCDEFGHIJ"
PUBMEDQA_DECISIONS = ("yes", "no", "maybe")


def _lettered(question: str, options: list[str]) -> str:
    return question.strip() + "\n" + "\n".join(f"{LETTERS[i]}. {str(o).strip()}" for i, o in enumerate(options))


def _medqa(row: dict) -> tuple[str, str]:
    options = row["options"]
    if isinstance(options, list):  # some copies store [{"key": "A", "value": ...}, ...]
        options = {o["key"]: o["value"] for o in options}
    keys = sorted(options)
    gold = str(row.get("answer_idx") or "").strip()
    if gold not in keys:
        raise ValueError(f"answer_idx {gold!r} is not one of the options {keys}")
    return _lettered(row["question"], [options[k] for k in keys]), LETTERS[keys.index(gold)]


def _medmcqa(row: dict) -> tuple[str, str]:
    cop = row.get("cop")
    if isinstance(cop, bool) or not isinstance(cop, int) or not 0 <= cop <= 3:
        raise ValueError(f"cop {cop!r} must be the right option's index 0-3 (opa-opd)")
    return _lettered(row["question"], [row[k] for k in ("opa", "opb", "opc", "opd")]), LETTERS[cop]


def _pubmedqa(row: dict) -> tuple[str, str]:
    decision = str(row.get("final_decision") or "").strip().lower()
    if decision not in PUBMEDQA_DECISIONS:
        raise ValueError(f"final_decision {row.get('final_decision')!r} must be yes, no or maybe")
    context = "\n".join((row.get("context") or {}).get("contexts") or [])
    question = f"Context: {context}\nQuestion: {row['question'].strip()}" if context else row["question"]
    return _lettered(question, list(PUBMEDQA_DECISIONS)), LETTERS[PUBMEDQA_DECISIONS.index(decision)]


def _schema(row: dict):
    if "options" in row and "answer_idx" in row:
        return "medqa", _medqa
    if "cop" in row and "opa" in row:
        return "medmcqa", _medmcqa
    if "final_decision" in row:
        return "pubmedqa", _pubmedqa
    raise ValueError(f"columns {sorted(row)} are none of MedQA's (options, answer_idx), MedMCQA's (opa-opd, "
                     "cop) or PubMedQA's (question, context, final_decision)")


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """Rows of MedQA, MedMCQA or PubMedQA (mixed freely) -> question with lettered options, gold letter, source."""
    for i, row in enumerate(rows):
        try:
            source, read = _schema(row)
            if not str(row.get("question") or "").strip():
                raise ValueError("the question is empty")
            question, answer = read(row)
        except (KeyError, ValueError) as error:
            raise ValueError(f"row {i}: {error}") from None
        yield {"question": question, "answer": answer, "source": source}


def read_source(source: str, split: str) -> list[dict]:
    """`hub id[:config]` or a local file: the rows of one published set."""
    if ":" in source and not source.endswith((".json", ".jsonl", ".parquet")):
        import datasets

        hub_id, config = source.split(":", 1)
        return datasets.load_dataset(hub_id, config, split=split).to_list()
    return read_rows(source, split)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/medical_mcqa.jsonl")
    parser.add_argument("--source", action="append",
                        help="hub id[:config] or local json/jsonl/parquet file; repeat for several "
                             f"(default: {', '.join(SOURCES)})")
    parser.add_argument("--split", default="train")
    args = parser.parse_args(argv)
    rows = [row for source in args.source or SOURCES for row in read_source(source, args.split)]
    write_rows(convert(rows), args.out)


if __name__ == "__main__":
    main()
