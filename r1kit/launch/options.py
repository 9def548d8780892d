"""The recipe's `launcher:` section, judged before anything starts: its keys, counts, ranks and combinations.

`LauncherSchema` gives the keys, types and numeric bounds (`typed` checks them),
`check_launcher` the combinations. What the machine has (GPUs, an importable DeepSpeed)
is checked when launching (r1kit.launch.command), so `--cfg job` and `--dry-run` work on
a laptop for a cluster. Nothing here imports torch.
"""

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

from r1kit.checks import at_least
from r1kit.errors import UserError

LAUNCHERS = ("local", "zero2", "zero3", "slurm")
ZERO_STAGES = (1, 2, 3)
MIXED_PRECISION = ("no", "bf16", "fp16")
VLLM_MODES = ("colocate", "server")


@dataclass
class SlurmSchema:
    """sbatch options for `launcher=slurm` (one task per node; `accelerate launch` starts that node's processes)."""

    partition: str | None = None
    account: str | None = None
    qos: str | None = None
    time: str = "24:00:00"
    cpus_per_task: int = field(default=16, metadata=at_least(1))  # CPU cores per node for the data loaders and the reward workers
    sbatch: list[str] = field(default_factory=list)  # extra #SBATCH options, e.g. ["--exclusive", "--mem=0"]
    setup: list[str] = field(default_factory=list)  # shell lines run before launching (module load, activate a venv)
    submit: bool = False  # run `sbatch` on the rendered script (else print how to)


@dataclass
class LauncherSchema:
    """How training processes start: `local` (this process) or DeepSpeed ZeRO through `accelerate launch`."""

    name: str = "local"  # local | zero2 | zero3 | slurm (the file of r1kit/conf/launcher chosen)
    zero_stage: int = 0  # 0: no DeepSpeed (local only); 2 or 3
    gpus: int = field(default=1, metadata=at_least(1))  # processes per node: one per GPU, or CPU processes with use_cpu
    nodes: int = field(default=1, metadata=at_least(1))
    main_address: str | None = None  # address of the node with machine rank 0 (multi-node)
    main_port: int = field(default=29500, metadata=at_least(0, le=65535))  # its rendezvous port; 0 picks a free one (single node)
    hostfile: str | None = None  # DeepSpeed hostfile (`host slots=N` lines): started from this node over ssh (pdsh)
    machine_rank: int = field(default=0, metadata=at_least(0))  # this node's rank when each node runs the command itself
    offload_optimizer: bool = False  # optimizer states in CPU memory
    offload_params: bool = False  # parameters in CPU memory (zero3)
    gradient_checkpointing: bool | None = None  # None: each stage's `activation_checkpointing`
    mixed_precision: str | None = None  # None: from model.dtype; bf16 | fp16 | no
    vllm_mode: str | None = None  # None (transformers generation) | colocate | server
    vllm_gpus: int = field(default=1, metadata=at_least(1))  # server mode: GPUs of the vLLM server (tensor parallel), taken from `gpus` on one node
    vllm_host: str | None = None  # server mode: a server you started; None: r1kit starts one (slurm: on its node)
    vllm_port: int = field(default=8000, metadata=at_least(1, le=65535))
    use_cpu: bool = False  # CPU processes talking over gloo (tests, laptops)
    slurm: SlurmSchema = field(default_factory=SlurmSchema)


def inside_launcher() -> bool:
    """True in a process started by a launcher (accelerate, torchrun, deepspeed all set LOCAL_RANK)."""
    return "LOCAL_RANK" in os.environ


def relaunches(launcher: dict) -> bool:
    """Whether this `r1kit` process must start the training processes instead of training itself."""
    return launcher["name"] != "local" and not inside_launcher()


def starts_server(launcher: dict) -> bool:
    """vLLM server mode with no `vllm_host` given: r1kit starts the server (else it is the user's)."""
    return launcher["vllm_mode"] == "server" and not launcher["vllm_host"]


def server_on_node(launcher: dict) -> bool:
    """A server r1kit starts on this node's GPUs (slurm gives the server a node of its own)."""
    return starts_server(launcher) and launcher["name"] != "slurm"


def processes_per_node(launcher: dict) -> int:
    return launcher["gpus"] - launcher["vllm_gpus"] if server_on_node(launcher) else launcher["gpus"]


def world_size(launcher: dict) -> int:
    """The number of training processes, which TRL divides every batch by."""
    if launcher["name"] == "local":
        return int(os.environ.get("WORLD_SIZE", "1"))  # r1kit run under a launcher of the user's own
    return processes_per_node(launcher) * launcher["nodes"]


def hostfile_hosts(path: str) -> list[str]:
    """The hosts of a DeepSpeed hostfile (`host slots=N` lines; blank lines and comments skipped)."""
    lines = Path(path).expanduser().read_text().splitlines()
    return [line.split()[0] for line in lines if line.strip() and not line.lstrip().startswith("#")]


def check_launcher(launcher: dict, recipe: dict):
    """Raise UserError on the first thing in `launcher:` that cannot work, naming the numbers."""
    name, stage = launcher["name"], launcher["zero_stage"]
    if name not in LAUNCHERS:
        raise UserError(f"launcher.name={name!r}: choose one of {', '.join(LAUNCHERS)} (launcher=zero3 ...).")
    if name == "local":
        if launcher["gpus"] != 1 or launcher["nodes"] != 1:
            raise UserError(f"launcher=local runs one process, but launcher.gpus={launcher['gpus']} and "
                            f"launcher.nodes={launcher['nodes']}. Use launcher=zero2 or launcher=zero3 for more.")
        if stage != 0:
            raise UserError(f"launcher.zero_stage={stage} needs DeepSpeed: use launcher=zero2 or launcher=zero3.")
    elif stage not in ZERO_STAGES:
        raise UserError(f"launcher.zero_stage={stage}: choose one of {', '.join(map(str, ZERO_STAGES))}.")
    if not 0 <= launcher["machine_rank"] < launcher["nodes"]:
        raise UserError(f"launcher.machine_rank={launcher['machine_rank']}: the ranks of {launcher['nodes']} "
                        f"node(s) are 0 to {launcher['nodes'] - 1}.")
    if launcher["main_port"] == 0 and launcher["nodes"] > 1:
        raise UserError(f"launcher.main_port={launcher['main_port']}: give a port from 1 to 65535 "
                        "(0, a free port, only works on one node).")
    if launcher["offload_params"] and stage != 3:
        raise UserError("launcher.offload_params=true shards parameters to the CPU, which only ZeRO-3 does: "
                        "use launcher=zero3, or launcher.offload_optimizer=true with ZeRO-2.")
    precision = launcher["mixed_precision"]
    if precision is not None and precision not in MIXED_PRECISION:
        raise UserError(f"launcher.mixed_precision={precision!r}: choose one of {', '.join(MIXED_PRECISION)}, "
                        "or null to follow model.dtype.")
    if launcher["use_cpu"] and precision == "fp16":
        raise UserError("launcher.mixed_precision=fp16 needs GPUs; with launcher.use_cpu=true use no or bf16.")
    if stage == 3 and recipe["model"]["lora"]["enabled"]:
        raise UserError("model.lora with launcher=zero3: merging LoRA into sharded weights is not supported. "
                        "Use launcher=zero2 (LoRA's optimizer state is small; ZeRO-3 gains little).")
    _check_nodes(launcher, recipe)
    _check_vllm(launcher, recipe)


def _check_nodes(launcher: dict, recipe: dict):
    nodes, hostfile = launcher["nodes"], launcher["hostfile"]
    if hostfile:
        if launcher["name"] == "slurm":
            raise UserError("launcher.hostfile: Slurm picks the nodes; remove the hostfile, or use launcher=zero2/zero3.")
        if not Path(hostfile).expanduser().is_file():
            raise UserError(f"launcher.hostfile={hostfile}: no such file. Give a DeepSpeed hostfile "
                            "(one `host slots=N` line per node).")
        hosts = hostfile_hosts(hostfile)
        if len(hosts) != nodes:
            raise UserError(f"launcher.hostfile lists {len(hosts)} host(s) but launcher.nodes={nodes}: "
                            f"set launcher.nodes={len(hosts)}.")
    elif nodes > 1 and launcher["name"] != "slurm":
        if not launcher["main_address"]:
            raise UserError(f"launcher.nodes={nodes}: give launcher.main_address (the address of machine rank 0) "
                            "and run the command on every node with its launcher.machine_rank, or give "
                            "launcher.hostfile to start every node from this one.")
        if not recipe.get("output_dir"):
            raise UserError(f"launcher.nodes={nodes} with one command per node: set output_dir= to one folder on a "
                            "shared filesystem, so every node writes the same run directory.")


def _check_vllm(launcher: dict, recipe: dict):
    mode = launcher["vllm_mode"]
    if mode is None:
        return
    if mode not in VLLM_MODES:
        raise UserError(f"launcher.vllm_mode={mode!r}: choose colocate, server, or null (transformers generation).")
    if launcher["use_cpu"]:
        raise UserError("launcher.vllm_mode needs GPUs; with launcher.use_cpu=true set launcher.vllm_mode=null.")
    if launcher["name"] != "slurm" and importlib.util.find_spec("vllm") is None:
        raise UserError(f"launcher.vllm_mode={mode} but vLLM is not installed: `pip install vllm`, "
                        "or set launcher.vllm_mode=null to generate with transformers.")
    if mode != "server":
        return
    if launcher["name"] == "local" and starts_server(launcher):
        raise UserError("launcher.vllm_mode=server: r1kit starts the server beside the training processes, "
                        "which needs launcher=zero2, zero3 or slurm; or start `trl vllm-serve` yourself and set "
                        "launcher.vllm_host (or use vllm_mode=colocate).")
    if starts_server(launcher) and not recipe["model"].get("path"):
        raise UserError("launcher.vllm_mode=server: the server loads the model by model.path (a hub id or folder); "
                        "this model is built in code or read from GGUF. Use launcher.vllm_mode=colocate.")
    if server_on_node(launcher):
        if launcher["nodes"] > 1:
            raise UserError("launcher.vllm_mode=server on several nodes: use launcher=slurm, which gives the server "
                            "a node of its own, or start `trl vllm-serve` yourself and set launcher.vllm_host.")
        if not 1 <= launcher["vllm_gpus"] < launcher["gpus"]:
            raise UserError(f"launcher.vllm_gpus={launcher['vllm_gpus']} of launcher.gpus={launcher['gpus']}: the "
                            "server and the training processes each need at least one GPU of the node.")
