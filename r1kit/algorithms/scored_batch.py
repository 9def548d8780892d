"""What the trainer just scored, kept for the hooks that steer sampling: rewards per function, and row columns.

TRL computes the rewards inside `_generate_and_score_completions`; samplers and schedules
need them afterwards (which groups had signal, which domains are solved, how hard the
rows were). This mixin keeps them on the trainer, so no hook reads trainer state through
the reward functions.
"""

import torch


def total_rewards(rewards_per_func: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Weighted reward per completion as TRL sums it; NaN where no reward function applied."""
    total = (rewards_per_func * weights.to(rewards_per_func.device).unsqueeze(0)).nansum(dim=1)
    total[torch.isnan(rewards_per_func).all(dim=1)] = torch.nan
    return total


class ScoredBatch:
    """Mixin for trl.GRPOTrainer: keeps the last rewards (all processes' rows) and this process's row columns."""

    _last_rewards = None  # (rows of every process, reward functions), NaN where a reward did not apply
    scored_columns: dict | None = None  # column -> this process's values, for the batch scored last
    KEPT_COLUMNS = ("difficulty", "domain")

    def __init__(self, *args, **kwargs):
        self.difficulties_seen: list[float] = []  # the `difficulty` of every row scored since the last log
        super().__init__(*args, **kwargs)

    def _calculate_rewards(self, inputs, *args, **kwargs):
        self._last_rewards = super()._calculate_rewards(inputs, *args, **kwargs)
        self.scored_columns = {c: [x.get(c) for x in inputs] for c in self.KEPT_COLUMNS if inputs and c in inputs[0]}
        self.difficulties_seen += [float(v) for v in self.scored_columns.get("difficulty", [])
                                   if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return self._last_rewards

    def local_totals(self, local_rows: int) -> torch.Tensor:
        """Weighted reward of each of this process's rows in the batch scored last (NaN: no reward applied)."""
        start = self.accelerator.process_index * local_rows
        return total_rewards(self._last_rewards[start:start + local_rows], self.reward_weights).cpu()

    def local_rewards(self, local_rows: int, name: str) -> torch.Tensor:
        """One reward function's (by name, unweighted) value for each of this process's rows (NaN: did not apply)."""
        start = self.accelerator.process_index * local_rows
        return self._last_rewards[start:start + local_rows, list(self.reward_func_names).index(name)].cpu()
