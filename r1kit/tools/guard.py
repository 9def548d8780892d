"""Every tool a stage names runs under a guard: a time limit and a cap on what the model is shown.

TRL's tool loop calls a tool in the trainer's process and waits for it: a tool that hangs would
stop training, and one that returns a megabyte would fill the context. The guard raises
TimeoutError after `seconds` (TRL then shows the model the error and counts a failed call in
`tools/failure_frequency`; the stuck call is left to finish in a daemon thread) and cuts a reply
to `max_chars`. A tool's own exceptions pass through to TRL, which counts them the same way.
"""

import functools
import threading

SECONDS = 30.0
MAX_CHARS = 4000


def guarded(fn, seconds: float = SECONDS, max_chars: int = MAX_CHARS):
    """`fn` with a time limit and a reply cap; its name, signature and docstring (its JSON schema) unchanged."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        outcome = {}

        def target():
            try:
                outcome["value"] = fn(*args, **kwargs)
            except BaseException as err:  # noqa: BLE001 - handed back to the caller below
                outcome["error"] = err

        worker = threading.Thread(target=target, daemon=True, name=f"tool {fn.__name__}")
        worker.start()
        worker.join(seconds)
        if worker.is_alive():
            raise TimeoutError(f"tool {fn.__name__} did not return within {seconds:g} s")
        if "error" in outcome:
            raise outcome["error"]
        value = outcome.get("value")
        text = value if isinstance(value, (str, list)) else str(value)
        if isinstance(text, str) and len(text) > max_chars:
            return text[:max_chars] + f"\n... ({len(text) - max_chars} more characters cut)"
        return text

    return call
