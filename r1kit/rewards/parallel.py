"""Run a CPU-bound reward over many rows in worker processes, so a big batch is not one core's work.

math-verify (sympy) holds the GIL, so threads do not help it; a persistent pool of
`spawn`ed processes does (spawn, not fork: the trainer may hold CUDA or many threads).
A worker runs each row in its main thread, where math-verify's signal-based timeouts
work. Small batches and `workers=1` stay in-process; a broken pool falls back to it.
"""

import atexit
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

log = logging.getLogger(__name__)
_POOLS: dict[int, ProcessPoolExecutor] = {}
MIN_ROWS = 32  # below this, starting work in other processes costs more than it saves


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def _pool(workers: int) -> ProcessPoolExecutor:
    if workers not in _POOLS:
        import multiprocessing

        _POOLS[workers] = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    return _POOLS[workers]


@atexit.register
def _shutdown():
    for pool in _POOLS.values():
        pool.shutdown(wait=False, cancel_futures=True)
    _POOLS.clear()


def map_rows(fn: Callable, rows: Sequence[tuple], workers: int | None = None) -> list:
    """`[fn(*row) for row in rows]`, spread over `workers` processes when the batch is big enough.

    `fn` must be a module-level function (it is pickled by name) that does not raise.
    """
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(rows) < MIN_ROWS:
        return [fn(*row) for row in rows]
    chunk = max(1, len(rows) // (workers * 4))
    try:
        return list(_pool(workers).map(_apply, [fn] * len(rows), rows, chunksize=chunk))
    except (BrokenProcessPool, OSError, RuntimeError) as err:  # a worker died, or processes cannot start here
        log.warning("reward worker pool failed (%s); scoring in this process", err)
        _POOLS.pop(workers, None)
        return [fn(*row) for row in rows]


def _apply(fn: Callable, row: tuple):
    return fn(*row)
