"""Checkpoints that are never half-written: save under a staging name, then rename.

A process killed during a save leaves only a `.staging/` folder, which the next run
deletes; `checkpoint-N` folders are always complete, so resuming picks the newest.
"""

import os
import shutil
from pathlib import Path

from transformers.trainer_utils import get_last_checkpoint, rotate_checkpoints

STAGING = ".staging"


class AtomicCheckpoints:
    """Mixin for a transformers Trainer: `_save_checkpoint` writes to staging and renames."""

    _saving = False

    def _get_output_dir(self, trial):
        out = super()._get_output_dir(trial)
        return os.path.join(out, STAGING) if self._saving else out

    def _save_checkpoint(self, model, trial):
        final_root = super()._get_output_dir(trial)
        self._saving = True
        try:
            super()._save_checkpoint(model, trial)
        finally:
            self._saving = False
        if not self.args.should_save:
            return
        staged = Path(final_root, STAGING)
        for ckpt in sorted(staged.glob("checkpoint-*")):
            target = Path(final_root, ckpt.name)
            if target.exists():
                shutil.rmtree(target)
            os.replace(ckpt, target)
        shutil.rmtree(staged, ignore_errors=True)
        rotate_checkpoints(final_root, save_total_limit=self.args.save_total_limit, use_mtime=False)


def last_complete_checkpoint(stage_dir: Path) -> str | None:
    """The newest complete checkpoint of a stage; leftovers of an interrupted save are removed."""
    stage_dir = Path(stage_dir)
    shutil.rmtree(stage_dir / STAGING, ignore_errors=True)
    shutil.rmtree(stage_dir / "final.tmp", ignore_errors=True)
    if not stage_dir.is_dir():
        return None
    return get_last_checkpoint(str(stage_dir))


def save_final(trainer, path: Path):
    """Save the stage's final model (HF format, LoRA merged) atomically, with its processing class."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model = trainer.model
    if hasattr(model, "merge_and_unload"):  # a peft model: the next stage and eval want plain weights
        model = model.merge_and_unload()
    model.save_pretrained(tmp)
    trainer.processing_class.save_pretrained(tmp)
    if path.exists():
        shutil.rmtree(path)
    os.replace(tmp, path)
