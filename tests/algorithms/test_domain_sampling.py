"""Domain-aware sampling: weights from rewards, and a sampler that keeps TRL's layout."""

import math
from collections import Counter

import pytest

from r1kit.algorithms.domain_sampling import DomainSampler, DomainWeights


def test_weights_start_uniform_and_favour_domains_with_low_reward():
    w = DomainWeights(["logic", "math", "logic"], temperature=0.5, uniform_mix=0.1, ema=0.0)
    assert w.domains == ["logic", "math"] and w.probabilities() == pytest.approx([0.5, 0.5])
    w.update({"logic": 3.0, "math": 0.0}, {"logic": 3, "math": 2})  # logic solved (1.0), math not (0.0)
    soft = 1 / (1 + math.exp(2.0))  # softmax(-[1, 0] / 0.5) for logic
    assert w.probabilities() == pytest.approx([0.9 * soft + 0.05, 0.9 * (1 - soft) + 0.05])
    assert min(w.probabilities()) >= 0.05  # the uniform mix keeps every domain sampled


def test_moving_average_and_unseen_domains():
    w = DomainWeights(["a", "b", "c"], ema=0.5)
    w.update({"a": 1.0}, {"a": 1})
    w.update({"a": 0.0}, {"a": 1})
    assert w.rewards["a"] == pytest.approx(0.5) and w.rewards["b"] is None
    p = w.probabilities()
    assert p[1] == pytest.approx(p[2]) and p[0] == pytest.approx(p[1])  # unseen domains count as average


def test_sampler_keeps_the_repeat_layout_and_follows_the_weights():
    domains = ["a"] * 50 + ["b"] * 50
    w = DomainWeights(domains, uniform_mix=0.0)
    sampler = DomainSampler(domains, w, mini_repeat_count=4, batch_size=5, repeat_count=2, seed=3)
    indices = list(sampler)
    assert len(indices) == len(sampler) == 100 // 5 * 5 * 4 * 2
    from trl.trainer.utils import RepeatSampler

    trl_layout = list(RepeatSampler(domains, mini_repeat_count=4, batch_size=5, repeat_count=2, shuffle=False))
    assert len(sampler) == len(trl_layout)  # the same length as TRL's sampler, and its chunk shape below
    assert all(len(set(trl_layout[i:i + 4])) == 1 for i in range(0, 40, 4)) and trl_layout[:20] == trl_layout[20:40]
    block = indices[:40]  # one chunk: 5 prompts x 4 generations, repeated twice
    assert block[:20] == block[20:] and all(len(set(block[i:i + 4])) == 1 for i in range(0, 20, 4))
    assert indices == list(DomainSampler(domains, w, mini_repeat_count=4, batch_size=5, repeat_count=2, seed=3))
    w.update({"a": 1.0, "b": 0.0}, {"a": 1, "b": 1})  # now b is the weak domain
    w.temperature = 0.1
    drawn = Counter(domains[i] for i in DomainSampler(domains, w, mini_repeat_count=1, batch_size=10, seed=0))
    assert drawn["b"] > 0.95 * sum(drawn.values())


def test_target_gives_rulereasoners_underfit_weights():
    """RuleReasoner: w_d ~ exp(max(0, target - r_d) / tau); domains at or above the target weigh the same."""
    w = DomainWeights(["a", "b", "c"], temperature=0.3, uniform_mix=0.0, ema=0.0, target=0.5)
    w.update({"a": 0.9, "b": 0.6, "c": 0.2}, {"a": 1, "b": 1, "c": 1})
    e = [1.0, 1.0, math.exp(0.3 / 0.3)]  # a and b are above the target: underfit 0; c: 0.3
    assert w.probabilities() == pytest.approx([x / sum(e) for x in e])


class _Accelerator:
    device = "cpu"

    @staticmethod
    def reduce(tensor, reduction):
        return tensor


class _Trainer:
    """What DomainSampling reads of a ScoredBatch trainer: the last batch's domains and rewards."""

    reward_func_names = ("exact_match", "think_format")
    accelerator = _Accelerator()

    def __init__(self):
        self.scored_columns = None

    def score(self, domains, rewards):
        import torch

        self.scored_columns = {"domain": domains}
        self._rewards = torch.tensor(rewards, dtype=torch.float32)

    def local_totals(self, rows):
        return self._rewards.sum(dim=1)

    def local_rewards(self, rows, name):
        return self._rewards[:, list(self.reward_func_names).index(name)]


def test_callback_reads_one_reward_every_n_batches():
    from r1kit.algorithms.domain_sampling import DomainSampling

    trainer, w = _Trainer(), DomainWeights(["a", "b"], ema=0.0)
    callback = DomainSampling(trainer, w, update_steps=2, reward="exact_match")
    trainer.score(["a", "b"], [[1.0, -1.0], [0.0, 0.0]])
    callback.on_step_end(None, None, None)
    assert w.rewards == {"a": None, "b": None}  # the first batch is skipped (update every 2)
    callback.on_step_end(None, None, None)  # the same batch again: not counted twice
    trainer.score(["a", "b"], [[1.0, -1.0], [0.0, 0.0]])
    callback.on_step_end(None, None, None)
    assert w.rewards == {"a": 1.0, "b": 0.0}  # exact_match alone, not the total (0.0 for a)
