"""A Python session the model calls during a rollout, its variables kept from one call to the next.

The pattern of R1-Code-Interpreter, TableGPT-R1 and Datarus-R1: the model thinks, runs a cell,
reads its output, and runs another cell that uses what the earlier ones defined, like a notebook.

Each call runs in r1kit's sandbox (r1kit/sandbox: a fresh process with CPU-time, memory and
output limits, no network, no secrets, a throwaway directory). The sandbox runs one program and
ends, so the session is kept by replay: a call runs every earlier successful cell again with its
output discarded, then the new cell with its output shown. Replay was chosen over a long-lived
worker because it keeps every guarantee of the sandbox unchanged (a cell that hangs, crashes or
allocates takes nothing with it), at the price of running earlier cells again: the time limit
covers the replay too, and `random` is seeded at the start of each program so a replayed cell
draws what it drew the first time. A cell that fails is not kept (its partial effects are lost).

The reward is left to the stage's reward functions (the final answer in the completion, as the
systems above score it): this environment has no `get_reward`.
"""

from r1kit.sandbox import MEMORY, OUTPUT_LIMIT, TIMEOUT, run

REPLAY_FAILED = 3  # the exit status of a program whose earlier cell failed when run again

# The program a call runs: CELLS is every kept cell and, last, the new one. Earlier cells write to nowhere; the new
# cell's value of a last expression is printed, as a notebook shows it.
PROGRAM = """\
import ast, random, sys, traceback
random.seed(0)
CELLS = {cells!r}


class _Nowhere:
    def write(self, text):
        return len(text)

    def flush(self):
        pass


_ns = {{"__name__": "__main__"}}
_out, _err = sys.stdout, sys.stderr
sys.stdout = sys.stderr = _Nowhere()
for _i, _cell in enumerate(CELLS[:-1], 1):
    try:
        exec(compile(_cell, f"<cell {{_i}}>", "exec"), _ns)
    except SystemExit:
        pass
    except BaseException as _e:
        sys.stdout, sys.stderr = _out, _err
        print(f"cell {{_i}} failed when run again: {{type(_e).__name__}}: {{_e}}", file=sys.stderr)
        sys.exit({replay_failed})
sys.stdout, sys.stderr = _out, _err
_name = f"<cell {{len(CELLS)}}>"
try:
    _tree = ast.parse(CELLS[-1], _name)
    _last = ast.Expression(_tree.body.pop().value) if _tree.body and isinstance(_tree.body[-1], ast.Expr) else None
    exec(compile(_tree, _name, "exec"), _ns)
    if _last is not None:
        _value = eval(compile(_last, _name, "eval"), _ns)
        if _value is not None:
            print(repr(_value))
except SystemExit:
    raise
except BaseException as _e:
    sys.stdout.flush()
    traceback.print_exception(type(_e), _e, None if isinstance(_e, SyntaxError) else _e.__traceback__.tb_next)
    sys.exit(1)
"""


class PythonSession:
    """A notebook-like Python session in r1kit's sandbox: one per rollout, cleared by `reset`.

    time_s: CPU seconds per call (replay included); memory_mb: address space per call; max_chars: what the model is
    shown of a reply; max_cells: cells one session keeps; max_code_chars: the longest cell accepted.
    """

    def __init__(self, time_s: float = 2.0, memory_mb: int = 512, max_chars: int = 2000, max_cells: int = 16,
                 max_code_chars: int = 20_000):
        self.time_s, self.memory_mb, self.max_chars = float(time_s), int(memory_mb), int(max_chars)
        self.max_cells, self.max_code_chars = int(max_cells), int(max_code_chars)
        self.cells: list[str] = []

    def reset(self, **row) -> None:
        self.cells = []

    def python(self, code: str) -> str:
        """Run Python code in this conversation's session: variables and imports from earlier calls are kept.

        Args:
            code: Python statements; print what you need, and a last expression's value is shown.
        """
        code = code if isinstance(code, str) else str(code)
        if len(code) > self.max_code_chars:
            return f"error: the code is {len(code)} characters long; at most {self.max_code_chars} are run"
        if len(self.cells) >= self.max_cells:
            return f"error: this session already holds {self.max_cells} cells, the most it keeps"
        result = run(PROGRAM.format(cells=[*self.cells, code], replay_failed=REPLAY_FAILED), time_s=self.time_s,
                     memory_mb=self.memory_mb, output_bytes=4 * self.max_chars + 4096)
        if result.ok:
            self.cells.append(code)
            return self._cut(result.stdout) or "(no output)"
        if result.status == TIMEOUT:
            return f"error: timed out ({self.time_s:g} s of CPU for the session's cells)"
        if result.status == MEMORY:
            return f"error: out of memory ({self.memory_mb} MB)"
        if result.status == OUTPUT_LIMIT:
            return self._cut(result.stdout) + "\nerror: too much output; the cell was stopped"
        if result.returncode == REPLAY_FAILED:
            return f"error: the session could not be restored: {result.stderr.strip()[-500:]}"
        return self._cut(result.stdout + _traceback_tail(result.stderr), keep_end=True)  # the error is at the end

    def _cut(self, text: str, keep_end: bool = False) -> str:
        if len(text) <= self.max_chars:
            return text
        if keep_end:
            return f"({len(text) - self.max_chars} characters cut) ...\n" + text[-self.max_chars:]
        return text[: self.max_chars] + f"\n... ({len(text) - self.max_chars} more characters cut)"


def _traceback_tail(stderr: str, lines: int = 6) -> str:
    """The end of a traceback (where it failed and why), which is what a model can act on."""
    tail = stderr.strip().splitlines()[-lines:]
    return "\n".join(tail) if tail else "error: the cell failed without a message"
