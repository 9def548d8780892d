"""Domain-aware dynamic sampling (RuleReasoner): draw prompts from each data source by recent reward.

A stage whose examples carry a `domain` column (a stage reading several datasets gets
one per dataset) can set `domain_sampling: {temperature, uniform_mix, ema}`. After each
scored batch, each domain's mean weighted reward is folded into a moving average r_d;
the next prompts are drawn with probability

    p_d = (1 - uniform_mix) * softmax(-r_d / temperature) + uniform_mix / n_domains

so domains the policy already solves are sampled less, and none is starved. With
`target: t` the scores are RuleReasoner's "underfit degree" instead, softmax(max(0, t - r_d) /
temperature) (bigai-nlco/RuleReasoner, verl/trainer/ppo/ray_trainer.py:1050-1164): every
domain at or above the target weighs the same. `update_steps: n` folds in only every n-th
scored batch (RuleReasoner's weight_update_steps), and `reward: <name>` reads one reward of
the stack (RuleReasoner reads its correctness reward) instead of the weighted total.
Weights are logged as `data/domain_weight/<domain>`.

The sampler keeps TRL's RepeatSampler layout (each prompt repeated num_generations
times, each generation batch repeated for num_iterations x steps_per_generation), and
every process draws the same prompts: same seed, and rewards summed over processes.
"""

import math
from dataclasses import dataclass

import torch
from torch.utils.data import Sampler
from transformers import TrainerCallback

from r1kit.errors import UserError


@dataclass
class DomainSamplingSchema:
    """RuleReasoner-style sampling (grpo stages): domains with low recent reward are drawn more often."""

    enabled: bool = False
    temperature: float = 0.5  # p_d ~ softmax(-mean reward_d / temperature)
    uniform_mix: float = 0.1  # share of uniform sampling mixed in, so no domain starves
    ema: float = 0.8  # weight of the past in each domain's moving average reward
    target: float | None = None  # RuleReasoner's rule: p_d ~ softmax(max(0, target - r_d) / temperature)
    update_steps: int = 1  # fold in every n-th scored batch only
    reward: str | None = None  # the reward (a name in the stack) whose mean drives the weights; None: the total


def check(where: str, options: dict, trainer: dict, world: int):
    if options["enabled"] and (options["temperature"] <= 0 or not 0 <= options["uniform_mix"] <= 1
                               or not 0 <= options["ema"] < 1 or options["update_steps"] < 1):
        raise UserError(f"{where}.domain_sampling: temperature must be > 0, uniform_mix in [0, 1], ema in [0, 1), "
                        "update_steps >= 1.")


class DomainWeights:
    def __init__(self, domains: list[str], temperature: float = 0.5, uniform_mix: float = 0.1, ema: float = 0.8,
                 target: float | None = None):
        self.domains = sorted(set(domains))
        self.temperature, self.uniform_mix, self.ema, self.target = temperature, uniform_mix, ema, target
        self.rewards: dict[str, float | None] = {d: None for d in self.domains}

    def update(self, sums: dict[str, float], counts: dict[str, int]):
        for d in self.domains:
            if counts.get(d):
                mean = sums[d] / counts[d]
                old = self.rewards[d]
                self.rewards[d] = mean if old is None else self.ema * old + (1 - self.ema) * mean

    def probabilities(self) -> list[float]:
        known = [r for r in self.rewards.values() if r is not None]
        fill = sum(known) / len(known) if known else 0.0  # an unseen domain counts as average
        means = [self.rewards[d] if self.rewards[d] is not None else fill for d in self.domains]
        if self.target is None:
            scores = [-r / self.temperature for r in means]
        else:  # RuleReasoner's underfit degree; its epsilon inside the exp cancels in the normalisation
            scores = [max(0.0, self.target - r) / self.temperature for r in means]
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        n = len(self.domains)
        return [(1 - self.uniform_mix) * e / sum(exp) + self.uniform_mix / n for e in exp]


class DomainSampler(Sampler):
    """TRL's RepeatSampler layout, with prompt chunks drawn domain by domain with the current weights.

    Not a subclass of trl's RepeatSampler only so that validation, which imports this module,
    need not import TRL's trainers (~1 s); `tests/algorithms` checks the layout against it.
    """

    def __init__(self, domains: list[str], weights: DomainWeights, mini_repeat_count: int, batch_size: int = 1,
                 repeat_count: int = 1, seed: int | None = None):
        self.num_samples, self.mini_repeat_count, self.batch_size = len(domains), mini_repeat_count, batch_size
        self.repeat_count, self.seed = repeat_count, seed
        self.weights = weights
        self.by_domain = {d: [i for i, x in enumerate(domains) if x == d] for d in weights.domains}

    def __len__(self) -> int:  # as RepeatSampler's
        return (self.num_samples // self.batch_size) * self.batch_size * self.mini_repeat_count * self.repeat_count

    def __iter__(self):
        generator = torch.Generator()
        generator.manual_seed(self.seed or 0)
        for _ in range(self.num_samples // self.batch_size):
            probs = torch.tensor(self.weights.probabilities())  # read now: the weights move as training goes
            picks = torch.multinomial(probs, self.batch_size, replacement=True, generator=generator).tolist()
            chunk = []
            for p in picks:
                pool = self.by_domain[self.weights.domains[p]]
                chunk.append(pool[int(torch.randint(len(pool), (1,), generator=generator))])
            for _ in range(self.repeat_count):
                for index in chunk:
                    for _ in range(self.mini_repeat_count):
                        yield index


class DomainSamplerHook:
    """Mixin for trl.GRPOTrainer: draws prompts with `domain_weights` when the stage asks for domain sampling."""

    domain_weights = None

    def _get_train_sampler(self, dataset=None):
        if self.domain_weights is None:
            return super()._get_train_sampler(dataset)
        dataset = self.train_dataset if dataset is None else dataset
        return DomainSampler(list(dataset["domain"]), self.domain_weights, mini_repeat_count=self.num_generations,
                             batch_size=self.args.generation_batch_size // self.num_generations,
                             repeat_count=self.num_iterations * self.args.steps_per_generation, seed=self.args.seed)


class DomainSampling(TrainerCallback):
    """After each newly scored batch, folds the rewards per domain into the weights; logs them."""

    def __init__(self, trainer, weights: DomainWeights, update_steps: int = 1, reward: str | None = None):
        self.trainer, self.weights, self.update_steps, self.reward = trainer, weights, update_steps, reward
        self.seen = None
        self.batches = 0

    def on_step_end(self, args, state, control, **kwargs):
        scored = self.trainer.scored_columns
        if not scored or scored is self.seen or "domain" not in scored:
            return
        self.seen = scored
        self.batches += 1
        if self.batches % self.update_steps:
            return
        domains = scored["domain"]
        if self.reward is None:
            totals = self.trainer.local_totals(len(domains)).tolist()
        else:
            totals = self.trainer.local_rewards(len(domains), self.reward).tolist()
        index = {d: i for i, d in enumerate(self.weights.domains)}
        sums = torch.zeros(2, len(index))
        for domain, total in zip(domains, totals):
            if not math.isnan(total) and domain in index:
                sums[0, index[domain]] += total
                sums[1, index[domain]] += 1
        sums = self.trainer.accelerator.reduce(sums.to(self.trainer.accelerator.device), reduction="sum").cpu()
        self.weights.update({d: float(sums[0, i]) for d, i in index.items()},
                            {d: int(sums[1, i]) for d, i in index.items()})

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs is None or "loss" not in logs:
            return
        for domain, p in zip(self.weights.domains, self.weights.probabilities()):
            logs[f"data/domain_weight/{domain}"] = p


def configure(trainer, options: dict, train_ds, where: str):
    """Sample by domain: needs a `domain` per row (a stage over several datasets has one)."""
    if not options["enabled"]:
        return
    if "domain" not in train_ds.column_names:
        raise UserError(f"{where}.domain_sampling needs a `domain` per row: give the stage several datasets "
                        "(`data: [logic, math]`) or rows with a `domain` column.")
    names = list(trainer.reward_func_names)
    if options["reward"] is not None and options["reward"] not in names:
        raise UserError(f"{where}.domain_sampling.reward: {options['reward']!r} is not a reward of the stage; "
                        f"its rewards are {names}.")
    settings = {k: v for k, v in options.items() if k not in ("enabled", "update_steps", "reward")}
    trainer.domain_weights = DomainWeights(list(trainer.train_dataset["domain"]), **settings)
    return DomainSampling(trainer, trainer.domain_weights, options["update_steps"], options["reward"])
