"""Launching: one process, or DeepSpeed ZeRO-2/3 through `accelerate launch` on one node, several, or Slurm.

`r1kit train ... launcher=zero3 launcher.gpus=8` validates the recipe, picks the run
directory, writes the accelerate config and DeepSpeed JSON into it, and re-executes
itself under `accelerate launch` (r1kit.launch.command). Inside, every rank runs the
same curriculum; r1kit.run.ranks keeps the run directory single-writer.
"""
