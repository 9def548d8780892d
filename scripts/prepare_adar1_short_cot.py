"""AdaR1's short-CoT SFT data: short solutions of MixMathematics problems -> `math_qa` rows with an SFT target.

AdaR1 makes its short-CoT model by fine-tuning the long-CoT model (DeepSeek-R1-Distill-Qwen) on 2,000
short solutions written by an instruct model (README "Step 0"; LLaMA-Factory-YAMLs/ds-7b-short-sft.yaml,
dataset "Qwen2.5-32B-Instruct_mix_mathematic_problems_ds-format"), so that both models share one chat
template and can be merged. The rows are `problem` and `solution` (the instruct model's reply, ending in
\\boxed{}); `format_dataset` of the authors' constrcut_adaptive_dataset.py:35-55 turns them into a user
turn, the problem followed by " Let's think step by step and output the final answer within \\boxed{}.",
and the reply as the assistant turn. `convert` writes the same as `math_qa` columns (`question`, the
`solution` kept verbatim by the recipe's `solution_as: verbatim`).

The authors did not publish this file: sample an instruct model on MixMathematics (the authors'
sample_from_model.sh with n 1) and keep `problem` and the reply as `solution`.

    python scripts/prepare_adar1_short_cot.py --out data/adar1_short_cot.jsonl --source <problem/solution json>
"""

from collections.abc import Iterable, Iterator

from prepare_common import prepare_main  # scripts/prepare_common.py

INSTRUCTION = "Let's think step by step and output the final answer within \\boxed{}."  # :38


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """Rows with `problem` and `solution` -> question (with AdaR1's instruction) + solution."""
    for i, row in enumerate(rows):
        problem, solution = row.get("problem"), row.get("solution")
        if not isinstance(problem, str) or not problem.strip():
            raise ValueError(f"row {i}: `problem` is missing or empty")
        if not isinstance(solution, str) or "\\boxed{" not in solution:
            raise ValueError(f"row {i}: `solution` must be the short reply with its answer in \\boxed{{}}, "
                             f"got {solution!r:.120}")
        yield {"question": f"{problem} {INSTRUCTION}", "solution": solution}


def main(argv=None):
    prepare_main(convert, __doc__, "data/adar1_short_cot.jsonl",
                 "local json/jsonl/parquet of problem/solution rows (not published by the authors)", argv=argv)


if __name__ == "__main__":
    main()
