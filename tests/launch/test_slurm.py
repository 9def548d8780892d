"""`launcher=slurm` renders an sbatch script: checked as text, then run by bash against stand-ins for srun and friends.

The stand-ins (scontrol, srun, curl on PATH) record what each srun task would run, with
the script's variables expanded as Slurm would expand them, so the test sees each node's
machine rank, the rendezvous address and port, and which node serves vLLM.
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import yaml

from r1kit.launch.command import launch

FAKE_SRUN = r'''#!{python}
"""srun stand-in: log the call; run `bash -c CMD` once per task with SLURM_PROCID set, CMD's words to a file."""
import os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_DIR"] + "/srun.log", "a") as log:
    log.write(" ".join(args) + "\n")
opts = dict(a.split("=", 1) for a in args if a.startswith("--") and "=" in a)
cmd = args[next(i for i, a in enumerate(args) if not a.startswith("--")):]
if cmd[:2] == ["bash", "-c"]:
    record = '_run() { printf "%s\\n" "$@" > "$FAKE_DIR/task-$SLURM_PROCID.txt"; }; _run '
    for task in range(int(opts["--ntasks"])):
        subprocess.run(["bash", "-c", record + cmd[2]], check=True, env={**os.environ, "SLURM_PROCID": str(task)})
'''
# curl answers only once the vLLM server's srun has started, so a script that did not wait would log training first
FAKES = {"scontrol": "#!/bin/sh\nprintf 'gpu-a\\ngpu-b\\ngpu-c\\n'\n",
         "curl": '#!/bin/sh\ngrep -q vllm-serve "$FAKE_DIR/srun.log" 2>/dev/null\n'}


def _render(make_config, tmp_path, monkeypatch, *overrides) -> Path:
    monkeypatch.chdir(tmp_path)
    overrides = ["launcher=slurm", "launcher.nodes=2", "launcher.gpus=8", "launcher.main_port=6001",
                 "launcher.slurm.partition=hopper", "launcher.slurm.time=02:00:00",
                 "launcher.slurm.setup=[source .venv/bin/activate]", *overrides]
    config = make_config(overrides)
    assert launch(config, "train", "quickstart", overrides) == 0
    (script,) = tmp_path.glob("runs/quickstart/*/launch/train.slurm")
    return script


def _run_script(script: Path, tmp_path: Path) -> dict[int, list[str]]:
    fakes = tmp_path / "bin"
    fakes.mkdir()
    for name, text in {**FAKES, "srun": FAKE_SRUN.replace("{python}", sys.executable)}.items():
        (fakes / name).write_text(text)
        (fakes / name).chmod(stat.S_IRWXU)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "activate").write_text("export ACTIVATED=1\n")
    env = {**os.environ, "PATH": f"{fakes}{os.pathsep}{os.environ['PATH']}", "FAKE_DIR": str(tmp_path),
           "SLURM_JOB_NODELIST": "gpu-[a-c]"}
    subprocess.run(["bash", str(script)], check=True, env=env, cwd=tmp_path, timeout=60)
    return {int(p.stem.split("-")[1]): p.read_text().splitlines() for p in tmp_path.glob("task-*.txt")}


def _value(words: list[str], flag: str) -> str:
    return words[words.index(flag) + 1]


def test_script_names_the_counts_ranks_and_port(make_config, tmp_path, monkeypatch):
    script = _render(make_config, tmp_path, monkeypatch)
    text = script.read_text()
    for line in ("#SBATCH --nodes=2", "#SBATCH --ntasks-per-node=1", "#SBATCH --gres=gpu:8", "#SBATCH --time=02:00:00",
                 "#SBATCH --partition=hopper", "export MAIN_PORT=6001", "source .venv/bin/activate"):
        assert line in text, line
    assert "vllm" not in text
    acc = yaml.safe_load((script.parent / "accelerate.yaml").read_text())
    assert (acc["num_machines"], acc["num_processes"]) == (2, 16)
    assert json.loads((script.parent / "deepspeed.json").read_text())["zero_optimization"]["stage"] == 2

    tasks = _run_script(script, tmp_path)
    assert sorted(tasks) == [0, 1]  # one accelerate launch per training node, ranks 0 and 1
    for rank, words in tasks.items():
        assert _value(words, "--machine_rank") == str(rank)
        assert (_value(words, "--main_process_ip"), _value(words, "--main_process_port")) == ("gpu-a", "6001")
        assert _value(words, "--config_file") == str(script.parent / "accelerate.yaml")
        assert words[words.index("-m", words.index("--config_file")) + 1:][:2] == ["r1kit", "train"]
        assert f"output_dir={script.parent.parent}" in words  # every node writes the one run directory
    srun = (tmp_path / "srun.log").read_text().splitlines()
    assert srun == ['--nodes=2 --ntasks=2 --nodelist=gpu-a,gpu-b bash -c ' + srun[0].split(" bash -c ", 1)[1]]


def test_server_mode_adds_a_vllm_node_that_training_waits_for(make_config, tmp_path, monkeypatch):
    script = _render(make_config, tmp_path, monkeypatch, "launcher.vllm_mode=server", "launcher.vllm_gpus=4",
                     "launcher.vllm_port=8011", "model=qwen2_5_0_5b_instruct", "model.build=null")
    text = script.read_text()
    assert "#SBATCH --nodes=3" in text and 'curl -sf "http://$VLLM_NODE:8011/health"' in text
    tasks = _run_script(script, tmp_path)
    assert sorted(tasks) == [0, 1] and all("launcher.vllm_host=gpu-c" in words for words in tasks.values())
    server, training = (line.split() for line in (tmp_path / "srun.log").read_text().splitlines())
    assert "vllm-serve" in server and "vllm-serve" not in training  # training started after the server answered
    assert server[:3] == ["--nodes=1", "--ntasks=1", "--nodelist=gpu-c"]  # the last node serves
    assert "vllm-serve" in server and _value(server, "--port") == "8011"
    assert _value(server, "--tensor_parallel_size") == "4" and _value(server, "--model") == "Qwen/Qwen2.5-0.5B-Instruct"
