"""A GRPO stage: TRL's GRPOTrainer with the stage's reward stack and the algorithm hooks it asks for.

Every GRPOConfig option is reachable from YAML (num_generations, max_completion_length,
temperature, top_p, beta, epsilon/epsilon_high, loss_type, scale_rewards,
mask_truncated_completions, importance_sampling_level, num_iterations,
steps_per_generation, use_vllm...). Prompts and the other example columns (`answer`,
`task`, ...) reach the rewards as keyword arguments. What TRL lacks (StableReinforce,
dynamic sampling, domain sampling, reward schedules) comes from r1kit.algorithms.
Defaults: r1kit/conf/stage/grpo.yaml; presets: r1kit/conf/algorithm/.
"""

import importlib.util
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from transformers import TrainerCallback
from trl import GRPOConfig

from r1kit.algorithms import algorithm_names, difficulty_weight, domain_sampling, dynamic_sampling, stable_reinforce
from r1kit.algorithms.difficulty_weight import DifficultyWeightHooks, DifficultyWeightSchema
from r1kit.algorithms.domain_sampling import DomainSamplerHook, DomainSamplingSchema
from r1kit.algorithms.dynamic_sampling import DynamicSamplingHooks, DynamicSamplingSchema
from r1kit.algorithms.reward_schedule import reward_schedules
from r1kit.algorithms.scored_batch import ScoredBatch
from r1kit.algorithms.stable_reinforce import StableReinforceHooks, StableReinforceSchema
from r1kit.algorithms.stage_schedules import StageSchedules
from r1kit.checks import at_least, did_you_mean
from r1kit.environments import check_rows, has_reward, resolve_environment, tool_names
from r1kit.errors import UserError
from r1kit.rewards.stack import RewardStack, routed_domains
from r1kit.stages import rollout, step_timing, tool_rollouts
from r1kit.stages.common import StageSchema, check_images, give_reference_a_folder, install_callbacks
from r1kit.stages.plan import StageKind, StagePlan
from r1kit.stages.rollout import RolloutSchema
from r1kit.tools import ready_for_tools, resolve_tools


@dataclass
class GRPOStageSchema(StageSchema):
    rewards: list[Any] = field(default_factory=list)  # [{name|_target_, weight, schedule, domains, **options}]
    reward_errors: str = "zero"  # "zero" scores a failing row 0 and counts it; "raise" stops
    algorithm: str | None = None  # a preset of r1kit/conf/algorithm (grpo, dapo, gspo...), under the stage's keys
    dynamic_sampling: DynamicSamplingSchema = field(default_factory=DynamicSamplingSchema)
    stable_reinforce: StableReinforceSchema = field(default_factory=StableReinforceSchema)
    domain_sampling: DomainSamplingSchema = field(default_factory=DomainSamplingSchema)
    difficulty_weight: DifficultyWeightSchema = field(default_factory=DifficultyWeightSchema)
    # functions the model may call in its rollouts, by name (calculator, python) or {_target_: pkg.fn}; TRL runs
    # the calls (max_tool_calling_iterations caps the turns) and masks the tools' replies out of the loss
    tools: list[Any] = field(default_factory=list)
    # a class whose instance each rollout runs in (TRL's environment_factory): its methods are the tools, reset(**row)
    # starts it, get_reward() scores it; a name, {name|_target_, **constructor options}, or {key: spec} picked per
    # row by the `environment` column (r1kit/environments, docs/tools.md)
    environment: Any = None
    max_turn_tokens: int | None = field(default=None, metadata=at_least(1))  # new tokens per assistant turn
    mask_tool_replies: bool = True  # false: the loss covers the tools' reply tokens too
    # how completions are sampled: TRL's backend and the precision (r1kit/stages/rollout.py, docs/benchmarks.md)
    rollout: RolloutSchema = field(default_factory=RolloutSchema)


@cache
def trainer_class():
    """TRL's GRPOTrainer with atomic checkpoints and r1kit's algorithm hooks (each off unless the stage sets it).

    Order matters: StableReinforce filters the advantages of the batch dynamic sampling has filled (and
    difficulty weights have scaled), and all read the rewards ScoredBatch keeps. Made on first use, as
    importing TRL's trainers takes a second that validating a recipe need not spend.
    """
    from trl import GRPOTrainer

    from r1kit.stages.checkpoints import AtomicCheckpoints
    from r1kit.stages.rollout import RolloutCopy
    from r1kit.stages.tool_rollouts import CutToolReplies, ToolReplyMask, TurnBudget
    from r1kit.stages.vision_batches import VisionRollouts

    class R1kitGRPOTrainer(AtomicCheckpoints, DomainSamplerHook, StableReinforceHooks, DifficultyWeightHooks,
                           DynamicSamplingHooks, ScoredBatch, VisionRollouts, CutToolReplies, ToolReplyMask, TurnBudget,
                           RolloutCopy, GRPOTrainer):
        """GRPOTrainer with atomic checkpoints, r1kit's algorithm hooks, TRL's VL rollout fixed
        (see r1kit/stages/vision_batches.py), the turn budget, tool-reply masking and cut-reply counting of
        multi-turn rollouts (r1kit/stages/tool_rollouts.py) and sampling in the precision `rollout.dtype` picks."""

    return R1kitGRPOTrainer


def check(where: str, stage: dict, trainer: dict, context: dict):
    """Rewards, the group arithmetic and the algorithm options, before any model loads."""
    world = context["world"]
    if stage["algorithm"] is not None and stage["algorithm"] not in algorithm_names():
        known = algorithm_names()
        raise UserError(f"{where}.algorithm={stage['algorithm']!r}: unknown algorithm."
                        f"{did_you_mean(stage['algorithm'], known)} Known: {', '.join(known)} (see docs/algorithms.md).")
    if stage["reward_errors"] not in ("zero", "raise"):
        raise UserError(f"{where}.reward_errors={stage['reward_errors']!r}: use `zero` or `raise`.")
    environment = resolve_environment(stage["environment"], f"{where}.environment")
    if not stage["rewards"] and not has_reward(environment):
        raise UserError(f"{where}: a grpo stage needs `rewards:`, e.g. `[{{name: think_format}}, {{name: math_accuracy}}]`"
                        " (or an `environment:` whose get_reward() scores the episode).")
    check_group_batch(where, trainer, world)
    if trainer.get("reward_weights") is not None:
        raise UserError(f"{where}.reward_weights: give each reward its `weight:` in `rewards:` instead.")
    stack = RewardStack(stage["rewards"], stage["reward_errors"], f"{where}.rewards")
    check_reward_domains(where, stage)
    reward_schedules(stage["rewards"], f"{where}.rewards")
    for module in (stable_reinforce, dynamic_sampling, domain_sampling, difficulty_weight):
        key = module.__name__.rsplit(".", 1)[1]
        module.check(where, stage[key], trainer, world)
    difficulty_weight.check_rewards(where, stage["difficulty_weight"], [f.__name__ for f in stack.functions])
    if stage["difficulty_weight"]["enabled"] and stage["dynamic_sampling"]["enabled"]:
        raise UserError(f"{where}: difficulty_weight and dynamic_sampling cannot be combined yet (the weights are "
                        "read from the last round scored, not from the groups dynamic sampling keeps).")
    dynamic_sampling.refuse_images(where, stage["dynamic_sampling"], stage.get("data"), context["recipe"]["datasets"])
    check_tool_rollouts(where, stage, environment, trainer, context)
    rollout.check(where, stage["rollout"], trainer, context)


def check_reward_domains(where: str, stage: dict):
    """In a stage mixing datasets each row's domain is its dataset's name, so a reward's `domains:` must name some."""
    data = stage.get("data")
    if not isinstance(data, (list, tuple)):
        return  # one dataset: the rows' own `domain` column routes them
    for i, entry in enumerate(stage["rewards"]):
        unknown = sorted(set(routed_domains(entry, f"{where}.rewards[{i}]") or ()) - set(data))
        if unknown:
            raise UserError(f"{where}.rewards[{i}].domains: {unknown} name no dataset of this stage; its rows' domains "
                            f"are its datasets {list(data)}.")


def check_tool_rollouts(where: str, stage: dict, environment, trainer: dict, context: dict):
    """Tools resolve and can be shown to the model beside the (resolved) environment's; the turn budget fits TRL's
    options."""
    tools = resolve_tools(stage["tools"], f"{where}.tools")
    clash = sorted({t.__name__ for t in tools} & tool_names(environment))
    if clash:
        raise UserError(f"{where}: tools {clash} are both in `tools:` and methods of the environment; the model "
                        "calls them by name, so rename one.")
    turn = stage["max_turn_tokens"]
    if turn is None:
        return
    total = trainer.get("max_completion_length") or 256
    if turn > total:
        raise UserError(f"{where}.max_turn_tokens={turn} is more than max_completion_length={total}, the budget "
                        "of the whole rollout (every turn and tool reply); lower it or raise max_completion_length.")
    backend = stage["rollout"]["backend"]
    if trainer.get("use_vllm") or backend.startswith("vllm") or context["recipe"]["launcher"].get("vllm_mode"):
        raise UserError(f"{where}.max_turn_tokens caps each turn through transformers' generation config, which "
                        "TRL's vLLM sampler does not read (under vLLM every turn may take up to "
                        "max_completion_length, less what the rollout used). Remove max_turn_tokens, or use "
                        "rollout.backend generate, static_cache or continuous_batching.")


def check_group_batch(where: str, trainer: dict, world: int):
    """GRPO splits each generation batch over `world` processes and into groups of `num_generations`."""
    g = trainer.get("num_generations") or 8
    per_device = trainer.get("per_device_train_batch_size", 8)
    steps = trainer.get("steps_per_generation") or trainer.get("gradient_accumulation_steps", 1)
    if g < 2:
        raise UserError(f"{where}.num_generations={g}: GRPO compares completions within a group; use at least 2.")
    batch = trainer.get("generation_batch_size")
    if batch and batch % (per_device * world):
        raise UserError(
            f"{where}.generation_batch_size={batch} is not divisible by per_device_train_batch_size {per_device} x "
            f"{world} process(es) = {per_device * world}. Make it a multiple of {per_device * world}, or change "
            "launcher.gpus / launcher.nodes.")
    if batch and batch % g:
        raise UserError(f"{where}.generation_batch_size={batch} is not divisible by num_generations={g}.")
    batch = batch or per_device * world * steps
    if batch % g:
        raise UserError(
            f"{where}: the generation batch ({batch} = per_device_train_batch_size {per_device} x {world} process(es)"
            f" x steps_per_generation {steps}) is not divisible by num_generations={g}. "
            f"Make per_device_train_batch_size a multiple of {g}, change num_generations, or run on a number of "
            "processes (launcher.gpus x launcher.nodes) that makes it divide.")


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


def build(plan: StagePlan):
    stage, data = plan.stage, plan.train_dataset
    if "prompt" not in data.column_names:
        raise UserError(f"{plan.where}: a grpo stage needs prompts, but dataset {stage['data']!r} has columns "
                        f"{data.column_names}.")
    check_images(plan)
    rollout.apply_backend(plan.args, stage["rollout"])
    if plan.args.use_transformers_continuous_batching and hasattr(plan.processing_class, "image_processor"):
        raise UserError(f"{plan.where}: transformers' continuous batching samples text only (TRL 1.16); use "
                        "rollout.backend generate or static_cache for a vision-language model.")
    if plan.args.use_vllm and importlib.util.find_spec("vllm") is None:
        raise UserError(f"{plan.where}.use_vllm=true but vLLM is not installed. `pip install vllm`, or set "
                        "use_vllm=false.")
    stack = RewardStack(stage["rewards"], stage["reward_errors"], f"{plan.where}.rewards")
    stack.schedules = reward_schedules(stage["rewards"], f"{plan.where}.rewards")
    plan.args.reward_weights = stack.weights
    if plan.args.beta:  # TRL loads the KL reference from the policy's folder
        give_reference_a_folder(plan)
    tools = resolve_tools(stage["tools"], f"{plan.where}.tools")
    environment = resolve_environment(stage["environment"], f"{plan.where}.environment")
    if environment is not None:
        check_rows(environment, data.column_names, data["environment"] if "environment" in data.column_names
                   else [], plan.where, stage["data"])
    if tools or environment:
        ready_for_tools(plan.processing_class, f"{plan.where}.{'tools' if tools else 'environment'}")
    columns = [c for c in data.column_names if c != "messages"]
    # a copy of the stack's functions: TRL appends an environment's get_reward to the list it is given
    trainer = trainer_class()(model=plan.model, reward_funcs=list(stack.functions), args=plan.args,
                               train_dataset=data.select_columns(columns), processing_class=plan.processing_class,
                               peft_config=plan.peft_config, tools=tools or None, environment_factory=environment)
    rollout.configure(trainer, stage["rollout"], plan.where)
    tool_rollouts.configure(trainer, stage)
    stable_reinforce.configure(trainer, stage["stable_reinforce"], data, plan.where)
    dynamic_sampling.configure(trainer, stage["dynamic_sampling"], data, plan.where)
    difficulty_weight.configure(trainer, stage["difficulty_weight"], data, plan.where)
    sampling = domain_sampling.configure(trainer, stage["domain_sampling"], data, plan.where)
    stack.bind_policy(trainer.model, trainer.processing_class, plan.args)
    own = ([sampling] if sampling else []) + ([tool_rollouts.EnvironmentErrors(environment)] if environment else [])
    install_callbacks(trainer, plan, own + [StageSchedules(trainer, stack), RewardTiming(stack)])
    step_timing.install(trainer)
    trainer.reward_stack = stack
    return trainer


KIND = StageKind("grpo", GRPOStageSchema, GRPOConfig, check, build)
