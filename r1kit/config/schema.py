"""The shape of a resolved recipe, as dataclasses that OmegaConf checks keys and types against.

Stages are validated in two parts: r1kit's own stage keys (here) and the TRL trainer
options, which are checked against the installed TRL's SFTConfig / GRPOConfig.
"""

from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING


@dataclass
class LoraSchema:
    """LoRA adapters through peft; off by default."""

    enabled: bool = False
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: Any = None  # None means every linear layer


@dataclass
class ModelSchema:
    """Where the weights come from: exactly one of `path` (hub id or local dir), `gguf_file`, or `build`."""

    path: str | None = None
    gguf_file: str | None = None
    build: Any = None  # a builder name ("tiny") or {name|_target_, **kwargs}
    revision: str | None = None
    dtype: str = "auto"  # auto: bf16 on a GPU, fp32 on CPU
    chat_template: str | None = None  # "chatml", a Jinja string, or None for the model's own
    trust_remote_code: bool = False
    attn_implementation: str | None = None
    lora: LoraSchema = field(default_factory=LoraSchema)
    # Vision-language models (ignored for text-only models):
    min_pixels: int | None = None  # the processor's resize bounds; None keeps the model's own
    max_pixels: int | None = None
    freeze_vision: bool = False  # keep the vision tower (and its merger) fixed; LoRA never touches it


@dataclass
class DatasetSchema:
    """One dataset: rows from a file, a hub id or a generator, turned into examples by an adapter."""

    adapter: str = MISSING  # registry name or dotted path
    path: str | None = None  # local jsonl/json/parquet file or folder, or a hub id
    generator: Any = None  # {name|_target_, **kwargs} producing rows in code
    subset: str | None = None  # hub dataset config name
    split: str = "train"
    columns: dict[str, str] = field(default_factory=dict)  # adapter column -> dataset column
    options: dict[str, Any] = field(default_factory=dict)  # adapter keyword arguments
    limit: int | None = None


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


@dataclass
class DynamicSamplingSchema:
    """DAPO's dynamic sampling (grpo stages): regenerate until every group's rewards differ, at most `max_retries` times."""

    enabled: bool = False
    max_retries: int = 4  # extra generation rounds per generation batch; then groups without signal fill the rest


@dataclass
class StableReinforceSchema:
    """R1-Reward's StableReinforce (grpo stages): a clamped importance ratio and a 3-sigma advantage filter."""

    enabled: bool = False
    max_ratio: float = 1000.0  # the log-ratio is clamped to [-log max_ratio, log max_ratio] before exp
    advantage_sigmas: float = 3.0  # advantages further than this many batch standard deviations from the mean -> 0


@dataclass
class DomainSamplingSchema:
    """RuleReasoner-style sampling (grpo stages): domains with low recent reward are drawn more often."""

    enabled: bool = False
    temperature: float = 0.5  # p_d ~ softmax(-mean reward_d / temperature)
    uniform_mix: float = 0.1  # share of uniform sampling mixed in, so no domain starves
    ema: float = 0.8  # weight of the past in each domain's moving average reward


@dataclass
class StageSchema:
    """r1kit's own keys of a stage; every other key is a TRL trainer option."""

    kind: str = MISSING  # sft | grpo
    data: Any = MISSING  # a key of `datasets`, or a list of keys (rows are mixed; each row's domain is its key)
    init_from: str = "previous"  # previous | base | <stage name> | <path to a model>
    evaluate: bool | None = None  # None: follow eval.after_each_stage
    rewards: list[Any] = field(default_factory=list)  # grpo: [{name|_target_, weight, kwargs}]
    reward_errors: str = "zero"  # grpo: "zero" scores a failing row 0 and counts it; "raise" stops
    algorithm: str | None = None  # grpo: an entry of r1kit/conf/algorithm (grpo, dapo, gspo...), under the stage's keys
    dynamic_sampling: DynamicSamplingSchema = field(default_factory=DynamicSamplingSchema)
    stable_reinforce: StableReinforceSchema = field(default_factory=StableReinforceSchema)
    domain_sampling: DomainSamplingSchema = field(default_factory=DomainSamplingSchema)


STAGE_KINDS = ("sft", "grpo")


@dataclass
class EvalCommandSchema:
    """`r1kit eval`'s options (r1kit/conf/eval.yaml documents each)."""

    model: Any = MISSING  # hub id, model folder, .gguf file, run directory, or a model config (model=smollm2)
    compare: list[str] = field(default_factory=list)
    data: Any = None  # a dataset mapping (data=addition) or the name of a dataset of the run's recipe
    reward: Any = None  # {rewards: [...]} from reward=<stack>
    n: int = 1
    k: Any = None
    temperature: float | None = None
    top_p: float = 1.0
    max_new_tokens: int | None = None
    limit: int | None = None
    batch_size: int = 64
    backend: str = "auto"
    correct_threshold: float = 1.0
    dtype: str = "auto"
    seed: int = 0
    name: str | None = None
    output_dir: str | None = None
