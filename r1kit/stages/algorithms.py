"""What TRL's GRPOTrainer lacks for the RL variants of r1kit/conf/algorithm: StableReinforce and dynamic sampling.

Everything else a variant needs (loss_type, scale_rewards, epsilon_high, importance_sampling_level,
mask_truncated_completions) is a TRL option. The two extensions here override four TRL methods,
each calling TRL's own for the work (`_calculate_rewards` only keeps the rewards it returns):

- StableReinforce (R1-Reward): the log-ratio is clamped to [-log max_ratio, log max_ratio] before
  TRL exponentiates it, by handing TRL's loss log-probabilities whose distance to the old ones is
  clamped (`_get_per_token_logps_and_entropies` during `_compute_loss`); and advantages that are not
  finite or lie beyond `advantage_sigmas` batch standard deviations are set to zero.
- Dynamic sampling (DAPO): groups whose rewards are all equal have zero advantage and teach
  nothing; `_generate_and_score_completions` generates further batches from freshly drawn prompts
  until the batch is full of groups with signal, at most `max_retries` times.
"""

import math

import numpy as np
import torch
from trl.trainer.utils import nanstd

from r1kit.errors import UserError


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


def total_rewards(rewards_per_func: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Weighted reward per completion as TRL sums it; NaN where no reward function applied."""
    total = (rewards_per_func * weights.to(rewards_per_func.device).unsqueeze(0)).nansum(dim=1)
    total[torch.isnan(rewards_per_func).all(dim=1)] = torch.nan
    return total


def groups_with_signal(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    """One bool per group: do its rewards differ? (TRL's `frac_reward_zero_std` counts the others.)"""
    std = nanstd(rewards.view(-1, group_size), dim=1).nan_to_num(nan=0.0)  # NaN: fewer than 2 scored rows
    return ~torch.isclose(std, torch.zeros_like(std))


def pick_groups(signal: list[torch.Tensor], needed: int) -> list[tuple[int, int]]:
    """(round, group) pairs filling `needed` places: groups with signal in the order generated, then, if the
    retries ran out, groups without signal from the first round."""
    with_signal = [(r, int(g)) for r, s in enumerate(signal) for g in torch.nonzero(s).flatten()]
    picks = with_signal[:needed]
    if len(picks) < needed:
        without = [(0, int(g)) for g in torch.nonzero(~signal[0]).flatten()]
        picks += without[:needed - len(picks)]
    return picks


# How to pad each (rows, tokens) tensor when batches of different widths are merged: (side, value or "pad").
PADDING = {"prompt_ids": ("left", "pad"), "prompt_mask": ("left", 0), "completion_ids": ("right", "pad"),
           "tool_mask": ("right", 1)}


def merge_groups(batches: list[dict], picks: list[tuple[int, int]], group_size: int, pad_token_id: int) -> dict:
    """One batch made of the picked groups of several generated batches (per-row tensors only)."""
    merged = {}
    for key in batches[0]:
        if key == "num_items_in_batch":
            continue
        values = [b[key] for b in batches]
        rows = len(batches[0]["advantages"])
        if not all(isinstance(v, torch.Tensor) and v.dim() >= 1 and len(v) == rows for v in values):
            raise UserError(f"dynamic sampling cannot merge `{key}` (multimodal batches are not supported yet); "
                            "set dynamic_sampling.enabled=false for this stage.")
        if values[0].dim() == 2:
            side, fill = PADDING.get(key, ("right", 0))
            width = max(v.size(1) for v in values)
            fill = pad_token_id if fill == "pad" else fill
            values = [_pad(v, width, side, fill) for v in values]
        merged[key] = torch.cat([values[r][g * group_size:(g + 1) * group_size] for r, g in picks])
    return merged


def _pad(t: torch.Tensor, width: int, side: str, value) -> torch.Tensor:
    extra = t.new_full((t.size(0), width - t.size(1)), value)
    return torch.cat([extra, t] if side == "left" else [t, extra], dim=1)


class AlgorithmExtensions:
    """Mixin for trl.GRPOTrainer: StableReinforce and dynamic sampling, off unless configured."""

    stable_reinforce: dict | None = None  # {max_ratio, advantage_sigmas}
    dynamic_sampling: dict | None = None  # {max_retries}
    _old_logps = None  # set while `_compute_loss` runs with StableReinforce
    _clamped = None

    def _calculate_rewards(self, *args, **kwargs):
        self._last_rewards = super()._calculate_rewards(*args, **kwargs)  # all processes' rows
        return self._last_rewards

    def _generate_and_score_completions(self, inputs):
        batch = super()._generate_and_score_completions(inputs)
        if self.dynamic_sampling and self.model.training:
            batch = self._fill_with_signal(inputs, batch)
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

    def _fill_with_signal(self, inputs, batch):
        """Regenerate from new prompts until every group of the batch has reward signal, or the retries run out."""
        g = self.num_generations
        needed = len(inputs) // g
        rounds, signal = [batch], [self._local_signal(len(inputs))]
        while len(rounds) <= self.dynamic_sampling["max_retries"] and self._anyone_short(signal, needed):
            rounds.append(super()._generate_and_score_completions(self._fresh_prompts(len(inputs), len(rounds))))
            signal.append(self._local_signal(len(inputs)))
        picks = pick_groups(signal, needed)
        kept_without = sum(1 for r, grp in picks if not signal[r][grp])
        dropped = sum(int((~s).sum()) for s in signal) - kept_without
        self._log("dynamic_sampling/retries", len(rounds) - 1)
        self._log("dynamic_sampling/dropped_groups", self._sum(dropped))
        self._log("dynamic_sampling/kept_without_signal", self._sum(kept_without))
        if len(rounds) == 1:
            return batch  # nothing to replace them with
        merged = merge_groups(rounds, picks, g, self._tokenizer.pad_token_id)
        mask = merged["completion_mask"] * merged.get("tool_mask", 1)
        merged["num_items_in_batch"] = self.accelerator.gather(mask.sum()).sum()
        return merged

    def _local_signal(self, local_rows: int) -> torch.Tensor:
        """Signal per group of this process's rows, from the rewards of the latest generation."""
        rewards = total_rewards(self._last_rewards, self.reward_weights)
        start = self.accelerator.process_index * local_rows
        return groups_with_signal(rewards[start:start + local_rows].cpu(), self.num_generations)

    def _anyone_short(self, signal: list[torch.Tensor], needed: int) -> bool:
        """Whether any process still lacks groups with signal (all processes generate together)."""
        short = torch.tensor(float(sum(int(s.sum()) for s in signal) < needed), device=self.accelerator.device)
        return bool(self.accelerator.gather(short).max() > 0)

    def _fresh_prompts(self, rows: int, round_: int) -> list[dict]:
        """Prompts drawn at random from the training set, each repeated num_generations times.

        The draw depends only on (seed, step, round, process), so a resumed run draws the same ones.
        """
        g, data = self.num_generations, self.train_dataset
        key = [self.args.seed % 2**32, self.state.global_step, round_, self.accelerator.process_index]
        rng = np.random.default_rng(key)
        picked = rng.choice(len(data), size=rows // g, replace=len(data) < rows // g)
        return [data[int(i)] for i in picked for _ in range(g)]

    def _sum(self, count: int) -> float:
        return float(self.accelerator.gather(torch.tensor(float(count), device=self.accelerator.device)).sum())

    def _log(self, name: str, value):
        self._metrics["train" if self.model.training else "eval"][name].append(float(value))


def configure(trainer, stage: dict, train_ds):
    """Switch on the stage's extensions. Dynamic sampling refuses image datasets: it cannot merge image batches yet."""
    if stage.get("stable_reinforce", {}).get("enabled"):
        trainer.stable_reinforce = dict(stage["stable_reinforce"])
    if stage.get("dynamic_sampling", {}).get("enabled"):
        if {"image", "images"} & set(train_ds.column_names):
            raise UserError(f"stages.{stage['name']}.dynamic_sampling: image datasets are not supported yet; "
                            "set dynamic_sampling.enabled=false for this stage.")
        trainer.dynamic_sampling = dict(stage["dynamic_sampling"])
