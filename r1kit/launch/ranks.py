"""Several processes, one run directory: the main process decides and writes, every rank follows.

Inside a launcher every rank runs the whole curriculum. The run directory, state.json,
metrics.jsonl, eval/ and the report have one writer, global rank 0; decisions that
read the disk (which run, which checkpoint) are made there and broadcast, so ranks
never disagree. With one process every call here is a no-op.
"""

import os

from r1kit.errors import UserError


def world() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def is_main() -> bool:
    return rank() == 0


def init():
    """Join the process group now, before any trainer, so the run directory can be agreed on.

    accelerate, DeepSpeed and TRL find the group initialized and reuse it. CPU tensors
    (the objects broadcast here) travel over gloo, CUDA tensors over NCCL.
    """
    if world() == 1:
        return
    import torch
    import torch.distributed as dist

    if dist.is_initialized():
        return
    if torch.cuda.is_available():
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group("cpu:gloo,cuda:nccl")
    else:
        dist.init_process_group("gloo")


def _group_ready() -> bool:
    if world() == 1:
        return False
    import torch.distributed as dist

    return dist.is_available() and dist.is_initialized()


def barrier():
    if _group_ready():
        import torch.distributed as dist

        dist.barrier()


def from_main(fn):
    """`fn()` run on the main process only; every rank gets its result (or its UserError)."""
    if not _group_ready():
        return fn()
    import torch.distributed as dist

    box = [None]
    if is_main():
        try:
            box[0] = ("ok", fn())
        except UserError as err:
            box[0] = ("error", str(err))
    dist.broadcast_object_list(box, src=0)
    kind, value = box[0]
    if kind == "error":
        raise UserError(value)
    return value


def gather(obj) -> list:
    """Every rank's `obj`, in rank order, on every rank."""
    if not _group_ready():
        return [obj]
    import torch.distributed as dist

    out = [None] * world()
    dist.all_gather_object(out, obj)
    return out
