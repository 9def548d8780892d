"""The recipe's shape: each section's schema, from the package that owns and checks it.

Registered in Hydra's ConfigStore by r1kit.config.compose, so Hydra checks keys and types
as it composes; `datasets` and `stages` stay open mappings here, checked entry by entry by
r1kit.data.config and each stage kind (r1kit.stages).
"""

from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

from r1kit.models.config import ModelSchema


@dataclass
class EvalSchema:
    """The held-out check run after stages (and every N steps): greedy decoding scored by the adapter's metric."""

    data: str | None = None  # a key of `datasets`
    limit: int = 200
    max_new_tokens: int = 256
    batch_size: int = 64
    after_each_stage: bool = True
    every_steps: int = 0  # also every N steps during a stage (0: only after it); figures go to metrics.jsonl


@dataclass
class LoggerSchema:
    """Where metrics go besides metrics.jsonl: none, wandb (offline unless mode=online) or tensorboard."""

    backend: str = "none"
    project: str = "r1kit"
    mode: str = "offline"


@dataclass
class SlurmSchema:
    """sbatch options for `launcher=slurm` (one task per node; `accelerate launch` starts that node's processes)."""

    partition: str | None = None
    account: str | None = None
    qos: str | None = None
    time: str = "24:00:00"
    cpus_per_task: int = 16  # CPU cores per node for the data loaders and the reward workers
    sbatch: list[str] = field(default_factory=list)  # extra #SBATCH options, e.g. ["--exclusive", "--mem=0"]
    setup: list[str] = field(default_factory=list)  # shell lines run before launching (module load, activate a venv)
    submit: bool = False  # run `sbatch` on the rendered script (else print how to)


@dataclass
class LauncherSchema:
    """How training processes start: `local` (this process) or DeepSpeed ZeRO through `accelerate launch`."""

    name: str = "local"  # local | zero2 | zero3 | slurm (the file of r1kit/conf/launcher chosen)
    zero_stage: int = 0  # 0: no DeepSpeed (local only); 2 or 3
    gpus: int = 1  # processes per node: one per GPU, or CPU processes with use_cpu
    nodes: int = 1
    main_address: str | None = None  # address of the node with machine rank 0 (multi-node)
    main_port: int = 29500  # its rendezvous port; 0 picks a free one (single node)
    hostfile: str | None = None  # DeepSpeed hostfile (`host slots=N` lines): started from this node over ssh (pdsh)
    machine_rank: int = 0  # this node's rank when each node runs the command itself
    offload_optimizer: bool = False  # optimizer states in CPU memory
    offload_params: bool = False  # parameters in CPU memory (zero3)
    gradient_checkpointing: bool | None = None  # None: each stage's `activation_checkpointing`
    mixed_precision: str | None = None  # None: from model.dtype; bf16 | fp16 | no
    vllm_mode: str | None = None  # None (transformers generation) | colocate | server
    vllm_gpus: int = 1  # server mode: GPUs of the vLLM server (tensor parallel), taken from `gpus` on one node
    vllm_host: str | None = None  # server mode: a server you started; None: r1kit starts one (slurm: on its node)
    vllm_port: int = 8000
    use_cpu: bool = False  # CPU processes talking over gloo (tests, laptops)
    slurm: SlurmSchema = field(default_factory=SlurmSchema)


@dataclass
class RecipeSchema:
    name: str = MISSING
    seed: int = 42
    output_dir: str | None = None  # default runs/<name>/<timestamp>
    resume: bool = True  # rerunning the same command continues an unfinished run
    model: ModelSchema = field(default_factory=ModelSchema)
    datasets: dict[str, Any] = field(default_factory=dict)
    stages: dict[str, Any] = field(default_factory=dict)
    eval: EvalSchema = field(default_factory=EvalSchema)
    logger: LoggerSchema = field(default_factory=LoggerSchema)
    launcher: LauncherSchema = field(default_factory=LauncherSchema)
