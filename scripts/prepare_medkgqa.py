"""Fleming-R1's knowledge-graph CoT data: MedKgQA multiple-choice questions with their teacher reasoning, as `math_qa` rows.

Fleming-R1 (arXiv 2509.15279) released, in its repository's data/ folder, the chain-of-thought data it
synthesised from a Wikipedia-derived medical knowledge graph: MedKgQA_en.jsonl (17,844 rows) and
MedKgQA_zh.jsonl (17,512), one multiple-choice question per sampled subgraph, with a reasoning trace
distilled from a teacher (GPT-OSS-120B, paper §3.2). The files could not be read here (they are stored
outside git's objects); their columns come from a third-party converter of MedKgQA_en.jsonl:
`question`, `choices` (the options, written after the question), `answer` (the option letter) and
`graph_idx` (the subgraph in MedKgQA_graph.jsonl). The name of the reasoning column is not known: `convert`
takes the first of COT_COLUMNS that a row has, or `cot_column` when given (`--cot-column`).

`convert` writes the question followed by its options (`question`), the gold letter (`answer`), the
reasoning (`solution`: the cold-start target becomes `<think>reasoning</think><answer>letter</answer>`),
and the subgraph index (`graph_idx`). The same rows serve the GRPO stages as prompts (their `solution` is
not read there).

    git clone https://github.com/UbiquantAI/Fleming-R1 data/Fleming-R1
    python scripts/prepare_medkgqa.py --out data/medkgqa.jsonl \\
        --source data/Fleming-R1/data/MedKgQA_en.jsonl --source data/Fleming-R1/data/MedKgQA_zh.jsonl
"""

import argparse
from collections.abc import Iterable, Iterator

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

LETTERS = "ABCDEFGHIJ"
COT_COLUMNS = ("cot", "CoT", "COT", "reasoning", "rationale", "thinking", "response", "output")  # assumed names


def _options(choices) -> str:
    """The options as "A. text" lines: a string is kept as written, a dict {"A": text} or a list is lettered."""
    if isinstance(choices, str):
        text = choices.strip()
    elif isinstance(choices, dict):
        text = "\n".join(f"{key}. {str(value).strip()}" for key, value in sorted(choices.items()))
    elif isinstance(choices, list):
        text = "\n".join(f"{LETTERS[i]}. {str(value).strip()}" for i, value in enumerate(choices))
    else:
        raise TypeError(f"choices {choices!r} must be the options as text, a dict of letters or a list")
    if not text:
        raise ValueError("choices is empty")
    return text


def _letters(options: str) -> set[str]:
    """The option letters that open a line ("A." "B)" "C、"), to check the gold against."""
    return {line.strip()[0] for line in options.splitlines() if len(line.strip()) > 1
            and line.strip()[0] in LETTERS and line.strip()[1] in ".)：:、 "}


def convert(rows: Iterable[dict], cot_column: str | None = None) -> Iterator[dict]:
    """MedKgQA rows -> question with its options, gold letter, reasoning (`solution`), subgraph index."""
    for i, row in enumerate(rows):
        try:
            question = str(row.get("question") or "").strip()
            if not question:
                raise ValueError(f"the question is empty (columns {sorted(row)})")
            if "choices" not in row:
                raise ValueError(f"no `choices` column (columns {sorted(row)})")
            options = _options(row["choices"])
            answer = str(row.get("answer") or "").strip().upper().rstrip(".")
            letters = _letters(options)
            if len(answer) != 1 or answer not in (letters or LETTERS):
                raise ValueError(f"answer {row.get('answer')!r} is not one of the option letters {sorted(letters)}")
            column = cot_column or next((c for c in COT_COLUMNS if c in row), None)
            if column is None or not str(row.get(column) or "").strip():
                raise ValueError(f"no reasoning: none of the columns {sorted(row)} is "
                                 f"{cot_column or ' / '.join(COT_COLUMNS)} with text; name it with --cot-column")
        except (TypeError, ValueError) as error:
            raise ValueError(f"row {i}: {error}") from None
        yield {"question": f"{question}\n{options}", "answer": answer, "solution": str(row[column]).strip(),
               "graph_idx": row.get("graph_idx")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/medkgqa.jsonl")
    parser.add_argument("--source", action="append", required=True,
                        help="a MedKgQA_en.jsonl / MedKgQA_zh.jsonl file of the Fleming-R1 repository; repeat for both")
    parser.add_argument("--cot-column", help=f"the reasoning column (default: the first of {', '.join(COT_COLUMNS)})")
    args = parser.parse_args(argv)
    rows = [row for source in args.source for row in read_rows(source)]
    write_rows(convert(rows, args.cot_column), args.out)


if __name__ == "__main__":
    main()
