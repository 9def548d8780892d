"""Difficulty-aware advantage weights: each group's advantages scaled by a function of how well the group did.

Two published rules, both a per-group factor on the loss, measured by the group's mean of one reward
(its solve rate, or its mean IoU):

- `shape: bell` (Observe-R1, zrguo/Observe-R1@f09c1e4 openrlhf/trainer/ppo_utils/experience_maker.py:546-551):
  w = 4 * scale * d * (1 - d), d the share of the group answered right: largest (scale, 1.8 there) for a group
  half right, 0 for a group all right or all wrong, so uncertain, medium-difficulty prompts weigh most;
- `shape: exp` (UniVG-R1, AMAP-ML/UniVG-R1@44868ea src/open-r1-multimodal/src/open_r1/trainer/grpo_trainer.py:
  746-751, `--miou_adjust_math exp`): w = scale * exp(1 - d), d the group's mean IoU: hard prompts (low IoU) weigh
  up to e times as much as solved ones.

Both scale the policy term of the loss; a factor on the advantages does the same, since the clipped surrogate is
linear in a non-negative multiple of the advantage, and it leaves TRL's KL term alone as the two papers do.
"""

from dataclasses import dataclass

import torch

from r1kit.errors import UserError

SHAPES = ("bell", "exp")


@dataclass
class DifficultyWeightSchema:
    """Difficulty-aware advantage weights (grpo stages): Observe-R1's `bell`, UniVG-R1's `exp`."""

    enabled: bool = False
    reward: str | None = None  # the reward (by name, unweighted) whose group mean is the difficulty measure d
    shape: str = "bell"  # bell: 4 * scale * d * (1 - d); exp: scale * exp(1 - d)
    scale: float = 1.0  # Observe-R1's sigma (1.8); UniVG-R1's exp has none (1)


def check(where: str, options: dict, trainer: dict, world: int):
    """Settings that could only fail inside the trainer."""
    if not options["enabled"]:
        return
    if options["shape"] not in SHAPES:
        raise UserError(f"{where}.difficulty_weight.shape={options['shape']!r}: use `bell` (Observe-R1: "
                        "4 * scale * d * (1 - d)) or `exp` (UniVG-R1: scale * exp(1 - d)).")
    if not options["reward"]:
        raise UserError(f"{where}.difficulty_weight.reward: name the reward whose group mean measures difficulty, "
                        "e.g. `math_accuracy` (Observe-R1) or `iou` (UniVG-R1).")
    if not options["scale"] > 0:
        raise UserError(f"{where}.difficulty_weight.scale={options['scale']}: use a positive factor.")


def check_rewards(where: str, options: dict, names: list[str]):
    """The measuring reward is one of the stage's rewards."""
    if options["enabled"] and options["reward"] not in names:
        raise UserError(f"{where}.difficulty_weight.reward={options['reward']!r} is not a reward of this stage "
                        f"({', '.join(names)}); name one of them.")


def group_weights(scores: torch.Tensor, group_size: int, shape: str, scale: float) -> torch.Tensor:
    """One weight per row: the rule applied to the mean `scores` of its group (NaN scores, rows a reward skipped,
    are left out of the mean; a group with none scored gets weight 1)."""
    groups = scores.float().view(-1, group_size)
    d = groups.nanmean(dim=1)
    if shape == "bell":
        w = 4.0 * scale * d * (1.0 - d)
    else:
        w = scale * torch.exp(1.0 - d)
    w = torch.where(torch.isnan(d), torch.ones_like(w), w)
    return w.repeat_interleave(group_size)


class DifficultyWeightHooks:
    """Mixin for trl.GRPOTrainer: scales each scored batch's advantages by its groups' weights, off unless set.

    Reads the rewards ScoredBatch kept (every process's rows, in TRL's order: groups of `num_generations`
    consecutive rows), so a group split over processes gets one weight everywhere.
    """

    difficulty_weight: dict | None = None  # {reward, shape, scale}

    def _generate_and_score_completions(self, inputs):
        batch = super()._generate_and_score_completions(inputs)
        if self.difficulty_weight:
            options = self.difficulty_weight
            column = list(self.reward_func_names).index(options["reward"])
            weights = group_weights(self._last_rewards[:, column], self.num_generations, options["shape"],
                                    options["scale"])
            rows = len(batch["advantages"])
            start = self.accelerator.process_index * rows
            local = weights[start:start + rows].to(batch["advantages"].device)
            batch["advantages"] = batch["advantages"] * local.to(batch["advantages"].dtype)
            self._metrics["train" if self.model.training else "eval"]["difficulty_weight/mean"].append(
                float(weights.mean()))
        return batch


def configure(trainer, options: dict, train_ds, where: str):
    if options["enabled"]:
        trainer.difficulty_weight = {k: options[k] for k in ("reward", "shape", "scale")}

