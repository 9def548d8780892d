"""DeepScaleR's training problems: agentica-org/DeepScaleR-Preview-Dataset rows as `math_qa` rows with its prompt.

Each row is a competition problem (AIME, AMC, Omni-MATH, STILL) with `problem`, `answer` and a worked
`solution`. DeepScaleR's verl data script, which AutoThink ships unchanged
(TU2021/AutoThink@be0bcb0 scripts/data/deepscaler_dataset.py:42-44), makes the user turn the problem
followed by one space and "Let's think step by step and output the final answer within \\boxed{}.";
`convert` writes that text as the question and the answer as the gold.

    python scripts/prepare_deepscaler.py --out data/deepscaler.jsonl
"""

from collections.abc import Iterable, Iterator

from prepare_common import prepare_main  # scripts/prepare_common.py

HUB_ID = "agentica-org/DeepScaleR-Preview-Dataset"
INSTRUCTION = "Let's think step by step and output the final answer within \\boxed{}."


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """DeepScaleR rows (problem, answer, solution) -> math_qa rows (question = problem + instruction, answer)."""
    for i, row in enumerate(rows):
        problem, answer = row.get("problem"), row.get("answer")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"row {i}: no `problem` (DeepScaleR rows have problem, answer, solution), got {sorted(row)}")
        if answer is None or str(answer).strip() == "":
            raise ValueError(f"row {i}: no `answer`")
        yield {"question": f"{problem} {INSTRUCTION}", "answer": str(answer)}


def main(argv=None):
    prepare_main(convert, __doc__, "data/deepscaler.jsonl", "hub id or local json/jsonl/parquet (deepscaler.json)",
                 source_default=HUB_ID, argv=argv)


if __name__ == "__main__":
    main()
