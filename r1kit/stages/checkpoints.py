"""Checkpoints that are never half-written: save under a staging name, then rename.

A process killed during a save leaves only a `.staging/` folder, which the next run
deletes; `checkpoint-N` folders are always complete, so resuming picks the newest.
With several processes every rank writes its part (DeepSpeed shards, RNG state) into
the staging folder, all wait for each other, and only the main process renames.
"""

import os
import shutil
from pathlib import Path

from transformers import TrainerCallback
from transformers.trainer_utils import get_last_checkpoint, rotate_checkpoints

from r1kit.run import ranks

STAGING = ".staging"


class _TrainingDone(Exception):
    """Raised before a step the stage must not take: it resumed from the checkpoint of its last step."""


class NoStepPastTheEnd(TrainerCallback):
    """transformers checks max_steps only after a step, so resuming from the checkpoint of the last step (a run
    killed while saving `final/` or during the held-out check) would train one step more on every rerun. By the
    first step's start the checkpoint's weights and state are loaded: stopping there leaves the stage as it ended."""

    def on_step_begin(self, args, state, control, **kwargs):
        if 0 < state.max_steps <= state.global_step:
            raise _TrainingDone


class AtomicCheckpoints:
    """Mixin for a transformers Trainer: `_save_checkpoint` writes to staging and renames; a stage resumed at its
    last step takes no further step."""

    _saving = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_callback(NoStepPastTheEnd)

    def train(self, *args, **kwargs):
        try:
            return super().train(*args, **kwargs)
        except _TrainingDone:
            self.control = self.callback_handler.on_train_end(self.args, self.state, self.control)  # progress bars
            return None

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
        ranks.barrier()  # every rank's part is in the staging folder
        if self.args.should_save:
            staged = Path(final_root, STAGING)
            for ckpt in sorted(staged.glob("checkpoint-*")):
                target = Path(final_root, ckpt.name)
                if target.exists():
                    shutil.rmtree(target)
                os.replace(ckpt, target)
            shutil.rmtree(staged, ignore_errors=True)
            rotate_checkpoints(final_root, save_total_limit=self.args.save_total_limit, use_mtime=False)
        ranks.barrier()


def last_complete_checkpoint(stage_dir: Path) -> str | None:
    """The newest complete checkpoint of a stage; leftovers of an interrupted save are removed (by the main process)."""
    stage_dir = Path(stage_dir)

    def newest():
        shutil.rmtree(stage_dir / STAGING, ignore_errors=True)
        shutil.rmtree(stage_dir / "final.tmp", ignore_errors=True)
        return get_last_checkpoint(str(stage_dir)) if stage_dir.is_dir() else None

    return ranks.from_main(newest)


def save_final(trainer, path: Path):
    """Save the stage's final model (HF format, LoRA merged) atomically, with its processing class.

    Every rank takes part: under ZeRO-3 the weights are sharded and gathering them is a
    collective (accelerate's get_state_dict, enabled by the DeepSpeed JSON's
    stage3_gather_16bit_weights_on_model_save). Only the main process writes and renames.
    """
    if hasattr(trainer, "save_final"):  # a kind whose final/ is not a model writes its own (generate: a dataset)
        trainer.save_final(path)
        return
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    main = trainer.args.should_save
    if main:
        shutil.rmtree(tmp, ignore_errors=True)
    model = trainer.model
    if hasattr(model, "merge_and_unload"):  # a peft model (never ZeRO-3): merged on every rank, alike
        model = model.merge_and_unload()
    sharded = trainer.is_deepspeed_enabled and trainer.accelerator.state.deepspeed_plugin.zero_stage == 3
    state_dict = trainer.accelerator.get_state_dict(trainer.model_wrapped) if sharded else None
    if main:
        model.save_pretrained(tmp, state_dict=state_dict)
        trainer.processing_class.save_pretrained(tmp)
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    ranks.barrier()
