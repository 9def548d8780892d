"""Rollout backends and precision: the sampling copy follows the policy step by step, and bad settings stop early."""


import pytest
import torch

from r1kit.errors import UserError
from r1kit.stages import rollout
from r1kit.stages.rollout import BACKENDS, RolloutCopy


def _digits(completions, **kwargs):
    return [float(sum(ch.isdigit() for ch in c[0]["content"])) for c in completions]


def _train(tmp_path, copy_dtype):
    """3 steps of GRPO on the tiny model, sampling from a `copy_dtype` copy (None: the policy itself)."""
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from r1kit.models.tiny import build_tiny

    class Trainer(RolloutCopy, GRPOTrainer):
        pass

    model, tokenizer = build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, seed=0)
    args = GRPOConfig(output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, num_generations=2,
                      max_completion_length=6, max_steps=3, logging_steps=1, learning_rate=0.05, temperature=1.5,
                      use_cpu=True, report_to=[], bf16=False, disable_tqdm=True, save_strategy="no", seed=0)
    data = Dataset.from_dict({"prompt": [[{"role": "user", "content": f"{i}+1"}] for i in range(16)]})
    trainer = Trainer(model=model, reward_funcs=_digits, args=args, train_dataset=data, processing_class=tokenizer)
    trainer.rollout_dtype = copy_dtype
    kept, behind = [], []
    sample = RolloutCopy._generate_with_copy

    def spy(self, policy, **inputs):  # after the copy took the policy's weights: how far apart are they?
        ran = []
        hook = policy.model.register_forward_hook(lambda *args: ran.append(1))
        try:
            out = sample(self, policy, **inputs)
        finally:
            hook.remove()
        assert not ran, "the policy itself ran while its copy was to sample"
        behind.append(max((a.float() - b.to(a.dtype).float()).abs().max().item()
                          for a, b in zip(self._rollout_copy.parameters(), policy.parameters(), strict=True)))
        return out

    trainer._generate_with_copy = spy.__get__(trainer)

    class Keep(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if "loss" in logs:
                kept.append(dict(logs))

    trainer.add_callback(Keep())
    trainer.train()
    return trainer, kept, behind


TRACKED = ("loss", "reward", "reward_std", "completions/mean_length", "grad_norm")


def test_a_float32_copy_samples_exactly_what_the_policy_samples_after_every_step(tmp_path):
    _, plain, untouched = _train(tmp_path / "plain", None)
    trainer, copied, behind = _train(tmp_path / "copy", torch.float32)
    assert untouched == []  # without a dtype the policy samples itself
    assert len(behind) == 3 and behind == [0.0, 0.0, 0.0]  # one rollout a step, each from the current weights
    # the weights moved before a later rollout, so a stale copy would show (GRPO's loss is 0 on policy: no signal)
    assert any(x["grad_norm"] > 0 for x in plain[:-1])
    assert [[x.get(k) for k in TRACKED] for x in copied] == [[x.get(k) for k in TRACKED] for x in plain]
    assert "generate" not in vars(trainer.accelerator.unwrap_model(trainer.model))  # the shadowing is undone


def test_a_bfloat16_copy_trains_and_is_the_policy_rounded(tmp_path):
    trainer, logs, behind = _train(tmp_path, torch.bfloat16)
    assert len(logs) == 3 and all(torch.isfinite(torch.tensor(x["loss"])) for x in logs)
    assert next(trainer._rollout_copy.parameters()).dtype == torch.bfloat16
    assert next(trainer.model.parameters()).dtype == torch.float32
    assert len(behind) == 3 and max(behind) == 0.0  # equal once cast to bf16: refreshed, never stale


def test_auto_takes_a_bf16_copy_only_for_a_large_float32_policy_on_a_bf16_cpu(tmp_path, monkeypatch):
    trainer, _, _ = _train(tmp_path, None)
    assert rollout.auto_dtype(trainer) == "training"  # the tiny model: below AUTO_COPY_MIN_PARAMETERS
    monkeypatch.setattr(rollout, "AUTO_COPY_MIN_PARAMETERS", 0)
    native = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    assert rollout.auto_dtype(trainer) == ("bfloat16" if native else "training")
    monkeypatch.setattr(trainer, "use_transformers_continuous_batching", True)
    assert rollout.auto_dtype(trainer) == "training"  # a backend that does not call the policy's generate
    monkeypatch.setattr(trainer, "use_transformers_continuous_batching", False)
    trainer.model.to(torch.bfloat16)
    assert rollout.auto_dtype(trainer) == "training"  # already sampling in bf16


# --- choosing the precision ----------------------------------------------------------------------------------------


def test_the_copy_runs_its_own_weights_not_a_forward_the_trainer_set_on_the_policy():
    """TRL's GRPOTrainer sets `forward` on the policy instance, a function closing over the policy's own forward:
    a plain deepcopy would sample from the float32 policy."""
    from r1kit.models.tiny import build_tiny
    from r1kit.stages.rollout import sampling_copy

    policy, _ = build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, seed=0)
    original = policy.forward
    policy.forward = lambda *args, **kwargs: original(*args, **kwargs)
    sampler = sampling_copy(policy, torch.bfloat16)
    ran = []
    policy.model.register_forward_hook(lambda *args: ran.append(1))
    logits = sampler(input_ids=torch.tensor([[1, 2, 3]])).logits
    assert not ran and logits.dtype == torch.bfloat16 and "forward" in vars(policy)
    assert rollout.rollout_dtype("bfloat16") == torch.bfloat16 and rollout.rollout_dtype("training") is None


# --- settings refused before any model loads ------------------------------------------------------------------------


def _check(backend="auto", dtype="auto", trainer=None, launcher=None):
    launcher = {"vllm_mode": None, "zero_stage": None, **(launcher or {})}
    rollout.check("stages.rl", {"backend": backend, "dtype": dtype}, trainer or {}, {"recipe": {"launcher": launcher}})


@pytest.mark.parametrize("kwargs, message", [
    ({"backend": "vllm"}, r"rollout.backend='vllm': use auto or one of generate, static_cache"),
    ({"dtype": "fp16"}, r"rollout.dtype='fp16': use one of auto, training, bfloat16"),
    ({"backend": "static_cache", "trainer": {"cache_implementation": "dynamic"}}, r"disagree"),
    ({"backend": "continuous_batching", "dtype": "bfloat16"}, r"backend continuous_batching loads weights"),
    ({"dtype": "bfloat16", "launcher": {"zero_stage": 3}}, r"ZeRO-3 shards"),
    ({"backend": "generate", "launcher": {"vllm_mode": "server"}}, r"launcher.vllm_mode='server'"),
])
def test_bad_rollout_settings_name_the_key(kwargs, message):
    with pytest.raises(UserError, match=message):
        _check(**kwargs)


def test_good_settings_pass_and_a_backend_sets_trls_own_options():
    _check("vllm_server", launcher={"vllm_mode": "server"})
    _check("static_cache", "bfloat16", trainer={"cache_implementation": "static"})
    from trl import GRPOConfig

    args = GRPOConfig(output_dir="unused", use_cpu=True, report_to=[])
    rollout.apply_backend(args, {"backend": "static_cache"})
    assert args.cache_implementation == "static" and not args.use_vllm
    before = args.to_dict()
    rollout.apply_backend(args, {"backend": "auto"})
    assert args.to_dict() == before
    assert set(BACKENDS) == {"generate", "static_cache", "continuous_batching", "vllm_server", "vllm_colocate"}
