"""A recipe's stages run in order as one command: plans per stage, weight hand-off, resume after a crash.

- run.py: the story: open the run directory, build the datasets, then for each stage plan it,
  train it, save `final/` atomically, check it on held-out data, mark it done.
- plan.py: one StagePlan per stage (TRL arguments, model and init weights, rows, callbacks).
- heldout.py: the end-of-stage held-out check and the closing table.
"""

from r1kit.curriculum.run import run_recipe

__all__ = ["run_recipe"]
