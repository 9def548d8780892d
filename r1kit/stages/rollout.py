"""How a GRPO stage samples its completions: which of TRL's generation paths, and in what precision.

`backend` names TRL 1.16's own paths (docs/benchmarks.md measures them side by side):

- generate: transformers `generate` with a dynamic KV cache, TRL's default;
- static_cache: the same with a preallocated cache (`cache_implementation: static`);
- continuous_batching: transformers' continuous batching (`use_transformers_continuous_batching`);
- vllm_server / vllm_colocate: vLLM, when installed (`use_vllm`, `vllm_mode`);
- auto: whatever the stage's TRL options and the launcher say (TRL's `generate` unless they name another).

`dtype: bfloat16` samples from a bfloat16 copy of the policy, refreshed after every optimizer step,
while training stays in float32: on a CPU with native bfloat16 (AVX512-BF16 or AMX), SmolLM2-135M's
rollouts sample 1.38x faster (docs/benchmarks.md). As with vLLM, the sampling and training weights
then differ slightly (bf16 rounding); TRL's importance-sampling correction is tied to vLLM, so none is
applied. `training` samples with the training weights themselves. `auto`, the default, takes the copy
only where it pays: a float32 policy of at least 15M parameters on such a CPU, sampled with `generate`
or a static cache, outside ZeRO-3. Everywhere else (GPUs train in bf16 already; the quickstart's
0.45M-parameter model gains nothing) it samples with the training weights.
"""

import copy
import logging
from dataclasses import dataclass
from functools import partial

from r1kit.errors import UserError

log = logging.getLogger(__name__)

BACKENDS = {  # backend -> the TRL GRPOConfig options that select it
    "generate": {"use_vllm": False, "use_transformers_continuous_batching": False, "cache_implementation": None},
    "static_cache": {"use_vllm": False, "use_transformers_continuous_batching": False, "cache_implementation": "static"},
    "continuous_batching": {"use_vllm": False, "use_transformers_continuous_batching": True},
    "vllm_server": {"use_vllm": True, "vllm_mode": "server"},
    "vllm_colocate": {"use_vllm": True, "vllm_mode": "colocate"},
}
DTYPES = ("auto", "training", "bfloat16")
AUTO_COPY_MIN_PARAMETERS = 15_000_000  # below this a bf16 copy gains nothing on CPU (docs/benchmarks.md)
COPYABLE = ("auto", "generate", "static_cache")  # backends that call the model's own `generate`


@dataclass
class RolloutSchema:
    backend: str = "auto"  # auto | generate | static_cache | continuous_batching | vllm_server | vllm_colocate
    dtype: str = "auto"  # auto | training | bfloat16: the precision the completions are sampled in


def check(where: str, rollout: dict, trainer: dict, context: dict):
    """The names, and what TRL would only refuse once the model is loaded."""
    backend, dtype = rollout["backend"], rollout["dtype"]
    if backend != "auto" and backend not in BACKENDS:
        raise UserError(f"{where}.rollout.backend={backend!r}: use auto or one of {', '.join(BACKENDS)} "
                        "(docs/benchmarks.md compares them).")
    if dtype not in DTYPES:
        raise UserError(f"{where}.rollout.dtype={dtype!r}: use one of {', '.join(DTYPES)}.")
    for key, value in BACKENDS.get(backend, {}).items():
        if key in trainer and trainer[key] != value:
            raise UserError(f"{where}: rollout.backend={backend} and {key}={trainer[key]!r} disagree; set one of them.")
    if dtype == "bfloat16" and backend not in COPYABLE:
        raise UserError(f"{where}.rollout.dtype=bfloat16 samples from a copy of the policy with `generate`; "
                        f"backend {backend} loads weights its own way. Use backend generate or static_cache.")
    launcher = context["recipe"]["launcher"]
    if launcher.get("vllm_mode") and backend not in ("auto", f"vllm_{launcher['vllm_mode']}"):
        raise UserError(f"{where}.rollout.backend={backend} but launcher.vllm_mode={launcher['vllm_mode']!r} sets "
                        "vLLM for every stage; leave the backend auto or drop launcher.vllm_mode.")
    if dtype == "bfloat16" and launcher.get("zero_stage") == 3:
        raise UserError(f"{where}.rollout.dtype=bfloat16 copies the whole policy, which ZeRO-3 shards over the "
                        "processes; use dtype training under launcher=zero3.")


def apply_backend(args, rollout: dict):
    """Set the TRL options of the chosen backend on the stage's GRPOConfig."""
    for key, value in BACKENDS.get(rollout["backend"], {}).items():
        setattr(args, key, value)


def rollout_dtype(setting: str):
    """The torch dtype of the sampling copy, or None to sample with the training weights."""
    import torch

    return torch.bfloat16 if setting == "bfloat16" else None


def auto_dtype(trainer) -> str:
    """What `dtype: auto` means for this trainer: bfloat16 where a copy pays (module docstring), else training."""
    import torch

    policy = trainer.accelerator.unwrap_model(trainer.model)
    first = next(policy.parameters())
    pays = (first.device.type == "cpu" and first.dtype == torch.float32
            and (torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
            and sum(p.numel() for p in policy.parameters()) >= AUTO_COPY_MIN_PARAMETERS
            and not trainer.use_vllm and not trainer.use_transformers_continuous_batching
            and not (trainer.is_deepspeed_enabled and trainer.accelerator.state.deepspeed_plugin.zero_stage == 3))
    return "bfloat16" if pays else "training"


class RolloutCopy:
    """GRPOTrainer mixin: TRL's `generate` path samples from a copy of the policy in `rollout_dtype`.

    TRL calls `unwrapped_model.generate(...)`; for the length of one rollout an attribute on the policy
    shadows that method with the copy's. The copy takes the policy's weights again whenever an optimizer
    step has passed, inside the generation call, so the time counts as generation.
    """

    rollout_dtype = None  # set by configure()
    _rollout_copy = None
    _rollout_step = None

    def _generate_single_turn(self, *args, **kwargs):
        if self.rollout_dtype is None or self.use_vllm or self.use_transformers_continuous_batching:
            return super()._generate_single_turn(*args, **kwargs)
        policy = self.accelerator.unwrap_model(self.model_wrapped)
        if self._rollout_copy is None:
            self._rollout_copy = sampling_copy(policy, self.rollout_dtype)
            self._rollout_step = self.state.global_step
        policy.generate = partial(self._generate_with_copy, policy)
        try:
            return super()._generate_single_turn(*args, **kwargs)
        finally:
            del policy.generate

    def _generate_with_copy(self, policy, **inputs):
        import torch

        if self._rollout_step != self.state.global_step:
            with torch.no_grad():
                for target, source in zip(self._rollout_copy.parameters(), policy.parameters(), strict=True):
                    target.copy_(source)
            self._rollout_step = self.state.global_step
        inputs = {k: v.to(self.rollout_dtype) if torch.is_tensor(v) and v.is_floating_point() else v
                  for k, v in inputs.items()}
        return self._rollout_copy.generate(**inputs)


def sampling_copy(policy, dtype):
    """The policy's modules and weights in `dtype`, for sampling only.

    A trainer may have set `forward` on a module instance (TRL's GRPOTrainer does on the root), a function
    whose closure holds the policy's own bound `forward`: deepcopy keeps functions as they are, so the
    copy would run the float32 policy. The copy goes back to its classes' `forward`.

    Its parameters keep `requires_grad` (generation runs under `no_grad`, no optimizer holds them): on CPU,
    torch 2.13 runs bfloat16 linears on weights that do not require grad ~20% slower (248 against 202
    tokens/s generating with SmolLM2-135M; `scripts/bench_rollout.py`).
    """
    sampler = copy.deepcopy(policy)
    for module in sampler.modules():
        vars(module).pop("forward", None)
    return sampler.to(dtype).eval()


def configure(trainer, rollout: dict, where: str):
    """Pick the sampling precision on the built trainer, and say so when it is not the training weights'."""
    setting = auto_dtype(trainer) if rollout["dtype"] == "auto" else rollout["dtype"]
    trainer.rollout_dtype = rollout_dtype(setting)
    if trainer.rollout_dtype is not None:
        millions = sum(p.numel() for p in trainer.model.parameters()) / 1e6
        log.info(f"{where}: sampling from a {str(trainer.rollout_dtype).removeprefix('torch.')} copy of the policy "
                 f"({millions:.3g}M parameters, refreshed after each optimizer step); rollout.dtype=training samples "
                 "with the training weights")
