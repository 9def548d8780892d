"""The accelerate config and the DeepSpeed JSON that a launch writes into `<run>/launch/`.

Both in their tools' own formats, as TRL and open-r1 ship them: the YAML that
`accelerate config` writes, and a DeepSpeed JSON whose "auto" values (batch sizes,
gradient clipping, bf16/fp16, bucket sizes) transformers fills from each stage's
TrainingArguments, so one file serves an SFT stage and a GRPO stage alike.
"""

import json
from pathlib import Path

import yaml

from r1kit.launch.options import hostfile_hosts, world_size

ACCELERATE_FILE = "accelerate.yaml"
DEEPSPEED_FILE = "deepspeed.json"
QUIET_STEPS = 1_000_000_000  # DeepSpeed's own step printing; r1kit's progress bar and metrics.jsonl say it already


def deepspeed_config(launcher: dict) -> dict:
    stage = launcher["zero_stage"]
    zero = {"stage": stage, "overlap_comm": not launcher["use_cpu"], "contiguous_gradients": True}
    if stage == 3:
        zero.update(reduce_bucket_size="auto", stage3_prefetch_bucket_size="auto",
                    stage3_param_persistence_threshold="auto", stage3_max_live_parameters=1_000_000_000,
                    stage3_max_reuse_distance=1_000_000_000,
                    stage3_gather_16bit_weights_on_model_save=True)  # final/ is one plain model, gathered on save
    else:
        zero.update(allgather_partitions=True, allgather_bucket_size=200_000_000, reduce_scatter=True,
                    reduce_bucket_size=200_000_000)
    if launcher["offload_optimizer"]:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": not launcher["use_cpu"]}
    if launcher["offload_params"]:
        zero["offload_param"] = {"device": "cpu", "pin_memory": not launcher["use_cpu"]}
    config = {
        "train_micro_batch_size_per_gpu": "auto",
        "train_batch_size": "auto",
        "gradient_accumulation_steps": "auto",
        "gradient_clipping": "auto",
        "bf16": {"enabled": "auto"},
        "fp16": {"enabled": "auto"},
        "zero_optimization": zero,
        "steps_per_print": QUIET_STEPS,
        "wall_clock_breakdown": False,
    }
    if launcher["offload_optimizer"]:  # the offloaded update runs in DeepSpeed's CPU Adam, not torch's AdamW
        config["optimizer"] = {"type": "AdamW",
                               "params": {"lr": "auto", "betas": "auto", "eps": "auto", "weight_decay": "auto"}}
    return config


def accelerate_config(launcher: dict, deepspeed_json: Path) -> dict:
    """`machine_rank` stays 0 here: each node passes its own on the command line, so all nodes share one file."""
    ds = {"deepspeed_config_file": str(deepspeed_json), "zero3_init_flag": launcher["zero_stage"] == 3}
    main_address = launcher["main_address"]
    if launcher["hostfile"]:
        hostfile = Path(launcher["hostfile"]).expanduser().resolve()
        ds.update(deepspeed_multinode_launcher="pdsh", deepspeed_hostfile=str(hostfile))
        main_address = main_address or hostfile_hosts(str(hostfile))[0]
    elif launcher["nodes"] > 1:
        ds["deepspeed_multinode_launcher"] = "standard"  # torchrun on every node, started by the user or Slurm
    config = {
        "compute_environment": "LOCAL_MACHINE",
        "distributed_type": "DEEPSPEED",
        "deepspeed_config": ds,
        "machine_rank": 0,
        "num_machines": launcher["nodes"],
        "num_processes": world_size(launcher),
        "main_process_port": launcher["main_port"],
        "rdzv_backend": "static",
        "same_network": True,
    }
    if main_address:
        config["main_process_ip"] = main_address
    return config


def render(launcher: dict, launch_dir: Path) -> dict[Path, str]:
    """The files of a launch, path -> text (written by the caller, or shown by a dry run)."""
    launch_dir = Path(launch_dir).resolve()
    ds_path = launch_dir / DEEPSPEED_FILE
    return {
        launch_dir / ACCELERATE_FILE: yaml.safe_dump(accelerate_config(launcher, ds_path), sort_keys=False),
        ds_path: json.dumps(deepspeed_config(launcher), indent=2) + "\n",
    }
