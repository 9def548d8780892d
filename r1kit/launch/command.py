"""`r1kit train ... launcher=zero3`: decide the run directory, write how it is launched, re-execute under accelerate.

This (parent) process has validated the recipe. It picks the run directory as a local
run would (an unfinished run of the same config is continued), writes
launch/accelerate.yaml and launch/deepspeed.json there, and runs
`accelerate launch --config_file <run>/launch/accelerate.yaml -m r1kit <command> <the same
overrides> output_dir=<run>`. Every rank of that command sees LOCAL_RANK and trains instead
of relaunching. A UserError in a rank comes back as one message and exit status 2; any
other exit status comes back as it is. `launcher=slurm` writes an sbatch script instead.
"""

import os
import shlex
import signal
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

from r1kit.errors import UserError
from r1kit.launch import configs
from r1kit.launch.options import processes_per_node, server_on_node, world_size
from r1kit.launch.slurm import SCRIPT_FILE, render_script
from r1kit.launch.vllm_server import VllmServer, server_command
from r1kit.run.rundir import check_unlocked, locate_run, write_atomic

ERROR_FILE_ENV = "R1KIT_ERROR_FILE"


def launch(config: dict, command: str, recipe: str | None, overrides: list[str], dry_run: bool = False) -> int:
    launcher = config["launcher"]
    run, resumed = locate_run(config)
    if not dry_run:
        check_unlocked(run, config)  # before launch/ is rewritten under a run that is training
    run_path = Path(os.path.abspath(run.path))
    launch_dir = run_path / "launch"
    files = configs.render(launcher, launch_dir)
    child = child_command(command, recipe, overrides, run_path, launcher)
    env = child_env(launcher)
    server = _server(config, launch_dir)
    if launcher["name"] == "slurm":
        files[launch_dir / SCRIPT_FILE] = render_script(config, child, launch_dir, Path.cwd())
    elif not dry_run:  # a dry run, or a Slurm script, may be prepared on a machine unlike the one that runs it
        check_machine(launcher)
    print(f"r1kit {command}: {describe(launcher)}\nrun directory: {run_path}"
          f"{' (continues the unfinished run)' if resumed else ''}", flush=True)
    if dry_run:
        _show(files, child, env, server, launcher)
        return 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    if launcher["name"] == "slurm":
        return _submit(launch_dir / SCRIPT_FILE, launcher["slurm"]["submit"])
    print(f"launching: {display(child, env)}", flush=True)
    with server or nullcontext():
        return _run(child, env, launch_dir / "error.txt")


def describe(launcher: dict) -> str:
    unit = "CPU processes" if launcher["use_cpu"] else "GPUs"
    nodes = f"{launcher['nodes']} node{'s' if launcher['nodes'] > 1 else ''}"
    text = (f"launcher={launcher['name']}, {world_size(launcher)} training processes ({nodes} x "
            f"{processes_per_node(launcher)} {unit}), DeepSpeed ZeRO-{launcher['zero_stage']}")
    if launcher["vllm_mode"]:
        text += f", vLLM {launcher['vllm_mode']}"
    return text


def child_command(command: str, recipe: str | None, overrides: list[str], run_path: Path, launcher: dict) -> list[str]:
    """`accelerate launch ... -m r1kit <command> <overrides> output_dir=<run>`: the same run, in every rank."""
    cmd = [sys.executable, "-m", "accelerate.commands.launch",
           "--config_file", str(run_path / "launch" / configs.ACCELERATE_FILE)]
    if launcher["nodes"] > 1 and not launcher["hostfile"] and launcher["name"] != "slurm":
        cmd += ["--machine_rank", str(launcher["machine_rank"])]
    cmd += ["-m", "r1kit", command]
    if recipe is not None:
        is_path = recipe.endswith((".yaml", ".yml")) or os.sep in recipe
        cmd.append(f"recipe={os.path.abspath(recipe) if is_path else recipe}")
    cmd += [o for o in overrides if o.lstrip("+~").split("=", 1)[0] != "output_dir"]
    return cmd + [f"output_dir={run_path}"]


def child_env(launcher: dict) -> dict:
    """The environment the launched processes differ in: DeepSpeed on the CPU, or the GPUs left to training."""
    env = {}
    if launcher["use_cpu"]:
        env.update(DS_ACCELERATOR="cpu", CUDA_VISIBLE_DEVICES="")
    elif server_on_node(launcher):
        env["CUDA_VISIBLE_DEVICES"] = ",".join(_gpu_ids(launcher)[launcher["vllm_gpus"]:])
    return env


def _gpu_ids(launcher: dict) -> list[str]:
    visible = [g for g in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if g.strip()]
    return (visible or [str(i) for i in range(launcher["gpus"])])[: launcher["gpus"]]


def _server(config: dict, launch_dir: Path) -> VllmServer | None:
    launcher = config["launcher"]
    if not server_on_node(launcher):
        return None
    command = server_command(config["model"]["path"], launcher["vllm_port"], launcher["vllm_gpus"])
    return VllmServer(command, _gpu_ids(launcher)[: launcher["vllm_gpus"]], launcher["vllm_port"],
                      launch_dir / "vllm.log")


def check_machine(launcher: dict):
    """This node has the GPUs asked for, and DeepSpeed imports."""
    if not launcher["use_cpu"]:
        import torch

        count = torch.cuda.device_count()
        if count < launcher["gpus"]:
            raise UserError(f"launcher.gpus={launcher['gpus']} but this machine has {count} GPU(s) "
                            f"(CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', 'unset')}). Set "
                            f"launcher.gpus={count or 1}" + ("" if count else " and launcher.use_cpu=true to run CPU "
                                                            "processes") + ".")
    else:
        os.environ.setdefault("DS_ACCELERATOR", "cpu")  # else DeepSpeed looks for CUDA while importing
    try:
        import deepspeed  # noqa: F401
    except Exception as err:  # noqa: BLE001 - an ImportError, or a broken install failing on import
        raise UserError(f"launcher={launcher['name']} needs DeepSpeed, which does not import here "
                        f"({type(err).__name__}: {err}). `pip install deepspeed`, or use launcher=local.") from None


def display(cmd: list[str], env: dict) -> str:
    return shlex.join([f"{k}={v}" for k, v in env.items()] + cmd)


def _show(files: dict, child: list[str], env: dict, server, launcher: dict):
    for path, text in files.items():
        print(f"--- {path}\n{text}", end="")
    if launcher["name"] == "slurm":
        print(f"command:\nsbatch {shlex.quote(str(next(p for p in files if p.name == SCRIPT_FILE)))}")
    else:
        if server is not None:
            print(f"vLLM server:\n{display(server.command, {'CUDA_VISIBLE_DEVICES': ','.join(server.gpus)})}")
        print(f"command:\n{display(child, env)}")
    print("dry run: nothing was written or started.")


def _submit(script: Path, submit: bool) -> int:
    if not submit:
        print(f"wrote {script}\nsubmit it with: sbatch {shlex.quote(str(script))}")
        return 0
    try:
        proc = subprocess.run(["sbatch", str(script)], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UserError(f"launcher.slurm.submit=true but `sbatch` is not on PATH; submit {script} from a "
                        "Slurm login node.") from None
    print(proc.stdout.strip() or proc.stderr.strip())
    return proc.returncode


def _run(cmd: list[str], env: dict, error_file: Path) -> int:
    """Run the launched command to its end; SIGTERM is passed on, Ctrl-C waits for the ranks to stop."""
    error_file.unlink(missing_ok=True)
    bin_dir = os.path.dirname(sys.executable)  # accelerate's multi-node runner calls `deepspeed` by name
    full_env = {**os.environ, **env, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
                ERROR_FILE_ENV: str(error_file)}
    proc = subprocess.Popen(cmd, env=full_env)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: proc.send_signal(signum))
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code != 0 and error_file.is_file():
        raise UserError(error_file.read_text(encoding="utf-8").strip())
    return code if code >= 0 else 128 - code


def report_child_error(message: str):
    """In a launched rank: leave a UserError's message for the parent, which prints it once and exits 2."""
    path = os.environ.get(ERROR_FILE_ENV)
    if path:
        tmp = Path(f"{path}.{os.getpid()}")
        tmp.write_text(message, encoding="utf-8")
        os.replace(tmp, path)
