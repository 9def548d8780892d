"""Difficulty-aware advantage weights: Observe-R1's bell and UniVG-R1's exp, on hand-computed groups and through
the hook on a stand-in trainer, and their settings checked before anything loads."""

import math
from collections import defaultdict

import pytest
import torch

from r1kit.algorithms.difficulty_weight import DifficultyWeightHooks, group_weights
from r1kit.algorithms.scored_batch import ScoredBatch
from r1kit.errors import UserError


def test_bell_weighs_half_right_groups_most_and_solved_or_hopeless_ones_not_at_all():
    # Observe-R1 (experience_maker.py:546-551): d = share right, w = 4 * 1.8 * d * (1 - d)
    right = torch.tensor([1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=torch.float)  # d = 1, 1/4, 1/4, 0
    w = group_weights(right, 4, "bell", 1.8)
    assert w.view(4, 4)[:, 0].tolist() == pytest.approx([0.0, 4 * 1.8 * 0.25 * 0.75, 1.35, 0.0])
    assert group_weights(torch.tensor([1.0, 0.0]), 2, "bell", 1.8).tolist() == pytest.approx([1.8, 1.8])


def test_exp_weighs_low_iou_groups_up_to_e_times():
    # UniVG-R1 (grpo_trainer.py:750-751): w = exp(1 - mIoU) of the prompt's completions
    iou = torch.tensor([1.0, 1.0, 0.0, 0.0, 0.2, 0.6])
    assert group_weights(iou, 2, "exp", 1.0).tolist() == pytest.approx([1.0, 1.0, math.e, math.e] + [math.exp(0.6)] * 2)


def test_rows_a_reward_skipped_are_left_out_and_an_unscored_group_keeps_weight_one():
    scores = torch.tensor([1.0, float("nan"), float("nan"), float("nan")])
    assert group_weights(scores, 2, "bell", 1.0).tolist() == [0.0, 0.0, 1.0, 1.0]


class FakeAccelerator:
    def __init__(self, index):
        self.process_index = index


class FakeGRPO:
    """Stands in for trl.GRPOTrainer: 2 processes x 4 rows, groups of 2, the rewards of all 8 rows."""

    reward_func_names = ("observe_format", "math_accuracy")

    def __init__(self, index):
        self.accelerator, self.num_generations = FakeAccelerator(index), 2
        self.model = torch.nn.Linear(1, 1)
        self._metrics = {"train": defaultdict(list)}

    def _calculate_rewards(self, inputs):
        return torch.tensor([[1, 1], [1, 0], [0, 1], [0, 1], [0, 1], [1, 1], [1, 0], [0, 1]], dtype=torch.float)

    def _generate_and_score_completions(self, inputs):
        self._calculate_rewards(inputs)
        return {"advantages": torch.tensor([0.5, -0.5, 1.0, -1.0])}


class Trainer(DifficultyWeightHooks, ScoredBatch, FakeGRPO):
    pass


@pytest.mark.parametrize("index, expected", [(0, [0.5, -0.5, 0.0, 0.0]), (1, [0.0, 0.0, 1.0, -1.0])])
def test_hook_scales_each_process_rows_by_its_groups_weight(index, expected):
    t = Trainer(index)
    t.difficulty_weight = {"reward": "math_accuracy", "shape": "bell", "scale": 1.0}
    batch = t._generate_and_score_completions([{"prompt": "p"}] * 4)
    # math_accuracy by group: [1, 0] d=.5 w=1; [1, 1] d=1 w=0 (process 0); [1, 1] w=0; [0, 1] w=1 (process 1)
    assert batch["advantages"].tolist() == expected
    assert t._metrics["train"]["difficulty_weight/mean"] == [0.5]


def test_hook_is_off_unless_set():
    t = Trainer(0)
    assert t._generate_and_score_completions([{"prompt": "p"}] * 4)["advantages"].tolist() == [0.5, -0.5, 1.0, -1.0]


@pytest.mark.parametrize("overrides, message", [
    (["++stages.grpo.difficulty_weight.enabled=true"], "name the reward whose group mean"),
    (["++stages.grpo.difficulty_weight.enabled=true", "++stages.grpo.difficulty_weight.reward=iou"],
     "is not a reward of this stage"),
    (["++stages.grpo.difficulty_weight.enabled=true", "++stages.grpo.difficulty_weight.reward=exact_match",
      "++stages.grpo.difficulty_weight.shape=cosine"], "use `bell`"),
    (["++stages.grpo.difficulty_weight.enabled=true", "++stages.grpo.difficulty_weight.reward=exact_match",
      "++stages.grpo.difficulty_weight.scale=0"], "positive"),
    (["++stages.grpo.difficulty_weight.enabled=true", "++stages.grpo.difficulty_weight.reward=exact_match",
      "stages.grpo.algorithm=dapo"], "cannot be combined"),
])
def test_bad_settings_fail_in_validation(make_config, overrides, message):
    with pytest.raises(UserError, match=message):
        make_config(overrides)


def test_a_good_setting_validates(make_config):
    config = make_config(["++stages.grpo.difficulty_weight.enabled=true",
                          "++stages.grpo.difficulty_weight.reward=exact_match"])
    assert config["stages"]["grpo"]["difficulty_weight"]["shape"] == "bell"
