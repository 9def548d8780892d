"""A GRPO stage: TRL's GRPOTrainer with the stage's reward stack.

Every GRPOConfig option is reachable from YAML (num_generations, max_completion_length,
temperature, top_p, beta, epsilon/epsilon_high, loss_type, scale_rewards,
mask_truncated_completions, importance_sampling_level, num_iterations,
steps_per_generation, use_vllm...). Prompts and the other example columns (`answer`,
`task`, ...) reach the rewards as keyword arguments. The variants TRL lacks (StableReinforce,
dynamic sampling) come from r1kit.stages.algorithms.
"""

import importlib.util
import time

from transformers import TrainerCallback
from trl import GRPOConfig, GRPOTrainer

from r1kit.errors import UserError
from r1kit.rewards.stack import RewardStack
from r1kit.stages import algorithms
from r1kit.stages.checkpoints import AtomicCheckpoints
from r1kit.stages.common import attach_callbacks, check_images, trainer_args
from r1kit.stages.schedules import StageSchedules


class R1kitGRPOTrainer(AtomicCheckpoints, algorithms.AlgorithmExtensions, GRPOTrainer):
    """GRPOTrainer whose checkpoints are written atomically, with StableReinforce, dynamic sampling and
    domain-aware sampling on demand."""

    domain_weights = None  # set by build_grpo_trainer when the stage asks for domain-aware sampling

    def _get_train_sampler(self, dataset=None):
        if self.domain_weights is None:
            return super()._get_train_sampler(dataset)
        from r1kit.stages.domain_sampling import DomainSampler

        dataset = self.train_dataset if dataset is None else dataset
        return DomainSampler(list(dataset["domain"]), self.domain_weights, mini_repeat_count=self.num_generations,
                             batch_size=self.args.generation_batch_size // self.num_generations,
                             repeat_count=self.num_iterations * self.args.steps_per_generation, seed=self.args.seed)


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


def _save_reference(model, output_dir):
    """TRL loads the KL reference (beta > 0) from the policy's folder; a model built in code has none, so give it one."""
    from pathlib import Path

    reference = Path(output_dir) / "reference"
    model.save_pretrained(reference)
    model.config._name_or_path = str(reference)


def _domain_sampling(trainer, stack, stage: dict, columns: list[str], where: str):
    from r1kit.stages.domain_sampling import DomainSampling, DomainWeights

    if "domain" not in columns:
        raise UserError(f"{where}.domain_sampling needs a `domain` per row: give the stage several datasets "
                        "(`data: [logic, math]`) or rows with a `domain` column.")
    options = {k: v for k, v in stage["domain_sampling"].items() if k != "enabled"}
    trainer.domain_weights = DomainWeights(list(trainer.train_dataset["domain"]), **options)
    stack.domains = []  # the stack now keeps each batch's domains and scores for the weights
    trainer.callback_handler.callbacks.insert(0, DomainSampling(trainer, stack, trainer.domain_weights))


def build_grpo_trainer(stage: dict, recipe: dict, model, tokenizer, train_ds, output_dir, run_dir):
    where = f"stages.{stage['name']}"
    if "prompt" not in train_ds.column_names:
        raise UserError(f"{where}: a grpo stage needs prompts, but dataset {stage['data']!r} has columns "
                        f"{train_ds.column_names}.")
    check_images(stage, train_ds, tokenizer)
    if stage.get("use_vllm") and importlib.util.find_spec("vllm") is None:
        raise UserError(f"{where}.use_vllm=true but vLLM is not installed. `pip install vllm`, or set use_vllm=false.")
    stack = RewardStack(stage["rewards"], stage["reward_errors"], f"{where}.rewards")
    args = trainer_args(GRPOConfig, {**stage, "reward_weights": stack.weights}, recipe, output_dir, run_dir)
    if args.beta and not model.config._name_or_path:
        _save_reference(model, output_dir)
    columns = [c for c in train_ds.column_names if c != "messages"]
    trainer = R1kitGRPOTrainer(model=model, reward_funcs=stack.functions, args=args,
                               train_dataset=train_ds.select_columns(columns), processing_class=tokenizer)
    algorithms.configure(trainer, stage, train_ds)
    stack.bind_policy(trainer.model, trainer.processing_class, args)
    trainer.callback_handler.callbacks.insert(0, RewardTiming(stack))  # before the loggers read `logs`
    trainer.callback_handler.callbacks.insert(0, StageSchedules(trainer, stack))
    if stage["domain_sampling"]["enabled"]:
        _domain_sampling(trainer, stack, stage, columns, where)
    attach_callbacks(trainer, stage["name"], run_dir / "metrics.jsonl")
    trainer.reward_stack = stack
    return trainer
