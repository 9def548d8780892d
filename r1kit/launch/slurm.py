"""`launcher=slurm`: an sbatch script for N training nodes (plus one vLLM server node in server mode).

One task per node; each runs `accelerate launch` with its machine rank ($SLURM_PROCID)
and the first node as the rendezvous address, so the script needs nothing but srun and
scontrol. In server mode the last node runs `trl vllm-serve` and the training waits until
it answers. The run directory is fixed in the script: submitting it again resumes the run.
"""

import shlex
from pathlib import Path

from r1kit.launch.vllm_server import server_command

SCRIPT_FILE = "train.slurm"
SERVER_WAIT_SECONDS = 900


def render_script(config: dict, child: list[str], launch_dir: Path, cwd: Path) -> str:
    """The script's text. `child` is the per-node command without its machine rank and main address."""
    launcher, slurm = config["launcher"], config["launcher"]["slurm"]
    nodes, server = launcher["nodes"], launcher["vllm_mode"] == "server" and not launcher["vllm_host"]
    options = [f"--job-name=r1kit-{config['name']}", f"--nodes={nodes + server}", "--ntasks-per-node=1",
               f"--gres=gpu:{launcher['gpus']}", f"--cpus-per-task={slurm['cpus_per_task']}",
               f"--time={slurm['time']}", f"--output={launch_dir / 'slurm-%j.out'}"]
    options += [f"--{key}={slurm[key]}" for key in ("partition", "account", "qos") if slurm[key]]
    options += slurm["sbatch"]
    lines = ["#!/bin/bash", *(f"#SBATCH {o}" for o in options),
             f"# Written by r1kit for the run in {launch_dir.parent}; submit it again to resume that run.",
             "set -euo pipefail", f"cd {shlex.quote(str(cwd))}", *slurm["setup"],
             'NODES=($(scontrol show hostnames "$SLURM_JOB_NODELIST"))',
             "export MAIN_ADDRESS=${NODES[0]}", f"export MAIN_PORT={launcher['main_port']}",
             f'TRAIN_NODES=$(IFS=,; echo "${{NODES[*]:0:{nodes}}}")']
    per_node = list(child)
    rank_args = '--machine_rank "$SLURM_PROCID" --main_process_ip "$MAIN_ADDRESS" --main_process_port "$MAIN_PORT"'
    if server:
        port = launcher["vllm_port"]
        serve = shlex.join(server_command(config["model"]["path"], port, launcher["vllm_gpus"]))
        lines += [f"export VLLM_NODE=${{NODES[{nodes}]}}",
                  f'srun --nodes=1 --ntasks=1 --nodelist="$VLLM_NODE" {serve} &',
                  "VLLM_PID=$!",
                  "trap 'kill $VLLM_PID 2>/dev/null || true' EXIT",
                  f"for _ in $(seq {SERVER_WAIT_SECONDS // 5}); do",
                  f'  curl -sf "http://$VLLM_NODE:{port}/health" >/dev/null && break',
                  '  kill -0 "$VLLM_PID" 2>/dev/null || { echo "the vLLM server exited before answering" >&2; exit 1; }',
                  "  sleep 5",
                  "done",
                  (f'curl -sf "http://$VLLM_NODE:{port}/health" >/dev/null || '
                   f'{{ echo "the vLLM server did not answer within {SERVER_WAIT_SECONDS} s" >&2; exit 1; }}')]
        per_node.append("launcher.vllm_host=$VLLM_NODE")
    launch, rest = _split_at_module(per_node)
    inner = f"{shlex.join(launch)} {rank_args} {_join_expanding(rest)}"
    lines.append(f'srun --nodes={nodes} --ntasks={nodes} --nodelist="$TRAIN_NODES" bash -c {shlex.quote(inner)}')
    return "\n".join(lines) + "\n"


def _split_at_module(command: list[str]) -> tuple[list[str], list[str]]:
    """(`... accelerate launch --config_file X`, `-m r1kit train ...`): the rank options go between."""
    i = command.index("-m", command.index("--config_file"))
    return command[:i], command[i:]


def _join_expanding(args: list[str]) -> str:
    """Quote each argument, but let `$VLLM_NODE` expand in the task's shell."""
    return " ".join(f'"{a}"' if "$VLLM_NODE" in a else shlex.quote(a) for a in args)
