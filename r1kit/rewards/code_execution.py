"""Code execution: run the completion's last Python code block against test cases, in a sandbox.

The row's tests (column `tests` by default) come in two kinds:

- stdin/stdout tests: `[{"input": "1 2\\n", "output": "3\\n"}, ...]`, or the APPS / TACO /
  CodeContests shape `{"inputs": [...], "outputs": [...]}`; the program runs once per test
  with the input on stdin, and passes the test when it exits with status 0 and prints the
  expected output (compared line by line, trailing whitespace and trailing blank lines
  ignored; `compare="tokens"` compares whitespace-separated tokens instead);
- assert tests: `["assert add(1, 2) == 3", ...]` (MBPP's `test_list`), or one string of test
  code; the program is executed once as `__main__` (an exception at its top level, such
  as a main guard reading an empty stdin, does not stop the tests), then each test runs
  after it in the same interpreter and passes when it raises nothing. All of a row's
  assert tests share one sandbox run and its time limit; each verdict is reported on a
  line keyed by a random nonce the program is not given, so exiting early or printing
  "pass" gains nothing.

Either may also be given as a JSON string of the same. Every run is a `r1kit.sandbox` run;
runs are spread over `workers` threads, and identical (code, test) pairs in a batch (a
GRPO group often repeats itself) run once.
"""

import json
import os
import secrets
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor

from r1kit import sandbox
from r1kit.errors import UserError
from r1kit.rewards.batch import column as as_column
from r1kit.rewards.registry import register
from r1kit.rewards.text import completion_text

PYTHON_TAGS = ("", "python", "py", "python3", "py3")
COMPARES = ("lines", "tokens")
MAX_CODE_CHARS = 200_000


@register("code_execution")
def code_execution(
    completions,
    *,
    tests=None,
    column: str = "tests",
    time_s: float = 2.0,
    memory_mb: int = 512,
    workers: int | None = None,
    compare: str = "lines",
    partial: bool = True,
    python: str | None = None,
    isolation: str = "auto",
    **kwargs,
) -> list[float | None]:
    """Share of the row's tests that the last Python code block passes, run in a sandbox (None without tests).

    Source: the test-case execution rewards of CodeV-R1 (testbench equivalence), AutoTriton
    and R1-Code-Interpreter; here for Python, with stdin/stdout tests or assert tests (see
    the module docstring). The code is the last closed ``` fence tagged python, py or
    nothing; no such block scores 0.0; rows without usable tests score None. With
    `partial=False` the reward is 1.0 only when every test passes, else 0.0. Each program
    run gets `time_s` CPU seconds (about twice that in wall time) and `memory_mb` of address
    space; `workers` runs go at once (default: the CPU count). A program that loops, forks,
    hogs memory, floods output or reaches outside its sandbox fails its tests. `isolation`:
    "auto" (namespaces where the kernel allows them, else process limits), "namespaces"
    (required: a UserError where the kernel refuses them) or "process".
    """
    _check_options(column, time_s, memory_mb, workers, compare, partial, isolation)
    _check_sandbox(python, isolation)
    specs = as_column(tests if column == "tests" else kwargs.get(column), len(completions))
    limits = {"time_s": float(time_s), "memory_mb": int(memory_mb), "python": python, "isolation": isolation}
    rows, jobs = [], {}
    for completion, spec in zip(completions, specs):
        parsed = parse_tests(spec)
        code = last_code_block(completion_text(completion)) if parsed is not None else None
        rows.append((parsed, code))
        if parsed is not None and code is not None:
            for key in _job_keys(code, parsed):
                jobs.setdefault(key, None)
    if jobs:
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            results = pool.map(lambda key: _run_job(key, limits, compare), list(jobs))
            jobs = dict(zip(list(jobs), results))
    rewards = []
    for parsed, code in rows:
        if parsed is None:
            rewards.append(None)
        elif code is None:
            rewards.append(0.0)
        else:
            share = sum(sum(jobs[key]) for key in _job_keys(code, parsed)) / len(parsed[1])
            rewards.append(share if partial else float(share == 1.0))
    return rewards


# --- finding the code ----------------------------------------------------------------


def last_code_block(text: str) -> str | None:
    """The content of the last closed fenced block tagged python/py/python3 or untagged, or None.

    A fence is a line of three or more backticks (indentation allowed) followed by an
    optional language tag; it closes at a line of at least as many backticks. A fence left
    open (a completion cut at the length limit) is no block. Blocks in other languages are
    skipped. The block is dedented. Linear in the length of the text.
    """
    if not isinstance(text, str) or "```" not in text:
        return None
    found, fence, tag, body = None, 0, "", []
    for line in text.split("\n"):
        stripped = line.strip()
        ticks = len(stripped) - len(stripped.lstrip("`"))
        if not fence:
            if ticks >= 3 and "`" not in stripped[ticks:]:
                fence, body = ticks, []
                info = stripped[ticks:].split()
                tag = info[0].lower() if info else ""
        elif ticks >= fence and ticks == len(stripped):
            if tag in PYTHON_TAGS:
                found = body
            fence = 0
        else:
            body.append(line)
    if found is None:
        return None
    code = textwrap.dedent("\n".join(found)).strip("\n")
    return code + "\n" if code.strip() and len(code) <= MAX_CODE_CHARS else None


# --- reading the tests ---------------------------------------------------------------


def parse_tests(spec) -> tuple[str, tuple] | None:
    """A row's tests as ("io", ((stdin, expected), ...)) or ("assert", (code, ...)), or None if unusable."""
    if isinstance(spec, str):
        text = spec.strip()
        if not text:
            return None
        if text[0] in "[{":
            try:
                spec = json.loads(text)
            except ValueError:
                return ("assert", (spec,))
        else:
            return ("assert", (spec,))
    if isinstance(spec, dict):
        if "inputs" in spec or "outputs" in spec:
            inputs, outputs = spec.get("inputs"), spec.get("outputs")
            if isinstance(inputs, (list, tuple)) and isinstance(outputs, (list, tuple)) and len(inputs) == len(outputs):
                spec = [{"input": i, "output": o} for i, o in zip(inputs, outputs)]
            else:
                return None
        else:
            spec = [spec]
    if not isinstance(spec, (list, tuple)) or not spec:
        return None
    if all(isinstance(test, str) and test.strip() for test in spec):
        return ("assert", tuple(spec))
    if all(isinstance(test, dict) and "input" in test and "output" in test for test in spec):
        pairs = tuple((_text(test["input"]), _text(test["output"])) for test in spec)
        return None if any(p is None for pair in pairs for p in pair) else ("io", pairs)
    return None


def _text(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "\n".join(value)  # some datasets store lines
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _job_keys(code: str, parsed: tuple) -> list[tuple]:
    """Sandbox runs a row needs: one per stdin/stdout test, one for all its assert tests."""
    kind, tests = parsed
    if kind == "io":
        return [("io", code, test) for test in tests]
    return [("assert", code, tests)]


# --- running -------------------------------------------------------------------------


def _run_job(key: tuple, limits: dict, compare: str) -> list[bool]:
    """Which tests of one sandbox run pass; never raises."""
    kind, code, tests = key
    try:
        if kind == "io":
            stdin, expected = tests
            result = _run(code, stdin, limits, output_bytes=max(1 << 20, 2 * len(expected)))
            return [result.status == sandbox.OK and same_output(result.stdout, expected, compare)]
        return _run_asserts(code, tests, limits)
    except Exception:  # noqa: BLE001 - a reward never raises on model output
        return [False] * (1 if kind == "io" else len(tests))


def _run(source: str, stdin: str, limits: dict, **options) -> sandbox.Result:
    result = sandbox.run(source, stdin, **limits, **options)
    if result.status == sandbox.SANDBOX_ERROR:  # a transient failure (no fork, no fd) of the machine
        result = sandbox.run(source, stdin, **limits, **options)
    return result


_DRIVER = """\
import os as _os
import sys as _sys


def _r1kit_tests(tests):
    nonce = _sys.stdin.readline().strip()
    report = _os.dup(1)
    main = _sys.modules["__main__"].__dict__
    del main["_r1kit_tests"]
    with open("solution.py", "rb") as f:
        source = f.read()
    try:
        exec(compile(source, "solution.py", "exec"), main)
    except BaseException:
        pass  # a crash after the definitions (a main guard reading stdin) still lets the tests run
    for i, test in enumerate(tests):
        try:
            exec(compile(test, f"test_{i}.py", "exec"), main)
            verdict = "pass"
        except BaseException:
            verdict = "fail"
        try:
            _sys.stdout.flush()
        except BaseException:
            pass
        _os.write(report, f"\\n{nonce} {i} {verdict}\\n".encode())


_r1kit_tests(__TESTS__)
"""


def _run_asserts(code: str, tests: tuple, limits: dict) -> list[bool]:
    """Run the program, then each test after it, in one sandbox.

    The driver reports each verdict on a line that starts with a random nonce it reads
    from stdin before the program runs, so a program that prints "pass" or exits early
    gains nothing.
    """
    nonce = secrets.token_hex(16)
    driver = _DRIVER.replace("__TESTS__", repr(list(tests)))
    result = _run(driver, nonce + "\n", limits, files={"solution.py": code})
    verdicts = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == nonce and parts[1].isdigit():
            verdicts.setdefault(int(parts[1]), parts[2] == "pass")
    return [verdicts.get(i, False) for i in range(len(tests))]


def same_output(actual: str, expected: str, compare: str = "lines") -> bool:
    """Whether a program's stdout matches the expected output.

    "lines": line by line, ignoring trailing whitespace on each line, trailing blank lines
    and \\r\\n versus \\n. "tokens": the whitespace-separated tokens are equal.
    """
    if compare == "tokens":
        return actual.split() == expected.split()
    return _lines(actual) == _lines(expected)


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


# --- options -------------------------------------------------------------------------

_SANDBOX_OK: dict = {}
_SANDBOX_LOCK = threading.Lock()


def _check_sandbox(python, isolation) -> None:
    """Once per interpreter: the sandbox must run a trivial program, or every reward would be 0."""
    with _SANDBOX_LOCK:
        if (python, isolation) not in _SANDBOX_OK:
            try:
                _SANDBOX_OK[python, isolation] = sandbox.self_check(python, isolation)
            except UserError as err:  # the isolation cannot be had here
                raise UserError(f"code_execution option isolation={isolation!r}: {err}") from None
    problem = _SANDBOX_OK[python, isolation]
    if problem is not None:
        raise UserError(
            f"code_execution cannot run Python in its sandbox here ({problem}); "
            "set the reward option python= to an interpreter the sandbox can run"
        )


def _check_options(column, time_s, memory_mb, workers, compare, partial, isolation) -> None:
    if not isinstance(column, str) or not column:
        raise UserError(f"code_execution option column={column!r} must name a dataset column")
    if isinstance(time_s, bool) or not isinstance(time_s, (int, float)) or not 0 < time_s <= 600:
        raise UserError(f"code_execution option time_s={time_s!r} must be a number of seconds in (0, 600]")
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < 64:
        raise UserError(f"code_execution option memory_mb={memory_mb!r} must be a whole number >= 64")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise UserError(f"code_execution option workers={workers!r} must be a whole number >= 1 (or unset)")
    if not isinstance(partial, bool):
        raise UserError(f"code_execution option partial={partial!r} must be true or false")
    if compare not in COMPARES:
        raise UserError(f"code_execution option compare={compare!r} must be one of {', '.join(COMPARES)}")
    if isolation not in sandbox.ISOLATIONS:
        raise UserError(f"code_execution option isolation={isolation!r} must be one of {', '.join(sandbox.ISOLATIONS)}")
