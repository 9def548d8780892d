"""A GRPO stage: TRL's GRPOTrainer with the stage's reward stack.

Every GRPOConfig option is reachable from YAML (num_generations, max_completion_length,
temperature, top_p, beta, epsilon/epsilon_high, loss_type, scale_rewards,
mask_truncated_completions, importance_sampling_level, num_iterations,
steps_per_generation, use_vllm...). Prompts and the other example columns (`answer`,
`task`, ...) reach the rewards as keyword arguments.
"""

import importlib.util
import time

from transformers import TrainerCallback
from trl import GRPOConfig, GRPOTrainer

from r1kit.errors import UserError
from r1kit.rewards.stack import RewardStack
from r1kit.stages.checkpoints import AtomicCheckpoints
from r1kit.stages.common import attach_callbacks, trainer_args


class R1kitGRPOTrainer(AtomicCheckpoints, GRPOTrainer):
    """GRPOTrainer whose checkpoints are written atomically."""


class RewardTiming(TrainerCallback):
    """Adds to each log the share of step time spent in rewards and the count of reward errors."""

    def __init__(self, stack: RewardStack):
        self.stack = stack
        self.step_seconds = self.reward_seconds = 0.0
        self._step_start = None

    def on_step_begin(self, args, state, control, **kwargs):
        self._step_start = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        if self._step_start is not None:
            self.step_seconds += time.perf_counter() - self._step_start

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs is None or "loss" not in logs or self.step_seconds == 0:
            return
        spent = self.stack.seconds - self.reward_seconds
        logs["rewards/time_share"] = spent / self.step_seconds
        for name, count in self.stack.errors.items():
            logs[f"rewards/{name}/errors"] = count
        self.reward_seconds, self.step_seconds = self.stack.seconds, 0.0


def build_grpo_trainer(stage: dict, recipe: dict, model, tokenizer, train_ds, output_dir, run_dir):
    where = f"stages.{stage['name']}"
    if "prompt" not in train_ds.column_names:
        raise UserError(f"{where}: a grpo stage needs prompts, but dataset {stage['data']!r} has columns "
                        f"{train_ds.column_names}.")
    if stage.get("use_vllm") and importlib.util.find_spec("vllm") is None:
        raise UserError(f"{where}.use_vllm=true but vLLM is not installed. `pip install vllm`, or set use_vllm=false.")
    stack = RewardStack(stage["rewards"], stage["reward_errors"], f"{where}.rewards")
    args = trainer_args(GRPOConfig, {**stage, "reward_weights": stack.weights}, recipe, output_dir, run_dir)
    columns = [c for c in train_ds.column_names if c != "messages"]
    trainer = R1kitGRPOTrainer(model=model, reward_funcs=stack.functions, args=args,
                               train_dataset=train_ds.select_columns(columns), processing_class=tokenizer)
    stack.bind_policy(trainer.model, trainer.processing_class, args)
    trainer.callback_handler.callbacks.insert(0, RewardTiming(stack))  # before the loggers read `logs`
    attach_callbacks(trainer, stage["name"], run_dir / "metrics.jsonl")
    trainer.reward_stack = stack
    return trainer
