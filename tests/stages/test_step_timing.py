"""Step timing: each part's seconds from TRL's profiling points, on a fake clock to the digit and in a real
GRPO run, which takes the same trajectory with the timing as without it."""

import inspect
import logging
from types import SimpleNamespace

import pytest
import torch

from r1kit.errors import UserError
from r1kit.stages import step_timing
from r1kit.stages.step_timing import PARTS, closing_line, model_flops, parameter_count, peak_flops

# --- TRL's profiling points --------------------------------------------------------------------------------------


def test_trl_still_names_the_profiling_points_the_parts_come_from():
    from trl.trainer import grpo_trainer

    source = inspect.getsource(grpo_trainer.GRPOTrainer)
    for name in sorted(step_timing.GENERATION):
        assert f'profiling_context(self, "{name}")' in source, name
    for method in (step_timing.SCORING, step_timing.REWARD, step_timing.LOGPROBS):
        assert f"@profiling_decorator\n    def {method}(" in source, method
    # old log-probs, then the reference's, then the rewards: the order that tells the two passes apart
    scoring = inspect.getsource(grpo_trainer.GRPOTrainer._generate_and_score_completions)
    old, ref = scoring.index("old_per_token_logps, _, _ ="), scoring.index("ref_per_token_logps, _, _ =")
    assert old < ref < scoring.index("self._calculate_rewards(")


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def spend(self, seconds):
        self.now += seconds


class FakeTrainer:
    """What StepTiming and TRL's profiling_context read from a trainer: 2 processes, a model of 8 parameters."""

    def __init__(self, beta):
        self.beta = beta
        self.args = SimpleNamespace(report_to=[], gradient_accumulation_steps=1, steps_per_generation=1)
        self.state = SimpleNamespace(global_step=0, num_input_tokens_seen=0, is_world_process_zero=True)
        self.accelerator = SimpleNamespace(device=torch.device("cpu"), num_processes=2, is_main_process=True)
        self.model = torch.nn.Linear(3, 2)
        self.callback_handler = SimpleNamespace(callbacks=["another"])
        self.current_gradient_accumulation_steps = 1


@pytest.fixture
def timed(monkeypatch):
    """A fake trainer with step timing installed on a fake clock; `point(name, seconds)` passes a profiling point."""
    from trl.extras import profiling

    monkeypatch.delenv("R1KIT_PEAK_TFLOPS", raising=False)

    def make(beta):
        trainer = FakeTrainer(beta)
        timing = step_timing.install(trainer)
        timing.clock = clock = Clock()
        timing.on_train_begin(trainer.args, trainer.state, None, model=trainer.model)

        def point(name, seconds=0.0, inside=()):
            with profiling.profiling_context(trainer, name):
                clock.spend(seconds)
                for step in inside:
                    step()

        return trainer, timing, clock, point

    return make


def test_install_puts_the_timing_first_and_routes_both_of_trls_names_to_it(timed):
    from trl.extras import profiling
    from trl.trainer import grpo_trainer

    trainer, timing, _, _ = timed(0.0)
    assert trainer.callback_handler.callbacks == [timing, "another"]
    assert grpo_trainer.profiling_context is profiling.profiling_context
    other = FakeTrainer(0.0)  # a trainer without step timing gets TRL's own context
    assert isinstance(profiling.profiling_context(other, "transformers.generate"), profiling.ProfilingContext)
    # outside a step, nothing is timed
    assert isinstance(profiling.profiling_context(trainer, "transformers.generate"), profiling.ProfilingContext)


def test_each_part_gets_its_own_seconds_and_they_add_up_to_the_step(timed, monkeypatch):
    monkeypatch.setenv("R1KIT_PEAK_TFLOPS", "1e-12")  # 1 FLOP/s, so MFU is FLOPs per second
    trainer, timing, clock, point = timed(0.04)
    args, state = trainer.args, trainer.state

    def generate():
        clock.spend(4)
        state.num_input_tokens_seen += 200  # both processes: 100 tokens each

    timing.on_step_begin(args, state, None)
    point("_prepare_inputs", 1, [
        lambda: point("transformers.generate", inside=[generate]),
        lambda: point("_get_per_token_logps_and_entropies", 2),  # old
        lambda: point("_get_per_token_logps_and_entropies", 3),  # reference: the last pass, beta != 0
        lambda: point("_calculate_rewards", 0.5, [lambda: point("think_format", 0.25),
                                                  lambda: point("transformers.generate", 1)]),  # a judge's: reward
        lambda: clock.spend(0.5)])
    point("compute_loss", 2, [lambda: point("_get_per_token_logps_and_entropies", 4)])  # the loss's own forward
    timing.on_pre_optimizer_step(args, state, None)
    clock.spend(0.75)
    timing.on_optimizer_step(args, state, None)
    clock.spend(0.25)
    timing.on_step_end(args, state, None)

    logs = {"loss": 0.1}
    timing.on_log(args, state, None, logs=logs)
    parts = {part: logs[f"time/{part}"] for part in PARTS}
    assert parts == {"generation": 4, "reward": 1.75, "old_logprobs": 2, "ref_logprobs": 3, "forward_backward": 6,
                     "optimizer": 0.75, "other": 1.75}
    assert logs["time/step"] == sum(parts.values()) == 19.25
    assert logs["throughput/tokens_per_s"] == 100 / 19.25
    # 100 tokens generated and scored twice (2N each), the step trains the whole batch (6N), N = 8
    assert logs["throughput/mfu"] == pytest.approx(model_flops(8, 300, 100) / 19.25)
    assert model_flops(8, 300, 100) == 2 * 8 * 300 + 6 * 8 * 100


def test_without_a_reference_every_pass_is_old_log_probs_and_logs_average_the_steps_since_the_last(timed):
    trainer, timing, _, point = timed(0.0)
    args, state = trainer.args, trainer.state
    for seconds in (1, 3):
        timing.on_step_begin(args, state, None)
        rounds = [lambda s=seconds: point("transformers.generate", s), lambda: point("_get_per_token_logps_and_entropies", 1),
                  lambda: point("_calculate_rewards", 0.5)]
        point("_prepare_inputs", 0, rounds + rounds)  # dynamic sampling: a second round in the same step
        timing.on_step_end(args, state, None)  # no optimizer callbacks: everything outside scoring is other
        timing.on_log(args, state, None, logs={"grad_norm": 1.0})  # not a training log with a loss: nothing added
    logs = {"loss": 0.1}
    timing.on_log(args, state, None, logs=logs)
    assert logs["time/generation"] == (2 + 6) / 2 and logs["time/old_logprobs"] == 2 and logs["time/reward"] == 1
    assert logs["time/ref_logprobs"] == 0 and logs["time/step"] == (5 + 9) / 2
    assert "throughput/mfu" not in logs  # a CPU with no R1KIT_PEAK_TFLOPS: no peak to compare with
    empty = {"loss": 0.1}
    timing.on_log(args, state, None, logs=empty)
    assert empty == {"loss": 0.1}  # no step since the last log


def test_peak_flops_by_device_name(monkeypatch):
    monkeypatch.delenv("R1KIT_PEAK_TFLOPS", raising=False)
    assert peak_flops("NVIDIA H100 80GB HBM3") == 989e12
    assert peak_flops("NVIDIA H100 PCIe") == 756e12
    assert peak_flops("NVIDIA H200") == 989e12
    assert peak_flops("NVIDIA A100-SXM4-80GB") == 312e12
    assert peak_flops("NVIDIA A10") == 125e12 and peak_flops("NVIDIA A10G") is None  # not the A10's figure
    assert peak_flops("NVIDIA L40S") == 362e12 and peak_flops("NVIDIA L4") == 121e12
    assert peak_flops(None) is None


@pytest.mark.parametrize("given", ["fast", "0", "-5"])
def test_a_peak_override_that_is_not_a_positive_number_names_the_variable(monkeypatch, given):
    monkeypatch.setenv("R1KIT_PEAK_TFLOPS", given)
    with pytest.raises(UserError, match="R1KIT_PEAK_TFLOPS=.*positive number"):
        peak_flops("NVIDIA H100")
    monkeypatch.setenv("R1KIT_PEAK_TFLOPS", "500")
    assert peak_flops("NVIDIA H100") == 500e12


def test_parameter_count_counts_what_zero3_partitioned_away():
    model = torch.nn.Linear(3, 2)
    assert parameter_count(model) == 8
    model.weight.ds_numel = 600  # ZeRO-3 leaves an empty tensor and the full size in ds_numel
    assert parameter_count(model) == 602


def test_the_closing_line_gives_the_shares_and_throughput():
    figures = {"time/step": 2.0, **{f"time/{p}": 0.0 for p in PARTS}, "time/generation": 1.5, "time/other": 0.5,
               "throughput/tokens_per_s": 1234.5, "throughput/mfu": 0.312, "memory/peak_gib": 40.04}
    figures["time/reward"] = 0.004
    assert closing_line(figures, 7) == ("step time 2 s (mean of 7): generation 75%, reward 0.2%, old logprobs 0.0%, "
                                        "ref logprobs 0.0%, forward backward 0.0%, optimizer 0.0%, other 25%; "
                                        "1,234 tokens/s per device, MFU 31.2%, peak memory 40.0 GiB")


# --- a real GRPO run on the tiny model ---------------------------------------------------------------------------

TRACKED = ("loss", "reward", "reward_std", "kl", "entropy", "grad_norm")


def _digits(completions, **_):
    """Rewards that differ within a group, so the loss and the weights move."""
    return [sum(ch.isdigit() for ch in c[0]["content"]) / 6 for c in completions]


def _train(tmp_path, timed: bool):
    """3 steps of TRL's GRPOTrainer (steps_per_generation 2, so old log-probs; beta > 0, so a reference)."""
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from r1kit.models.tiny import build_tiny

    model, tokenizer = build_tiny(hidden_size=32, num_heads=2, num_kv_heads=1, seed=0)
    path = tmp_path / "model"
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    args = GRPOConfig(output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, num_generations=2,
                      steps_per_generation=2, max_completion_length=6, beta=0.04, max_steps=3, logging_steps=1,
                      learning_rate=0.05, temperature=1.5,
                      use_cpu=True, report_to=[], bf16=False, disable_tqdm=True, save_strategy="no",
                      activation_checkpointing=False, seed=0)
    data = Dataset.from_dict({"prompt": [[{"role": "user", "content": f"{i}+1"}] for i in range(16)]})
    trainer = GRPOTrainer(model=str(path), reward_funcs=_digits,
                          args=args, train_dataset=data, processing_class=tokenizer)
    if timed:
        step_timing.install(trainer)

    kept = []

    class Keep(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if "loss" in logs:
                kept.append(dict(logs))

    trainer.add_callback(Keep())
    trainer.train()
    return kept


@pytest.fixture(scope="module")
def untimed(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("untimed"), timed=False)


def test_a_real_run_logs_every_part_and_takes_the_same_trajectory(tmp_path, untimed, monkeypatch, caplog):
    monkeypatch.setenv("R1KIT_PEAK_TFLOPS", "1")
    with caplog.at_level(logging.INFO, logger="r1kit.stages.step_timing"):
        logs = _train(tmp_path, timed=True)
    assert len(logs) == 3 and untimed[0]["reward_std"] > 0 and untimed[-1]["kl"] > 0  # the weights moved
    assert [[x.get(k) for k in TRACKED] for x in logs] == [[x.get(k) for k in TRACKED] for x in untimed]
    tokens_before = 0
    for number, x in enumerate(logs, start=1):
        parts = [x[f"time/{p}"] for p in PARTS]
        assert min(parts) >= 0 and sum(parts) == pytest.approx(x["time/step"], abs=1e-9)
        assert x["time/forward_backward"] > 0 and x["time/optimizer"] > 0 and x["time/other"] > 0
        generated = number != 2  # steps_per_generation 2: the second step trains the first's batch
        for part in ("generation", "reward", "old_logprobs", "ref_logprobs"):
            assert (x[f"time/{part}"] > 0) == generated, (number, part)
        if generated:  # TRL's own running count of prompt + completion tokens, one process
            assert x["throughput/tokens_per_s"] * x["time/step"] == pytest.approx(x["num_tokens"] - tokens_before)
            tokens_before = x["num_tokens"]
        else:
            assert x["throughput/tokens_per_s"] == 0
        assert x["throughput/mfu"] > 0  # the training pass counts on every step
    assert "step time" in caplog.text and "(mean of 3)" in caplog.text and "tokens/s per device" in caplog.text


def test_a_grpo_stage_logs_its_step_parts_and_ends_with_the_closing_line(write_recipe, tmp_path):
    from tests.helpers import read_metrics, run_cli

    recipe = write_recipe("""
        defaults: [{model: tiny}, {logger: none}, _self_]
        name: timed
        datasets:
          problems: {adapter: addition, generator: {name: addition, n: 32, seed: 2}}
        stages:
          rl:
            kind: grpo
            data: problems
            max_steps: 2
            logging_steps: 1
            per_device_train_batch_size: 8
            num_generations: 4
            max_completion_length: 8
            rewards: [{name: exact_match}]
        eval: {data: null}
        """)
    out = tmp_path / "run"
    proc = run_cli("train", f"recipe={recipe}", f"output_dir={out}", env={"R1KIT_PEAK_TFLOPS": "1"})
    rl = [m for m in read_metrics(out) if m["stage"] == "rl" and "loss" in m]
    assert [m["step"] for m in rl] == [1, 2]
    for m in rl:
        assert sum(m[f"time/{p}"] for p in PARTS) == pytest.approx(m["time/step"])
        assert m["time/generation"] > 0 and m["throughput/tokens_per_s"] > 0 and m["throughput/mfu"] > 0
    assert "step time" in proc.stdout + proc.stderr and "(mean of 2)" in proc.stdout + proc.stderr
