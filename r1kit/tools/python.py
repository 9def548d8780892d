"""A Python interpreter the model can call: each call runs in r1kit's sandbox, with limits, no network, no secrets."""

from r1kit.sandbox.runner import run

OUTPUT_CHARS = 2000  # what the model is shown of a call's output; the rest is cut, and says so


def python(code: str) -> str:
    """Run Python code and return what it prints (stdout), or the error it raised.

    Args:
        code: a complete Python program; print the values you need to see.
    """
    result = run(str(code), time_s=2.0, memory_mb=512, output_bytes=1 << 16)
    if result.ok:
        return _cut(result.stdout) or "(no output: print the values you need)"
    if result.status == "timeout":
        return "error: timed out (2 s of CPU)"
    if result.status == "memory":
        return "error: out of memory (512 MB)"
    if result.status == "output_limit":
        return "error: too much output\n" + _cut(result.stdout)
    return "error:\n" + _cut(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.status)


def _cut(text: str) -> str:
    return text if len(text) <= OUTPUT_CHARS else text[:OUTPUT_CHARS] + f"\n... ({len(text) - OUTPUT_CHARS} more characters)"
