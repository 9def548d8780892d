"""Reward-weight schedules: the weight at each step, and bad schedules refused when the recipe is read."""

import math

import pytest

from r1kit.algorithms.reward_schedule import check_schedule, reward_schedules, weight_at
from r1kit.errors import UserError
from r1kit.rewards.stack import RewardStack


def test_linear_schedule_moves_from_weight_to_target_then_stays():
    schedule = check_schedule({"to": 0.0, "steps": 10}, "w")
    assert [weight_at(1.0, schedule, s, 100) for s in (0, 5, 10, 50)] == [1.0, 0.5, 0.0, 0.0]


def test_fraction_of_max_steps_and_cosine_shape():
    schedule = check_schedule({"to": 0.2, "steps": 0.5, "shape": "cosine"}, "w")  # half of 40 steps
    assert weight_at(1.0, schedule, 0, 40) == pytest.approx(1.0)
    assert weight_at(1.0, schedule, 10, 40) == pytest.approx(0.6)  # halfway along the half cosine
    assert weight_at(1.0, schedule, 20, 40) == pytest.approx(0.2)
    assert weight_at(1.0, schedule, 5, 40) > 0.6 + 0.2  # cosine falls slowly at first (linear would be 0.8)


def test_exp_shape_decays_with_time_constant_steps():
    """SophiaVL-R1's annealing (kxfan2002/SophiaVL-R1@a818494 verl/workers/reward/custom.py:331): 0.3 * exp(-step / T)."""
    schedule = check_schedule({"to": 0.0, "steps": 12000, "shape": "exp"}, "w")
    assert [weight_at(0.3, schedule, s, 1500) for s in (0, 1500)] == pytest.approx([0.3, 0.3 * math.exp(-0.125)])
    assert weight_at(0.3, schedule, 12000, 20000) == pytest.approx(0.3 / math.e)  # never reaches `to`
    towards = check_schedule({"to": 0.1, "steps": 0.5, "shape": "exp"}, "w")  # T = half of 40 steps
    assert weight_at(1.1, towards, 20, 40) == pytest.approx(0.1 + 1.0 / math.e)


@pytest.mark.parametrize(("spec", "message"), [
    ({"to": "low", "steps": 10}, "final weight must be a number"),
    ({"to": 0.0, "steps": 0}, "positive step count"),
    ({"to": 0.0, "steps": 10, "shape": "step"}, "choose one of linear, cosine, exp"),
    ({"to": 0.0, "steps": 10, "over": 3}, "unknown key"),
    ([0.0, 10], "must be a mapping"),
])
def test_bad_schedules_are_refused_with_the_entry_named(spec, message):
    with pytest.raises(UserError, match=message) as err:
        reward_schedules([{"name": "think_format", "weight": 0.5, "schedule": spec}], where="stages.rl.rewards")
    assert "stages.rl.rewards[0].schedule" in str(err.value)


def test_stack_keeps_schedules_beside_weights_and_the_trainer_records_difficulty():
    import torch

    from r1kit.algorithms.scored_batch import ScoredBatch

    stack = RewardStack([{"name": "think_format", "weight": 0.5, "schedule": {"to": 0.0, "steps": 4}},
                         {"name": "exact_match"}])
    assert stack.weights == [0.5, 1.0] and stack.schedules[1] is None and stack.schedules[0]["to"] == 0.0

    class Scorer:
        def _calculate_rewards(self, inputs):
            return torch.tensor([[fn([x["completion"]], answer=[x["answer"]])[0] for fn in stack.functions]
                                 for x in inputs])

    class Trainer(ScoredBatch, Scorer):
        pass

    trainer = Trainer()
    rows = [{"completion": "<answer>3</answer>", "answer": a, "difficulty": d} for a, d in (("3", 1), ("4", 3))]
    trainer._calculate_rewards(rows)
    assert trainer.difficulties_seen == [1.0, 3.0]  # once per scored batch, whatever the number of rewards
