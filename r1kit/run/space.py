"""A full disk (or quota) while a run writes: recognised whatever library hit it, and said plainly.

Checkpoints are renamed into place only once complete (r1kit.stages.checkpoints), so a save cut
short by a full disk loses nothing but itself. Python reports it as OSError ENOSPC, but
safetensors and torch.save write in native code and raise their own errors with the OS
message inside, so the text is read too.
"""

import errno
import shutil
from pathlib import Path

from r1kit.run.rundir import RunDir

FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
FULL_TEXTS = ("No space left on device", "Disk quota exceeded", "File too large", "StorageFull", "FileTooLarge",
              "file write failed")


def is_disk_full(err: BaseException) -> bool:
    """True when `err`, or an error it was raised from, says the disk (or the file size limit) is full."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, OSError) and err.errno in FULL_ERRNOS:
            return True
        if any(text in str(err) for text in FULL_TEXTS):
            return True
        err = err.__cause__ or err.__context__
    return False


def disk_full_message(err: BaseException, run: RunDir, recipe: dict) -> str:
    """What happened, what is intact, what to do; partial saves are removed to give the space back."""
    for stage_dir in (run.path / "stages").glob("*"):
        if run.writes:
            shutil.rmtree(stage_dir / ".staging", ignore_errors=True)
            shutil.rmtree(stage_dir / "final.tmp", ignore_errors=True)
    where = getattr(err, "filename", None)
    lines = [f"The disk is full: writing {where or 'into ' + str(run.path)} failed ({_reason(err)})."]
    state = _state(run)
    for index, name in enumerate(recipe["stages"]):
        record = state.get("stages", {}).get(name, {})
        if record.get("status") == "running":
            checkpoint = _last_checkpoint(run.stage_dir(index, name))
            lines.append(f"Stage {name} resumes from {checkpoint.name}, its last complete checkpoint (intact)."
                         if checkpoint else f"Stage {name} had no complete checkpoint yet and will start over.")
    lines.append(f"Free space on the disk of {run.path} ({_free(run.path)} free now), or lower save_total_limit, "
                 "then rerun the same command to continue the run.")
    return " ".join(lines)


def _reason(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}"
    return text if len(text) < 300 else text[:297] + "..."


def _state(run: RunDir) -> dict:
    try:
        return run.read_state()
    except Exception:  # noqa: BLE001 - the message must not fail for a state file the full disk cut short
        return {}


def _last_checkpoint(stage_dir: Path) -> Path | None:
    steps = [(int(p.name.split("-")[1]), p) for p in stage_dir.glob("checkpoint-*") if p.name.split("-")[1].isdigit()]
    return max(steps)[1] if steps else None


def _free(path: Path) -> str:
    try:
        return f"{shutil.disk_usage(path).free / 2**30:.2f} GiB"
    except OSError:
        return "unknown"
