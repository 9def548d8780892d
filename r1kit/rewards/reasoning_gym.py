"""reasoning-gym's own scorers as a reward: each row's task grades the answer outside the reasoning.

The row's `rg_source` (made by the `reasoning_gym` generator) names the task, its options
and the entry's index; the reward rebuilds that dataset and entry with reasoning-gym and
calls the task's `score_answer(answer, entry)`. Several scorers hand the model's answer
to `eval` or to sympy's `parse_expr` (n_queens, string_insertion, countdown, puzzle24...),
that is, they run model-written text as Python, so by default every batch is scored in
one `r1kit.sandbox` run (its own process, no network, a read-only filesystem, CPU, memory
and wall-clock limits, a clean environment) with a time limit per row. The sandbox's
audit-hook guard is off for this run: importing reasoning-gym (sympy, matplotlib) needs
what the guard refuses; the kernel's isolation still holds where namespaces are available.
`sandbox=False` scores in this process, faster, for tasks whose scorers only compare text.
"""

import inspect
import json
import math
import secrets
import threading

from r1kit import sandbox as sandboxes
from r1kit.answers import answer_span, outside_tag
from r1kit.errors import UserError
from r1kit.rewards.batch import column
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text

MAX_RUNS = 3  # sandbox runs per batch at most: a batch of answers that each end a run costs 3 * time_s
MAX_ANSWER_CHARS = 20_000  # longer answers score 0.0 unread: no task's answer is that long, a sympy parse of one is slow


@register("reasoning_gym")
def reasoning_gym(
    completions,
    *,
    rg_source=None,
    think_tag: str = "think",
    answer_tag: str | None = "answer",
    sandbox: bool = True,
    time_s: float = 30.0,
    row_time_s: float = 5.0,
    memory_mb: int = 2048,
    isolation: str = "auto",
    **kwargs,
) -> list[float | None]:
    """The reasoning-gym task's own score_answer of the answer outside the reasoning (None without rg_source).

    Source: reasoning-gym's `score_answer(answer, entry)` (1.0 right, partial credit or 0.0
    as each task defines). The answer is the last `<answer>` block outside `<think>…</think>`
    (with `answer_tag: null`, all the text outside the reasoning), stripped; no answer is
    scored as reasoning-gym scores None. With `sandbox` (default) a batch runs in one
    sandbox with `time_s` CPU seconds, `memory_mb` of address space and `row_time_s` per
    row; a row that runs out scores 0.0. Rows without a reasoning-gym reference score None.
    `isolation: namespaces` refuses to run without the kernel's isolation (see r1kit.sandbox).
    """
    _check_options(think_tag, answer_tag, sandbox, time_s, row_time_s, memory_mb)
    if sandbox:
        _check_sandbox(isolation)
    sources = column(rg_source, len(completions))
    keys = []
    for completion, source in zip(completions, sources):
        reference = _reference(source)
        if reference is None:
            keys.append(None)
            continue
        text = completion_text(completion)
        answer = answer_span(text, think_tag=think_tag, answer_tag=answer_tag) if answer_tag else outside_tag(
            text, think_tag)
        keys.append((reference, None if answer is None else answer.strip()))
    unique = sorted({k for k in keys if k is not None and (k[1] is None or len(k[1]) <= MAX_ANSWER_CHARS)}, key=str)
    if not unique:
        scores = {}
    elif sandbox:
        scores = dict(zip(unique, _score_in_sandbox(unique, time_s, row_time_s, memory_mb, isolation)))
    else:
        scores = dict(zip(unique, score_pairs([(json.loads(ref), answer) for ref, answer in unique], None)))
    return [None if k is None else scores.get(k, 0.0) for k in keys]


def _reference(source) -> str | None:
    """The row's reference as canonical JSON, or None when the row has none."""
    try:
        value = json.loads(source) if isinstance(source, str) else source
    except ValueError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("task"), str) or not isinstance(
            value.get("options"), dict) or type(value.get("index")) is not int:
        return None
    return json.dumps(value, sort_keys=True)


def score_pairs(pairs, row_time_s):
    """Yield the task's score of each (reference, answer); 0.0 on any error, or past `row_time_s` seconds.

    Self-contained (it is also sent as source into the sandbox): imports inside, no r1kit.
    The time limit uses SIGALRM, so it applies only in a main thread.
    """
    import json
    import math
    import signal
    import threading

    import reasoning_gym

    class RowTimeout(BaseException):
        pass

    def alarm(signum, frame):
        raise RowTimeout

    timed = bool(row_time_s) and threading.current_thread() is threading.main_thread()
    if timed:
        signal.signal(signal.SIGALRM, alarm)
    datasets = {}
    for reference, answer in pairs:
        score = 0.0
        try:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, row_time_s)
            key = json.dumps([reference["task"], reference["options"]], sort_keys=True)
            if key not in datasets:
                datasets[key] = reasoning_gym.create_dataset(reference["task"], **reference["options"])
            dataset = datasets[key]
            value = dataset.score_answer(answer, dataset[reference["index"]])
            score = float(value) if isinstance(value, (int, float)) and math.isfinite(value) else 0.0
        except BaseException:  # noqa: BLE001 - model output never makes a reward raise
            score = 0.0
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
        yield min(1.0, max(0.0, score))


_DRIVER = """\
import json as _json
import os as _os
import sys as _sys

__SCORER__

def _r1kit_main():
    nonce = _sys.stdin.readline().strip()
    job = _json.loads(_sys.stdin.read())
    report = _os.dup(1)
    for i, score in enumerate(score_pairs(job["pairs"], job["row_time_s"])):
        _os.write(report, f"\\n{nonce} {i} {score!r}\\n".encode())


_r1kit_main()
"""


def _score_in_sandbox(unique: list[tuple], time_s: float, row_time_s: float, memory_mb: int,
                      isolation: str) -> list[float]:
    """Score every (reference, answer) in a sandbox run; a row without a verdict scores 0.0.

    Rows are scored in order. A row that ends the run (past the CPU or memory limit, where
    the per-row alarm cannot interrupt C code) scores 0.0 and the rows after it get another
    run, up to `MAX_RUNS` runs in all.
    """
    scores, start = [0.0] * len(unique), 0
    for _ in range(MAX_RUNS):
        verdicts = _sandbox_run(unique[start:], time_s, row_time_s, memory_mb, isolation)
        for i, value in verdicts.items():
            scores[start + i] = value
        if len(verdicts) == len(unique) - start:
            break
        start += next(i for i in range(len(unique) - start) if i not in verdicts) + 1  # past the row that ended it
        if start >= len(unique):
            break
    return scores


def _sandbox_run(pairs: list[tuple], time_s: float, row_time_s: float, memory_mb: int,
                 isolation: str) -> dict[int, float]:
    """The verdicts of one sandbox run, by position. Each comes on a line keyed by a random nonce read from
    stdin, so a scorer that prints cannot forge one."""
    nonce = secrets.token_hex(16)
    program = _DRIVER.replace("__SCORER__", inspect.getsource(score_pairs))
    job = {"pairs": [(json.loads(ref), answer) for ref, answer in pairs], "row_time_s": row_time_s}
    try:
        result = sandboxes.run(program, nonce + "\n" + json.dumps(job), time_s=time_s, memory_mb=memory_mb,
                               guard=False, isolation=isolation)
    except Exception:  # noqa: BLE001 - a reward never raises on model output
        return {}
    verdicts = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == nonce and parts[1].isdigit():
            try:
                value = float(parts[2])
            except ValueError:
                continue
            verdicts.setdefault(int(parts[1]), min(1.0, max(0.0, value)) if math.isfinite(value) else 0.0)
    return verdicts


_SANDBOX_OK: dict = {}
_SANDBOX_LOCK = threading.Lock()


def _check_sandbox(isolation) -> None:
    """Once per process and isolation: the sandbox must import reasoning-gym, or every reward would be 0.

    Checked on the empty batch `resolve` scores too, so a machine that cannot is found before a model loads.
    """
    if isolation not in ("auto", "namespaces", "process"):
        raise UserError(f"reasoning_gym option isolation={isolation!r} must be auto, namespaces or process")
    with _SANDBOX_LOCK:
        if isolation not in _SANDBOX_OK:
            try:
                probe = sandboxes.run("import reasoning_gym\nprint(6 * 7)", time_s=30, memory_mb=2048, guard=False,
                                      isolation=isolation)
            except UserError as err:  # the isolation asked for cannot be had here
                raise UserError(f"reasoning_gym option isolation={isolation!r}: {err}") from None
            ok = probe.status == sandboxes.OK and probe.stdout.strip() == "42"
            _SANDBOX_OK[isolation] = None if ok else f"status {probe.status}: {probe.stderr.strip()[-300:]}"
    if _SANDBOX_OK[isolation] is not None:
        raise UserError(f"reasoning_gym cannot import reasoning-gym in its sandbox here ({_SANDBOX_OK[isolation]}); "
                        "the sandbox's Python must import it (pip install reasoning-gym; as root in `process` isolation "
                        "the program runs as nobody, who must be able to read that Python), or set sandbox: false")


def _check_options(think_tag, answer_tag, sandbox, time_s, row_time_s, memory_mb) -> None:
    check_tag("think_tag", think_tag)
    if answer_tag is not None:
        check_tag("answer_tag", answer_tag)
    if not isinstance(sandbox, bool):
        raise UserError(f"reasoning_gym option sandbox={sandbox!r} must be true or false")
    for option, value in (("time_s", time_s), ("row_time_s", row_time_s)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 3600:
            raise UserError(f"reasoning_gym option {option}={value!r} must be a number of seconds in (0, 3600]")
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < 256:
        raise UserError(f"reasoning_gym option memory_mb={memory_mb!r} must be a whole number >= 256")
