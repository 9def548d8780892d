"""Where each GRPO step's time goes: seconds per part, tokens/s per device and, where the peak is known, MFU.

Users judge an RL trainer by its throughput and by which part of a step to speed up. The parts
come from TRL's own profiling points (`profiling_context` / `profiling_decorator` in GRPOTrainer)
and from the Trainer's step and optimizer callbacks, so no TRL method is copied:

- generation: `transformers.generate`, `transformers.generate_batch`, `vLLM.generate`, `sync_weights`;
- reward: `_calculate_rewards`;
- old_logprobs, ref_logprobs: `_get_per_token_logps_and_entropies` while a batch is scored. TRL scores
  old, then reference (when beta != 0), then rewards, so the last pass before the rewards is the reference;
- forward_backward: step begin to `on_pre_optimizer_step`, less the scoring (`_prepare_inputs`); it holds
  the loss's own forward, the backward and the gradient clipping;
- optimizer: `on_pre_optimizer_step` to `on_optimizer_step` (under DeepSpeed, whose engine steps inside
  the backward, this is in forward_backward);
- other: the rest of the step (tokenizing, padding, advantages, the scheduler, zero_grad).

The parts add up to the step (`on_step_begin` to `on_step_end`). On an accelerator the device is
synchronized at the edges of the measured blocks only, so each part holds its own kernels; nothing
else changes, so a run takes the same trajectory with or without this.
"""

import logging
import os
import re
import time

from transformers import TrainerCallback

from r1kit.errors import UserError

log = logging.getLogger(__name__)

PARTS = ("generation", "reward", "old_logprobs", "ref_logprobs", "forward_backward", "optimizer", "other")
GENERATION = frozenset({"transformers.generate", "transformers.generate_batch", "vLLM.generate", "sync_weights"})
SCORING, REWARD, LOGPROBS = "_prepare_inputs", "_calculate_rewards", "_get_per_token_logps_and_entropies"
LEAVES = GENERATION | {REWARD, LOGPROBS}

PEAK_ENV = "R1KIT_PEAK_TFLOPS"
# Dense bf16 tensor TFLOPS per device, from the vendors' data sheets (no sparsity); the first row whose
# words all appear in the device's name wins.
PEAK_TFLOPS = (
    (("H100", "PCIe"), 756), (("H100", "NVL"), 835), (("GH200",), 989), (("H200",), 989), (("H100",), 989),
    (("B200",), 2250), (("A100",), 312), (("L40S",), 362), (("L4",), 121), (("A10",), 125), (("MI300X",), 1307),
)


def peak_flops(device_name: str | None) -> float | None:
    """The device's peak bf16 FLOP/s: `R1KIT_PEAK_TFLOPS` if set, else the table's row for its name, else None."""
    given = os.environ.get(PEAK_ENV)
    if given:
        try:
            value = float(given)
        except ValueError:
            value = 0.0
        if not value > 0:
            raise UserError(f"{PEAK_ENV}={given!r}: give the device's peak bf16 TFLOPS as a positive number, "
                            "e.g. 989 for an H100 SXM, or unset it.")
        return value * 1e12
    words = set(re.split(r"[\s_-]+", device_name or ""))
    return next((tflops * 1e12 for names, tflops in PEAK_TFLOPS if words.issuperset(names)), None)


def parameter_count(model) -> int:
    """All parameters, counting the full size of those DeepSpeed ZeRO-3 has partitioned away."""
    return sum(getattr(p, "ds_numel", p.numel()) for p in model.parameters())


def model_flops(parameters: int, processed_tokens: float, trained_tokens: float) -> float:
    """2N FLOPs per token generated or scored (a forward), 6N per token trained (forward and backward)."""
    return 2 * parameters * processed_tokens + 6 * parameters * trained_tokens


class StepTiming(TrainerCallback):
    """Times each optimizer step's parts and adds them to each training log as `time/<part>` seconds per step.

    Also `time/step`, `throughput/tokens_per_s` (prompt + completion tokens generated on this device
    per second of step time) and, where the device's peak is known, `throughput/mfu`. At the end of
    training the mean step is logged in one line.
    """

    def __init__(self, trainer, clock=time.perf_counter):
        self.trainer, self.clock = trainer, clock
        device = trainer.accelerator.device
        self.synchronize = _synchronizer(device)
        self.peak = peak_flops(_device_name(device))
        self.parameters = 0
        self.window, self.total = Window(), Window()  # since the last log; since training began
        self.step = None  # this step's marks, parts and tokens while a step runs
        self.open = []  # the counted blocks entered and not yet left: (name, start)
        self.pending = []  # seconds of the log-prob passes of the batch being scored, not yet told old from reference
        self.batch_tokens = 0.0  # prompt + completion tokens of the latest generation batch on this device
        self.tokens_seen = 0  # the trainer's num_input_tokens_seen (all devices) when last read in this step

    # --- TRL's profiling points (see install) ---

    def counts(self, name: str) -> bool:
        """Whether a profiling point is a part of the step: inside a step, leaves only while a batch is scored
        and never inside another leaf (a reward that generates is reward time)."""
        if self.step is None:
            return False
        names = [n for n, _ in self.open]
        if name == SCORING:
            return SCORING not in names
        return name in LEAVES and SCORING in names and not LEAVES.intersection(names)

    def enter(self, name: str):
        if name == REWARD:
            self._close_scored_batch()
        self.synchronize()
        self.open.append((name, self.clock()))

    def leave(self, name: str):
        self.synchronize()
        seconds = self.clock() - self.open.pop()[1]
        if name in GENERATION:
            self.step["parts"]["generation"] += seconds
        elif name == REWARD:
            self.step["parts"]["reward"] += seconds
        elif name == LOGPROBS:
            self.pending.append(seconds)
        else:
            self._close_scored_batch()
            self.step["scoring"] += seconds

    def _close_scored_batch(self):
        """Count the tokens TRL generated since the last look, and tell the batch's log-prob passes apart:
        the last is the reference when beta != 0, the others are old log-probs."""
        seen = self.trainer.state.num_input_tokens_seen
        if seen > self.tokens_seen:
            self.batch_tokens = (seen - self.tokens_seen) / self.trainer.accelerator.num_processes
            self.step["tokens"] += self.batch_tokens
            self.step["processed"] += self.batch_tokens
            self.tokens_seen = seen
        if not self.pending:
            return
        parts = self.step["parts"]
        self.step["processed"] += self.batch_tokens * len(self.pending)
        if getattr(self.trainer, "beta", 0.0) != 0.0:
            parts["ref_logprobs"] += self.pending.pop()
        parts["old_logprobs"] += sum(self.pending)
        self.pending = []

    # --- the Trainer's callbacks ---

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self.parameters = parameter_count(model if model is not None else self.trainer.model)
        self.window, self.total = Window(), Window()

    def on_step_begin(self, args, state, control, **kwargs):
        self.synchronize()
        self.open, self.pending, self.tokens_seen = [], [], state.num_input_tokens_seen
        self.step = {"begin": self.clock(), "pre_optimizer": None, "optimizer": None, "scoring": 0.0,
                     "tokens": 0.0, "processed": 0.0, "parts": dict.fromkeys(PARTS, 0.0)}

    def on_pre_optimizer_step(self, args, state, control, **kwargs):
        if self.step is not None:
            self.synchronize()
            self.step["pre_optimizer"] = self.clock()

    def on_optimizer_step(self, args, state, control, **kwargs):
        if self.step is not None:
            self.synchronize()
            self.step["optimizer"] = self.clock()

    def on_step_end(self, args, state, control, **kwargs):
        if self.step is None:
            return
        self.synchronize()
        end, step = self.clock(), self.step
        self._close_scored_batch()
        self.step = None
        parts, begin, pre, opt = step["parts"], step["begin"], step["pre_optimizer"], step["optimizer"]
        if pre is not None:
            parts["forward_backward"] = pre - begin - step["scoring"]
            if opt is not None:
                parts["optimizer"] = opt - pre
        parts["other"] = (end - begin) - sum(parts.values())
        # Each generation batch is split into steps_per_generation micro-batches; a step trains some of them.
        micro_batches = getattr(self.trainer, "current_gradient_accumulation_steps", args.gradient_accumulation_steps)
        trained = self.batch_tokens * micro_batches / (getattr(args, "steps_per_generation", None) or 1)
        for window in (self.window, self.total):
            window.add(parts, end - begin, step["tokens"], step["processed"], trained)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs is None or "loss" not in logs or not self.window.steps:
            return
        logs.update(self.window.figures(self.parameters, self.peak))
        self.window = Window()

    def on_train_end(self, args, state, control, **kwargs):
        if state.is_world_process_zero and self.total.steps:
            figures = self.total.figures(self.parameters, self.peak)
            device = self.trainer.accelerator.device
            if device.type == "cuda":
                import torch

                figures["memory/peak_gib"] = torch.cuda.max_memory_allocated(device) / 2**30
            log.info(closing_line(figures, self.total.steps))


class Window:
    """Sums over the steps since a point: seconds per part, step seconds, and tokens on this device."""

    def __init__(self):
        self.parts = dict.fromkeys(PARTS, 0.0)
        self.steps, self.seconds = 0, 0.0
        self.tokens = self.processed = self.trained = 0.0

    def add(self, parts: dict, seconds: float, tokens: float, processed: float, trained: float):
        for part, value in parts.items():
            self.parts[part] += value
        self.steps += 1
        self.seconds += seconds
        self.tokens += tokens
        self.processed += processed
        self.trained += trained

    def figures(self, parameters: int, peak: float | None) -> dict:
        """Seconds per step for each part and the whole step, tokens/s, and MFU when the peak is known."""
        out = {f"time/{part}": value / self.steps for part, value in self.parts.items()}
        out["time/step"] = self.seconds / self.steps
        if self.seconds > 0:
            out["throughput/tokens_per_s"] = self.tokens / self.seconds
            if peak:
                out["throughput/mfu"] = model_flops(parameters, self.processed, self.trained) / self.seconds / peak
        return out


def closing_line(figures: dict, steps: int) -> str:
    """One line for the end of a stage: the mean step, its parts' shares, tokens/s and MFU."""
    step = figures["time/step"]
    shares = ", ".join(f"{part.replace('_', ' ')} {_percent(figures[f'time/{part}'] / step)}"
                       for part in PARTS if step > 0)
    line = f"step time {step:.3g} s (mean of {steps}): {shares}"
    if "throughput/tokens_per_s" in figures:
        line += f"; {figures['throughput/tokens_per_s']:,.0f} tokens/s per device"
    if "throughput/mfu" in figures:
        line += f", MFU {100 * figures['throughput/mfu']:.1f}%"
    if "memory/peak_gib" in figures:
        line += f", peak memory {figures['memory/peak_gib']:.1f} GiB"
    return line


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%" if share >= 0.1 else f"{100 * share:.1f}%"


def _device_name(device) -> str | None:
    if device.type != "cuda":
        return None
    import torch

    return torch.cuda.get_device_name(device)


def _synchronizer(device):
    """Wait for the device's queued kernels at a block's edge, so each part holds its own; nothing on a CPU."""
    if device.type == "cpu":
        return lambda: None
    import torch

    return lambda: torch.accelerator.synchronize(device)


class _TimedBlock:
    """TRL's ProfilingContext with the step timing's edges inside it."""

    def __init__(self, timing: StepTiming, name: str, inner):
        self.timing, self.name, self.inner = timing, name, inner

    def __enter__(self):
        self.inner.__enter__()
        self.timing.enter(self.name)
        return self

    def __exit__(self, *exc):
        self.timing.leave(self.name)
        return self.inner.__exit__(*exc)


TRL_MODULES = ("trl.extras.profiling", "trl.trainer.grpo_trainer")


def _hook_profiling():
    """Route TRL's `profiling_context` through the step timing of the trainer it names, if it has one.

    GRPOTrainer calls the function by the name it imported, and `profiling_decorator` by its module's
    name, so both names are replaced by one wrapper; any other trainer gets TRL's context unchanged.
    """
    import importlib

    from trl.extras import profiling

    original = getattr(profiling.profiling_context, "trl_original", profiling.profiling_context)

    def profiling_context(trainer, name):
        inner = original(trainer, name)
        timing = getattr(trainer, "step_timing", None)
        if timing is None or not timing.counts(name):
            return inner
        return _TimedBlock(timing, name, inner)

    profiling_context.trl_original = original
    for module in TRL_MODULES:
        module = importlib.import_module(module)
        if getattr(module.profiling_context, "trl_original", None) is None:
            module.profiling_context = profiling_context


def install(trainer) -> StepTiming:
    """Time a GRPO trainer's steps: TRL's profiling points routed to a StepTiming, first among its callbacks.

    First, so a step ends before other callbacks work in `on_step_end` (a periodic held-out check is
    no part of the step), and its figures are in the log before the loggers read it. Call it after the
    other callbacks are installed.
    """
    _hook_profiling()
    trainer.step_timing = StepTiming(trainer)
    trainer.callback_handler.callbacks.insert(0, trainer.step_timing)
    return trainer.step_timing
