"""The RL variants: StableReinforce's loss on hand-computed tensors, dynamic sampling on fake reward groups,
and choosing a variant in a recipe (validation, before any model loads).

The loss tests run TRL's own `_compute_loss` on the tiny model with chosen old log-probabilities, so
they check r1kit's hook in the real loss path, not a copy of it.
"""

import math

import pytest
import torch
from trl import GRPOConfig, GRPOTrainer

from r1kit.algorithms.dynamic_sampling import DynamicSamplingHooks, groups_with_signal, merge_groups, pick_groups
from r1kit.algorithms.scored_batch import ScoredBatch, total_rewards
from r1kit.algorithms.stable_reinforce import StableReinforceHooks, clamp_log_ratio, clamped_logps, filter_advantages
from r1kit.errors import UserError


class AlgorithmExtensions(StableReinforceHooks, DynamicSamplingHooks, ScoredBatch):
    """The algorithm hooks in the order R1kitGRPOTrainer stacks them."""


LOG_1E3 = math.log(1e3)


# --- StableReinforce: the clamp -------------------------------------------------------------------------------


def test_clamp_log_ratio_keeps_the_ratio_within_1e_minus3_and_1e3():
    out = clamp_log_ratio(torch.tensor([0.5, 10.0, -10.0, 100.0, -6.0]), 1e3)
    assert torch.allclose(out, torch.tensor([0.5, LOG_1E3, -LOG_1E3, LOG_1E3, -6.0]))
    assert torch.allclose(out.exp(), torch.tensor([math.exp(0.5), 1e3, 1e-3, 1e3, math.exp(-6.0)]), rtol=1e-5)


def test_clamped_logps_pass_gradients_inside_the_bound_only():
    logps = torch.tensor([-1.0, -0.5, -2.0], requires_grad=True)
    old = torch.tensor([-1.2, -20.0, 30.0])  # log-ratios 0.2, 19.5, -32
    out = clamped_logps(logps, old, 1e3)
    assert torch.allclose(out - old, torch.tensor([0.2, LOG_1E3, -LOG_1E3]))
    out.sum().backward()
    assert logps.grad.tolist() == [1.0, 0.0, 0.0]


class Trainer(AlgorithmExtensions, GRPOTrainer):
    """The extensions on TRL's trainer, as R1kitGRPOTrainer has them (without the checkpoint mixin)."""


def _parity(completions, **_):
    return [float(len(c) % 2) for c in completions]


@pytest.fixture(scope="module")
def trainer(tmp_path_factory):
    from datasets import Dataset

    from r1kit.models.tiny import build_tiny

    model, tokenizer = build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, seed=0)
    args = GRPOConfig(output_dir=str(tmp_path_factory.mktemp("grpo")), loss_type="grpo", epsilon=0.2,
                      per_device_train_batch_size=2, num_generations=2, max_completion_length=3, use_cpu=True,
                      report_to=[], bf16=False, disable_tqdm=True, activation_checkpointing=False)
    data = Dataset.from_dict({"prompt": [[{"role": "user", "content": "1+1"}]] * 4})
    t = Trainer(model=model, reward_funcs=_parity, args=args, train_dataset=data, processing_class=tokenizer)
    t.current_gradient_accumulation_steps = 1
    t.model.train()
    return t


def _loss(trainer, log_ratio, advantages, stable: bool):
    """TRL's GRPO loss for 2 completions of 3 tokens, with old log-probs chosen so that log(pi/pi_old) = log_ratio."""
    inputs = {"prompt_ids": torch.tensor([[5, 6], [5, 6]]), "prompt_mask": torch.ones(2, 2, dtype=torch.long),
              "completion_ids": torch.tensor([[7, 8, 9], [9, 8, 7]]), "completion_mask": torch.ones(2, 3, dtype=torch.long),
              "advantages": torch.tensor(advantages), "num_items_in_batch": torch.tensor(6)}
    logps, _, _ = GRPOTrainer._get_per_token_logps_and_entropies(
        trainer, trainer.model, torch.cat([inputs["prompt_ids"], inputs["completion_ids"]], 1),
        torch.ones(2, 5, dtype=torch.long), 3)
    inputs["old_per_token_logps"] = logps.detach() - torch.tensor(log_ratio)
    trainer.stable_reinforce = {"max_ratio": 1e3, "advantage_sigmas": 3.0} if stable else None
    try:
        return trainer._compute_loss(trainer.model, inputs)
    finally:
        trainer.stable_reinforce = None


def test_stable_reinforce_loss_matches_the_hand_computed_value(trainer):
    # completion 0 (A = +1): ratios 1, 1e3 (clamped from e^100), 1e-3 (from e^-100)
    #   -> -min(r, clip(r, 0.8, 1.2)) = -[1, 1.2, 0.001], mean -0.733667
    # completion 1 (A = -1): ratios e^0.1, 1e3, 1e-3 -> max(r, clip(r)) = [1.105171, 1000, 0.8], mean 333.968390
    # loss_type grpo: the mean of the two completions' means
    log_ratio = [[0.0, 100.0, -100.0], [0.1, 100.0, -100.0]]
    loss = _loss(trainer, log_ratio, [1.0, -1.0], stable=True)
    expected = (-(1 + 1.2 + 1e-3) / 3 + (math.exp(0.1) + 1000 + 0.8) / 3) / 2
    assert loss.item() == pytest.approx(expected, rel=1e-4)
    assert trainer._metrics["train"]["stable_reinforce/clamped_ratio"][-1] == pytest.approx(4 / 6)


def test_without_the_clamp_a_large_log_ratio_overflows(trainer):
    log_ratio = [[0.0, 100.0, -100.0], [0.1, 100.0, -100.0]]
    assert math.isinf(_loss(trainer, log_ratio, [1.0, -1.0], stable=False).item())  # exp(100) = inf in float32
    assert math.isnan(_loss(trainer, log_ratio, [0.0, 0.0], stable=False).item())  # inf * 0
    assert math.isfinite(_loss(trainer, log_ratio, [0.0, 0.0], stable=True).item())


def test_stable_reinforce_leaves_ratios_within_the_bound_untouched(trainer):
    log_ratio = [[0.05, -0.3, 0.0], [0.1, 0.2, -0.1]]
    plain = _loss(trainer, log_ratio, [1.0, -1.0], stable=False)
    assert _loss(trainer, log_ratio, [1.0, -1.0], stable=True).item() == pytest.approx(plain.item(), rel=1e-6)


# --- every variant's loss on hand-computed tensors --------------------------------------------------------------

# Two completions: 3 tokens with A = 1, and 1 token (2 padded) with A = 0.5; num_items_in_batch = 8 stands for
# a generation batch twice this micro-batch. Per-token loss -min(r A, clip(r, 1 - eps, 1 + eps_high) A):
#   completion 0, token ratios e^0.1, e^-0.1, 1 (inside every clip range but GSPO's)
#   completion 1, ratio e^0.5, clipped to 1 + eps_high
_TOK0 = -(math.exp(0.1) + math.exp(-0.1) + 1.0)  # completion 0's summed token losses
VARIANT_LOSSES = {
    "grpo": ((_TOK0 / 3) + -0.5 * 1.2) / 2,  # mean of per-completion means
    "dr_grpo": (_TOK0 - 0.5 * 1.2) / (2 * 3),  # summed / (completions x max_completion_length)
    "bnpo": (_TOK0 - 0.5 * 1.2) / 4,  # summed / active tokens of the micro-batch
    "dapo": (_TOK0 - 0.5 * 1.28) / 8,  # summed / active tokens of the generation batch; clip-higher 0.28
    "gspo": (-1.0 + -0.5 * (1 + 4e-4)) / 2,  # sequence ratios: exp(mean log-ratio) = 1 and e^0.5 -> 1 + 4e-4
    "stable_reinforce": ((_TOK0 / 3) + -0.5 * 1.2) / 2,  # as grpo: no ratio reaches the 1e3 clamp
}


@pytest.mark.parametrize("name", sorted(VARIANT_LOSSES))
def test_each_variant_loss_matches_the_hand_computed_value(trainer, name):
    from omegaconf import OmegaConf

    from r1kit.algorithms import PRESETS

    entry = OmegaConf.to_container(OmegaConf.load(PRESETS / f"{name}.yaml"))
    saved = {k: getattr(trainer, k) for k in ("loss_type", "importance_sampling_level", "epsilon_low", "epsilon_high")}
    trainer.loss_type, trainer.importance_sampling_level = entry["loss_type"], entry["importance_sampling_level"]
    trainer.epsilon_low = entry["epsilon"]
    trainer.epsilon_high = entry["epsilon_high"] if entry["epsilon_high"] is not None else entry["epsilon"]
    trainer.stable_reinforce = entry["stable_reinforce"] if entry["stable_reinforce"]["enabled"] else None
    mask = torch.tensor([[1, 1, 1], [1, 0, 0]])
    inputs = {"prompt_ids": torch.tensor([[5, 6], [5, 6]]), "prompt_mask": torch.ones(2, 2, dtype=torch.long),
              "completion_ids": torch.tensor([[7, 8, 9], [9, 8, 7]]), "completion_mask": mask,
              "advantages": torch.tensor([1.0, 0.5]), "num_items_in_batch": torch.tensor(8)}
    logps, _, _ = GRPOTrainer._get_per_token_logps_and_entropies(
        trainer, trainer.model, torch.cat([inputs["prompt_ids"], inputs["completion_ids"]], 1),
        torch.cat([inputs["prompt_mask"], mask], 1), 3)
    inputs["old_per_token_logps"] = logps.detach() - torch.tensor([[0.1, -0.1, 0.0], [0.5, 0.0, 0.0]])
    try:
        loss = trainer._compute_loss(trainer.model, inputs)
    finally:
        for k, v in saved.items():
            setattr(trainer, k, v)
        trainer.stable_reinforce = None
    assert loss.item() == pytest.approx(VARIANT_LOSSES[name], rel=1e-4)


# --- StableReinforce: the advantage filter ---------------------------------------------------------------------


def test_advantage_filter_zeroes_values_beyond_three_standard_deviations():
    # one 1 among sixteen 0s: mean 1/17, population std 4/17, so the 1 lies 4 std away, the 0s 0.25
    advantages = torch.tensor([0.0] * 16 + [1.0])
    out, zeroed = filter_advantages(advantages, 3.0)
    assert out.tolist() == [0.0] * 17 and zeroed.tolist() == [False] * 16 + [True]
    # one 1 among nine 0s lies exactly 3 std away (sqrt(n - 1)): kept
    out, zeroed = filter_advantages(torch.tensor([0.0] * 9 + [1.0]), 3.0)
    assert out[-1] == 1.0 and not zeroed.any()


def test_advantage_filter_drops_r1_reward_example_outlier():
    # R1-Reward's example: 255 right and 1 wrong answer; standardised, the wrong one gets about -15.97
    rewards = torch.tensor([1.0] * 255 + [0.0])
    advantages = (rewards - rewards.mean()) / rewards.std(correction=0)
    assert advantages[-1].item() == pytest.approx(-15.97, abs=0.01)
    out, zeroed = filter_advantages(advantages, 3.0)
    assert out[-1] == 0 and zeroed.sum() == 1 and torch.equal(out[:-1], advantages[:-1])


def test_advantage_filter_zeroes_nan_and_inf_and_uses_finite_values_for_the_statistics():
    out, zeroed = filter_advantages(torch.tensor([float("nan"), float("inf"), -float("inf"), 0.5, -0.5]), 3.0)
    assert out.tolist() == [0.0, 0.0, 0.0, 0.5, -0.5]
    assert zeroed.tolist() == [True, True, True, False, False]


def test_advantage_filter_can_judge_a_slice_by_the_whole_batch():
    whole = torch.tensor([0.0] * 16 + [1.0])
    out, _ = filter_advantages(whole[-2:], 3.0, reference=whole)  # alone, [0, 1] has no outlier
    assert out.tolist() == [0.0, 0.0]


# --- dynamic sampling: groups, picks, merging --------------------------------------------------------------------


def test_groups_with_signal_follow_trl_zero_std_rule():
    nan = float("nan")
    rewards = torch.tensor([1, 1, 1, 1, 0, 1, 0, 1, nan, nan, nan, nan, 2, nan, nan, nan, 0.5, 0.5, nan, 0.5])
    assert groups_with_signal(rewards, 4).tolist() == [False, True, False, False, False]


def test_total_rewards_weights_and_marks_unscorable_rows():
    nan = float("nan")
    per_func = torch.tensor([[1.0, 0.0], [nan, 1.0], [nan, nan]])
    total = total_rewards(per_func, torch.tensor([0.5, 2.0]))
    assert total[:2].tolist() == [0.5, 2.0] and math.isnan(total[2])


def test_pick_groups_takes_signal_first_then_fills_from_the_first_round():
    t, f = True, False
    assert pick_groups([torch.tensor([f, t]), torch.tensor([t, t])], 2) == [(0, 1), (1, 0)]
    assert pick_groups([torch.tensor([f, f]), torch.tensor([f, t])], 2) == [(1, 1), (0, 0)]
    assert pick_groups([torch.tensor([t, t])], 2) == [(0, 0), (0, 1)]


def _batch(rows: int, prompt_len: int, completion_len: int, offset: float):
    return {"prompt_ids": torch.full((rows, prompt_len), 1), "prompt_mask": torch.ones(rows, prompt_len, dtype=torch.long),
            "completion_ids": torch.full((rows, completion_len), 2),
            "completion_mask": torch.ones(rows, completion_len, dtype=torch.long),
            "old_per_token_logps": torch.full((rows, completion_len), -1.0),
            "advantages": torch.arange(rows, dtype=torch.float) + offset, "num_items_in_batch": torch.tensor(99)}


def test_merge_groups_pads_prompts_left_and_completions_right():
    a, b = _batch(4, 2, 3, 0.0), _batch(4, 3, 1, 10.0)
    merged = merge_groups([a, b], [(1, 1), (0, 0)], group_size=2, pad_token_id=0)
    assert merged["advantages"].tolist() == [12.0, 13.0, 0.0, 1.0]
    assert merged["prompt_ids"].tolist() == [[1, 1, 1]] * 2 + [[0, 1, 1]] * 2
    assert merged["prompt_mask"].tolist() == [[1, 1, 1]] * 2 + [[0, 1, 1]] * 2
    assert merged["completion_ids"].tolist() == [[2, 0, 0]] * 2 + [[2, 2, 2]] * 2
    assert merged["completion_mask"].tolist() == [[1, 0, 0]] * 2 + [[1, 1, 1]] * 2
    assert merged["old_per_token_logps"].tolist() == [[-1.0, 0.0, 0.0]] * 2 + [[-1.0] * 3] * 2
    assert "num_items_in_batch" not in merged  # the caller recounts it


def test_merge_groups_refuses_what_it_cannot_split_by_row():
    a = {**_batch(2, 1, 1, 0.0), "num_images": [1, 1]}
    with pytest.raises(UserError, match="num_images"):
        merge_groups([a, a], [(0, 0)], group_size=2, pad_token_id=0)


class FakeAccelerator:
    process_index, device = 0, "cpu"

    @staticmethod
    def gather(t):
        return t


class FakeGRPO:
    """Stands in for trl.GRPOTrainer: each generation scores its groups with the next reward pattern."""

    def __init__(self, patterns, rows=4, group=2):
        from collections import defaultdict

        self.patterns, self.calls, self.rows, self.num_generations = list(patterns), [], rows, group
        self.accelerator, self.reward_weights = FakeAccelerator(), torch.tensor([1.0])
        self.model = torch.nn.Linear(1, 1)
        self._metrics = {"train": defaultdict(list)}
        self.dynamic_sampling = {"max_retries": 2}
        self.train_dataset = [{"prompt": f"p{i}"} for i in range(10)]
        self.args = type("Args", (), {"seed": 0})()
        self.state = type("State", (), {"global_step": 7})()
        self._tokenizer = type("Tok", (), {"pad_token_id": 0})()

    def _calculate_rewards(self, inputs):
        return torch.tensor(self.patterns.pop(0), dtype=torch.float).unsqueeze(1)

    def _generate_and_score_completions(self, inputs):
        self.calls.append(inputs)
        self._calculate_rewards(inputs)
        batch = _batch(self.rows, 1 + len(self.calls), 2, 10.0 * len(self.calls))
        batch["completion_mask"][:, -1] = 0  # 1 token each
        return batch


class FakeTrainer(AlgorithmExtensions, FakeGRPO):
    pass


def _metrics(t):
    return {k.split("/")[1]: v for k, v in t._metrics["train"].items()}


def test_dynamic_sampling_regenerates_until_every_group_has_signal():
    t = FakeTrainer([[1, 1, 0, 1], [0, 0, 1, 0]])  # each round: group 0 flat, group 1 with signal
    batch = t._generate_and_score_completions([{"prompt": "a"}] * 4)
    assert len(t.calls) == 2
    assert batch["advantages"].tolist() == [12.0, 13.0, 22.0, 23.0]  # round 0's group 1, then round 1's group 1
    assert batch["num_items_in_batch"].item() == 4
    assert _metrics(t) == {"retries": [1.0], "dropped_groups": [2.0], "kept_without_signal": [0.0]}
    fresh = t.calls[1]
    assert len(fresh) == 4 and fresh[0] == fresh[1] and fresh[2] == fresh[3]  # whole groups of new prompts


def test_dynamic_sampling_stops_at_max_retries_and_keeps_the_first_batch_for_what_is_missing():
    t = FakeTrainer([[1, 1, 0, 0], [1, 1, 0, 0], [0, 1, 0, 0]])
    batch = t._generate_and_score_completions([{"prompt": "a"}] * 4)
    assert len(t.calls) == 3  # the first batch and max_retries=2 more
    assert batch["advantages"].tolist() == [30.0, 31.0, 10.0, 11.0]  # the one group with signal, then round 0's first
    assert _metrics(t) == {"retries": [2.0], "dropped_groups": [4.0], "kept_without_signal": [1.0]}


def test_dynamic_sampling_leaves_a_batch_with_signal_alone():
    t = FakeTrainer([[0, 1, 0, 1]])
    batch = t._generate_and_score_completions([{"prompt": "a"}] * 4)
    assert len(t.calls) == 1 and batch["num_items_in_batch"].item() == 99
    assert _metrics(t) == {"retries": [0.0], "dropped_groups": [0.0], "kept_without_signal": [0.0]}


def test_fresh_prompts_depend_only_on_seed_step_and_round():
    a, b = FakeTrainer([]), FakeTrainer([])
    assert a._fresh_prompts(4, 1) == b._fresh_prompts(4, 1)
    assert len({p["prompt"] for p in a._fresh_prompts(10, 1)}) == 5  # without replacement within a draw
    assert [a._fresh_prompts(4, r) for r in (1, 2, 3)] != [a._fresh_prompts(4, 1)] * 3


# --- choosing a variant in a recipe --------------------------------------------------------------------------------


def grpo_stage(make_config, *overrides):
    return make_config(list(overrides))["stages"]["grpo"]


def test_algorithm_key_applies_the_entry_under_the_stage_keys(make_config):
    stage = grpo_stage(make_config, "stages.grpo.algorithm=dapo", "stages.grpo.epsilon_high=0.3")
    assert (stage["loss_type"], stage["epsilon"], stage["mask_truncated_completions"]) == ("dapo", 0.2, True)
    assert stage["epsilon_high"] == 0.3  # the stage's own key wins
    assert stage["dynamic_sampling"] == {"enabled": True, "max_retries": 4}
    assert stage["temperature"] == 0.7  # untouched keys stay the recipe's


def test_every_algorithm_entry_validates_and_names_itself(make_config):
    from r1kit.algorithms import algorithm_names

    names = algorithm_names()
    assert names == ["bnpo", "dapo", "dr_grpo", "grpo", "gspo", "stable_reinforce"]
    for name in names:
        stage = grpo_stage(make_config, f"stages.grpo.algorithm={name}")
        assert stage["algorithm"] == name
    assert grpo_stage(make_config, "stages.grpo.algorithm=gspo")["importance_sampling_level"] == "sequence"
    assert grpo_stage(make_config, "stages.grpo.algorithm=dr_grpo")["scale_rewards"] == "none"


def test_hydra_group_form_gives_the_same_stage(make_config):
    assert grpo_stage(make_config, "+algorithm@stages.grpo=dapo") == grpo_stage(make_config, "stages.grpo.algorithm=dapo")


@pytest.mark.parametrize("overrides, message", [
    (["stages.grpo.algorithm=dapoo"], "unknown algorithm. Did you mean 'dapo'?"),
    (["stages.sft.algorithm=dapo"], "only grpo stages take an RL algorithm"),
    (["++stages.sft.dynamic_sampling.enabled=true"], "only grpo stages"),
    (["++stages.grpo.dynamic_sampling=true"], "this is a mapping"),
    (["++stages.grpo.dynamic_sampling.max_retrys=2"], "Did you mean 'max_retries'?"),
    (["stages.grpo.algorithm=stable_reinforce", "stages.grpo.loss_type=cispo"], "does not use"),
    (["stages.grpo.algorithm=stable_reinforce", "stages.grpo.stable_reinforce.max_ratio=1"], "must be above 1"),
    (["stages.grpo.algorithm=stable_reinforce", "stages.grpo.stable_reinforce.advantage_sigmas=0"], "positive"),
    (["stages.grpo.algorithm=dapo", "stages.grpo.dynamic_sampling.max_retries=0"], "use at least 1"),
])
def test_bad_algorithm_settings_fail_in_validation(make_config, overrides, message):
    with pytest.raises(UserError, match=message.replace("?", r"\?").replace("(", r"\(")):
        make_config(overrides)


def test_dynamic_sampling_needs_whole_groups_on_each_process(make_config, monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")  # 2 x 6 = 12 divides into groups of 4, but 6 per process does not
    base = ["stages.grpo.algorithm=dapo", "stages.grpo.num_generations=4", "stages.grpo.per_device_train_batch_size=6"]
    with pytest.raises(UserError, match="each process keeps or drops whole groups"):
        make_config(base)
    make_config(base + ["stages.grpo.dynamic_sampling.enabled=false"])


def test_dynamic_sampling_on_image_data_is_refused_before_the_model_loads(make_config):
    """DAPO's dynamic sampling cannot merge image batches: validation (no model loaded) names the stage and the fix;
    the rest of DAPO on images validates once it is off."""
    with pytest.raises(UserError, match=r"stages.grpo.dynamic_sampling: dataset\(s\) \['images'\] have images"):
        make_config(["stages.grpo.algorithm=dapo"], recipe="quickstart_vl")
    stage = make_config(["stages.grpo.algorithm=dapo", "stages.grpo.dynamic_sampling.enabled=false"],
                        recipe="quickstart_vl")["stages"]["grpo"]
    assert (stage["loss_type"], stage["epsilon_high"], stage["dynamic_sampling"]["enabled"]) == ("dapo", 0.28, False)


def test_cli_unknown_algorithm_exits_2_without_traceback(r1kit_cli):
    proc = r1kit_cli("train", "stages.grpo.algorithm=ppo", "--cfg", "job")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "stages.grpo.algorithm='ppo': unknown algorithm" in proc.stderr and "stable_reinforce" in proc.stderr
