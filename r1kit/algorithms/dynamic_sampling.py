"""Dynamic sampling (DAPO, arXiv:2503.14476): regenerate until every group of the batch has reward signal.

Groups whose rewards are all equal have zero advantage and teach nothing;
`_generate_and_score_completions` generates further batches from freshly drawn prompts
until the batch is full of groups with signal, at most `max_retries` times. Each step
logs `dynamic_sampling/retries`, `dropped_groups` and `kept_without_signal`.
Preset: r1kit/conf/algorithm/dapo.yaml.
"""

from dataclasses import dataclass

import numpy as np
import torch

from r1kit.algorithms.scored_batch import total_rewards
from r1kit.errors import UserError


@dataclass
class DynamicSamplingSchema:
    """DAPO's dynamic sampling (grpo stages): regenerate until every group's rewards differ, at most `max_retries` times."""

    enabled: bool = False
    max_retries: int = 4  # extra generation rounds per generation batch; then groups without signal fill the rest


def check(where: str, options: dict, trainer: dict, world: int):
    """Each process keeps or drops whole groups, so its share of a generation batch must hold whole groups."""
    if not options["enabled"]:
        return
    if options["max_retries"] < 1:
        raise UserError(f"{where}.dynamic_sampling.max_retries={options['max_retries']}: use at least 1 "
                        "(0 never resamples; set dynamic_sampling.enabled=false instead).")
    g = trainer.get("num_generations") or 8
    steps = trainer.get("steps_per_generation") or trainer.get("gradient_accumulation_steps", 1)
    local = (trainer["generation_batch_size"] // world if trainer.get("generation_batch_size")
             else trainer.get("per_device_train_batch_size", 8) * steps)
    if local % g:
        raise UserError(f"{where}.dynamic_sampling: each process keeps or drops whole groups, but its generation "
                        f"batch ({local} completions) is not divisible by num_generations={g}. Make "
                        f"per_device_train_batch_size x steps_per_generation a multiple of {g}.")


def refuse_images(where: str, options: dict, data, datasets: dict):
    """Dynamic sampling cannot merge image batches yet (`merge_groups`): refuse a stage whose datasets an image
    adapter reads while validating, before any model loads. Data made by an earlier stage is checked at build."""
    if not options["enabled"]:
        return
    from r1kit.data.adapters import get_adapter_class
    from r1kit.data.visual import VisualAdapter

    names = data if isinstance(data, (list, tuple)) else [data]
    visual = [n for n in names if n in datasets and issubclass(get_adapter_class(datasets[n]["adapter"]), VisualAdapter)]
    if visual:
        raise UserError(f"{where}.dynamic_sampling: dataset(s) {visual} have images, and dynamic sampling cannot merge "
                        "image batches yet. Set dynamic_sampling.enabled=false for this stage (DAPO's clip-higher, "
                        "token-level loss and overlong filtering still apply).")


def groups_with_signal(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    """One bool per group: do its rewards differ? (TRL's `frac_reward_zero_std` counts the others.)"""
    from trl.trainer.utils import nanstd  # here, not above: validation imports this module and TRL's trainers are slow

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


class DynamicSamplingHooks:
    """Mixin for trl.GRPOTrainer (after ScoredBatch in the bases): dynamic sampling, off unless configured."""

    dynamic_sampling: dict | None = None  # {max_retries}

    def _generate_and_score_completions(self, inputs):
        batch = super()._generate_and_score_completions(inputs)
        if self.dynamic_sampling and self.model.training:
            batch = self._fill_with_signal(inputs, batch)
        return batch

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


def configure(trainer, options: dict, train_ds, where: str):
    """Dynamic sampling refuses image datasets: it cannot merge image batches yet."""
    if not options["enabled"]:
        return
    if {"image", "images"} & set(train_ds.column_names):
        raise UserError(f"{where}.dynamic_sampling: image datasets are not supported yet; "
                        "set dynamic_sampling.enabled=false for this stage.")
    trainer.dynamic_sampling = dict(options)
