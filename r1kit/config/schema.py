"""The recipe's shape: each section's schema, from the package that owns and checks it.

Registered in Hydra's ConfigStore by r1kit.config.compose, so Hydra checks keys and types
as it composes; `datasets` and `stages` stay open mappings here, checked entry by entry by
r1kit.data.config and each stage kind (r1kit.stages).
"""

from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

from r1kit.checks import at_least
from r1kit.launch.options import LauncherSchema
from r1kit.models.config import ModelSchema


@dataclass
class EvalSchema:
    """The held-out check run after stages (and every N steps): greedy decoding scored by the adapter's metric."""

    data: str | None = None  # a key of `datasets`
    limit: int = field(default=200, metadata=at_least(1))
    max_new_tokens: int = field(default=256, metadata=at_least(1))
    batch_size: int = field(default=64, metadata=at_least(1))
    after_each_stage: bool = True
    every_steps: int = field(default=0, metadata=at_least(0))  # also every N steps during a stage (0: only after it); figures go to metrics.jsonl
    tools: list[Any] = field(default_factory=list)  # tools the model may call while it answers (docs/tools.md)
    environment: Any = None  # an environment each answer runs in, as a grpo stage names one (docs/tools.md)
    max_tool_rounds: int = field(default=4, metadata=at_least(0))


@dataclass
class LoggerSchema:
    """Where metrics go besides metrics.jsonl: none, wandb (offline unless mode=online) or tensorboard."""

    backend: str = "none"
    project: str = "r1kit"
    mode: str = "offline"


@dataclass
class RecipeSchema:
    name: str = MISSING
    seed: int = field(default=42, metadata=at_least(0))
    output_dir: str | None = None  # default runs/<name>/<timestamp>
    resume: bool = True  # rerunning the same command continues an unfinished run
    model: ModelSchema = field(default_factory=ModelSchema)
    datasets: dict[str, Any] = field(default_factory=dict)
    stages: dict[str, Any] = field(default_factory=dict)
    repeat: Any = None  # {stages: [<consecutive stages>], times: k}: the block k times (r1kit.config.repeat)
    eval: EvalSchema = field(default_factory=EvalSchema)
    logger: LoggerSchema = field(default_factory=LoggerSchema)
    launcher: LauncherSchema = field(default_factory=LauncherSchema)
