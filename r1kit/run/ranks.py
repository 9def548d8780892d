"""Several processes, one run directory: the main process decides and writes, every rank follows.

Inside a launcher every rank runs the whole curriculum. The run directory, state.json,
metrics.jsonl, eval/ and the report have one writer, the main process; decisions that
read the disk (which run, which checkpoint) are made there and broadcast, so ranks
never disagree. The ranks are accelerate's `PartialState`, the same state the trainers
use; with one process every call here is a no-op.
"""

import os

from r1kit.errors import UserError


def state():
    """accelerate's PartialState; in a launched process the first call joins the process group."""
    from accelerate import PartialState

    return PartialState(**_group_options())


def _group_options() -> dict:
    """How to join the group when accelerate's defaults do not fit (ignored once the state exists)."""
    if "LOCAL_RANK" not in os.environ:  # one process: a backend given here would ask for a group there is none of
        return {}
    import torch

    if torch.cuda.is_available():
        return {"backend": "cpu:gloo,cuda:nccl"}  # NCCL for CUDA tensors, gloo beside it for CPU ones
    if os.environ.get("ACCELERATE_USE_DEEPSPEED", "").lower() == "true":
        return {"backend": "gloo"}  # measured: without it accelerate names no backend on CPU and each rank sees 1 process
    return {"cpu": True}  # a launcher of the user's own, on CPU: gloo, as TrainingArguments(use_cpu=True) sets up


def init():
    """Join the process group now, before any trainer, so the run directory can be agreed on.

    accelerate, DeepSpeed and TRL find the group initialized and reuse it.
    """
    state()


def world() -> int:
    return state().num_processes


def rank() -> int:
    return state().process_index


def is_main() -> bool:
    return state().is_main_process


def barrier():
    state().wait_for_everyone()


def from_main(fn):
    """`fn()` run on the main process only; every rank gets its result (or its UserError)."""
    current = state()
    if current.num_processes == 1:
        return fn()
    from accelerate.utils import broadcast_object_list

    box = [None]
    if current.is_main_process:
        try:
            box[0] = ("ok", fn())
        except UserError as err:
            box[0] = ("error", str(err))
    broadcast_object_list(box, from_process=0)
    kind, value = box[0]
    if kind == "error":
        raise UserError(value)
    return value


def gather(obj) -> list:
    """Every rank's `obj`, in rank order, on every rank."""
    if state().num_processes == 1:
        return [obj]
    from accelerate.utils import gather_object

    return gather_object([obj])
