"""R1-Code-Interpreter's task questions (yongchao98/R1-Code-Interpreter-Data) as environment_task rows.

The published data is one folder per task (SymBench, BIG-Bench-Hard and Reasoning-Gym tasks, 144 in
all) holding `sample_<i>/question.txt` and `sample_<i>/solution.json`. `main` reads a local download
of it (`huggingface-cli download --repo-type dataset yongchao98/R1-Code-Interpreter-Data --local-dir
<dir>`) into rows {task, sample, question, solution}, or a jsonl of such rows; `convert` turns each
into a prompt (the question as written: it already asks for the answer as <<<answer>>>) and the gold
answer that `exact_match` (`delimiters: ["<<<", ">>>"]`) compares with. The Python session the
model calls is the recipe's `python_session` environment.

    python scripts/prepare_r1_code_interpreter.py --source <download dir> --out data/r1_code_interpreter.jsonl
"""

import argparse
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from prepare_common import read_rows, write_rows  # scripts/prepare_common.py

ANSWER_KEYS = ("answer", "solution", "target")  # the key a solution.json keeps its answer under (assumed order)


def gold_answer(solution, where: str) -> str:
    """The answer text of a solution.json: a string or number as it is, or the first ANSWER_KEYS entry of an
    object; a one-element list is its element."""
    if isinstance(solution, str):
        try:
            solution = json.loads(solution)
        except json.JSONDecodeError:
            return solution.strip()
    if isinstance(solution, list) and len(solution) == 1:
        solution = solution[0]
    if isinstance(solution, dict):
        key = next((k for k in ANSWER_KEYS if k in solution), None)
        if key is None:
            raise ValueError(f"{where}: solution {solution!r} has none of the keys {', '.join(ANSWER_KEYS)}")
        solution = solution[key]
    if isinstance(solution, bool) or not isinstance(solution, (str, int, float, list)):
        raise TypeError(f"{where}: solution {solution!r} is not an answer (text, number or list)")
    return solution.strip() if isinstance(solution, str) else json.dumps(solution)


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """{task, sample, question, solution} rows -> environment_task rows (prompt, answer, task_name)."""
    for i, row in enumerate(rows):
        where = f"row {i} (task {row.get('task')!r}, sample {row.get('sample')!r})"
        question = row.get("question")
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"{where}: no question text (question.txt)")
        if row.get("solution") is None:
            raise ValueError(f"{where}: no solution (solution.json)")
        yield {"prompt": question.strip(), "answer": gold_answer(row["solution"], where),
               "task_name": str(row.get("task") or "")}


def read_folders(root: Path) -> Iterator[dict]:
    """Rows of a download of the dataset: <task>/<...>/sample_<i>/{question.txt, solution.json}, sorted."""
    for question in sorted(root.rglob("question.txt")):
        sample = question.parent
        solution = sample / "solution.json"
        if not solution.is_file():
            raise ValueError(f"{sample}: question.txt without solution.json")
        yield {"task": sample.relative_to(root).parts[0], "sample": sample.name,
               "question": question.read_text(encoding="utf-8"), "solution": solution.read_text(encoding="utf-8")}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True,
                        help="a local download of yongchao98/R1-Code-Interpreter-Data (a folder), or a jsonl of rows")
    parser.add_argument("--out", required=True, help="the jsonl file to write, e.g. data/r1_code_interpreter.jsonl")
    parser.add_argument("--tasks", nargs="*", help="keep only these task folders (default: all)")
    args = parser.parse_args(argv)
    source = Path(args.source)
    rows = read_folders(source) if source.is_dir() else read_rows(args.source)
    if args.tasks:
        rows = (r for r in rows if r.get("task") in set(args.tasks))
    write_rows(convert(rows), args.out)


if __name__ == "__main__":
    main()
