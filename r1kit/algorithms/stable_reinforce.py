"""StableReinforce (R1-Reward, arXiv:2505.02835): a clamped importance ratio and a 3-sigma advantage filter.

The log-ratio is clamped to [-log max_ratio, log max_ratio] before TRL exponentiates it, by
handing TRL's loss log-probabilities whose distance to the old ones is clamped
(`_get_per_token_logps_and_entropies` during `_compute_loss`); advantages that are not
finite or lie beyond `advantage_sigmas` batch standard deviations are set to zero.
Preset: r1kit/conf/algorithm/stable_reinforce.yaml.
"""

import math
from dataclasses import dataclass

import torch

from r1kit.errors import UserError

# Loss types whose objective is the clipped importance ratio, the one StableReinforce clamps.
RATIO_LOSSES = ("grpo", "bnpo", "dr_grpo", "dapo", "luspo")


@dataclass
class StableReinforceSchema:
    """R1-Reward's StableReinforce (grpo stages): a clamped importance ratio and a 3-sigma advantage filter."""

    enabled: bool = False
    max_ratio: float = 1000.0  # the log-ratio is clamped to [-log max_ratio, log max_ratio] before exp
    advantage_sigmas: float = 3.0  # advantages further than this many batch standard deviations from the mean -> 0


def check(where: str, options: dict, trainer: dict, world: int):
    """Settings that could only fail inside the trainer."""
    if not options["enabled"]:
        return
    loss = trainer.get("loss_type")
    if loss not in RATIO_LOSSES:
        raise UserError(f"{where}.stable_reinforce: StableReinforce clamps the importance ratio of the clipped "
                        f"objective, which loss_type={loss!r} does not use. Use loss_type "
                        f"{', '.join(RATIO_LOSSES)}, or set stable_reinforce.enabled=false.")
    if not options["max_ratio"] > 1:
        raise UserError(f"{where}.stable_reinforce.max_ratio={options['max_ratio']}: the ratio is kept within "
                        "[1/max_ratio, max_ratio], so it must be above 1 (R1-Reward uses 1000).")
    if not options["advantage_sigmas"] > 0:
        raise UserError(f"{where}.stable_reinforce.advantage_sigmas={options['advantage_sigmas']}: use a positive "
                        "number of standard deviations (R1-Reward uses 3).")


def clamp_log_ratio(log_ratio: torch.Tensor, max_ratio: float) -> torch.Tensor:
    """StableReinforce's pre-clip: log(pi/pi_old) within [-log max_ratio, log max_ratio], so exp never overflows."""
    bound = math.log(max_ratio)
    return log_ratio.clamp(-bound, bound)


def clamped_logps(logps: torch.Tensor, old_logps: torch.Tensor, max_ratio: float) -> torch.Tensor:
    """Log-probabilities whose difference to `old_logps` is clamped: TRL's `exp(logps - old)` then is the clamped ratio.

    The value equals `logps` inside the bound (gradient 1) and sits on the bound outside it
    (gradient 0), exactly as clamping the log-ratio in the loss does.
    """
    return old_logps + clamp_log_ratio(logps - old_logps, max_ratio)


def filter_advantages(advantages: torch.Tensor, sigmas: float, reference: torch.Tensor | None = None):
    """StableReinforce's advantage filter: (advantages with outliers and NaN/inf set to 0, mask of those zeroed).

    An outlier lies more than `sigmas` standard deviations from the mean of `reference` (the whole
    batch across processes; by default `advantages` itself), computed over its finite values.
    """
    reference = advantages if reference is None else reference
    finite = reference[torch.isfinite(reference)].float()
    mean = finite.mean() if finite.numel() else torch.tensor(0.0)
    std = finite.std(correction=0) if finite.numel() > 1 else torch.tensor(0.0)  # R1-Reward: population std
    keep = torch.isfinite(advantages)
    if std > 0:
        keep &= (advantages - mean).abs() <= sigmas * std
    return torch.where(keep, advantages, torch.zeros_like(advantages)), ~keep


class StableReinforceHooks:
    """Mixin for trl.GRPOTrainer: the clamp inside TRL's loss and the filter on each scored batch, off unless set."""

    stable_reinforce: dict | None = None  # {max_ratio, advantage_sigmas}
    _old_logps = None  # set while `_compute_loss` runs with StableReinforce
    _clamped = None

    def _generate_and_score_completions(self, inputs):
        batch = super()._generate_and_score_completions(inputs)
        if self.stable_reinforce:  # the filter sees the whole batch, across processes
            rows = len(batch["advantages"])
            filtered, zeroed = filter_advantages(self.accelerator.gather(batch["advantages"]),
                                                 self.stable_reinforce["advantage_sigmas"])
            start = self.accelerator.process_index * rows
            batch["advantages"] = filtered[start:start + rows]
            self._log("stable_reinforce/filtered_advantages", zeroed.float().mean())
        return batch

    def _compute_loss(self, model, inputs):
        if not self.stable_reinforce:
            return super()._compute_loss(model, inputs)
        if inputs.get("old_per_token_logps") is None:  # on-policy: TRL's ratio is exactly 1, nothing to clamp
            self._log("stable_reinforce/clamped_ratio", 0.0)
            return super()._compute_loss(model, inputs)
        self._old_logps = inputs["old_per_token_logps"]
        try:
            loss = super()._compute_loss(model, inputs)
        finally:
            self._old_logps = None
        mask = inputs["completion_mask"]
        counts = torch.stack([(self._clamped * mask).sum(), mask.sum()]).float()
        total = self.accelerator.reduce(counts, reduction="sum")
        self._log("stable_reinforce/clamped_ratio", total[0] / total[1].clamp(min=1))
        return loss

    def _get_per_token_logps_and_entropies(self, *args, **kwargs):
        logps, entropies, aux = super()._get_per_token_logps_and_entropies(*args, **kwargs)
        if self._old_logps is not None:
            max_ratio = self.stable_reinforce["max_ratio"]
            self._clamped = ((logps - self._old_logps).abs() > math.log(max_ratio)).detach()
            logps = clamped_logps(logps, self._old_logps, max_ratio)
        return logps, entropies, aux

    def _log(self, name: str, value):
        self._metrics["train" if self.model.training else "eval"][name].append(float(value))


def configure(trainer, options: dict, train_ds, where: str):
    if options["enabled"]:
        trainer.stable_reinforce = dict(options)
