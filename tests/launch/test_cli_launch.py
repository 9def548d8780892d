"""`r1kit train ... launcher=...` through the real CLI: the dry run, and the errors that end in exit status 2."""

import sys

from r1kit.errors import UserError
from r1kit.launch.command import _run
from tests.helpers import CLI

CPU2 = ["launcher=zero3", "launcher.gpus=2", "launcher.use_cpu=true"]


def assert_user_error(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("r1kit: error: "), proc.stderr
    for needle in needles:
        assert needle in proc.stderr, (needle, proc.stderr)


def test_dry_run_prints_the_command_and_files_and_writes_nothing(r1kit_cli, tmp_path):
    proc = r1kit_cli("train", "seed=3", *CPU2, "--dry-run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "launcher=zero3, 2 training processes (1 node x 2 CPU processes), DeepSpeed ZeRO-3" in out
    assert "launch/accelerate.yaml\ncompute_environment: LOCAL_MACHINE\ndistributed_type: DEEPSPEED" in out
    assert '"stage": 3' in out and '"stage3_gather_16bit_weights_on_model_save": true' in out
    command = out.split("command:\n")[1].splitlines()[0]
    assert command.startswith(f"DS_ACCELERATOR=cpu CUDA_VISIBLE_DEVICES= {sys.executable} -m accelerate.commands.launch "
                              "--config_file ")
    run_dir = out.split("run directory: ")[1].splitlines()[0]
    assert command.endswith(f"-m r1kit train recipe=quickstart seed=3 {' '.join(CPU2)} output_dir={run_dir}")
    assert not (tmp_path / "runs").exists()


def test_dry_run_with_the_local_launcher_says_there_is_nothing_to_launch(r1kit_cli, tmp_path):
    proc = r1kit_cli("train", "--dry-run", cwd=tmp_path)
    assert proc.returncode == 0 and "nothing to launch" in proc.stdout and not (tmp_path / "runs").exists()


def test_more_gpus_than_present_is_exit_2(r1kit_cli, tmp_path):
    proc = r1kit_cli("train", "launcher=zero2", "launcher.gpus=2", cwd=tmp_path, env={"CUDA_VISIBLE_DEVICES": ""})
    assert_user_error(proc, "launcher.gpus=2 but this machine has 0 GPU(s)", "launcher.use_cpu=true")
    assert not (tmp_path / "runs").exists()


def test_deepspeed_not_importable_is_exit_2(r1kit_cli, tmp_path):
    fake = tmp_path / "shadow" / "deepspeed"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('libcudart.so.12: cannot open shared object file')\n")
    proc = r1kit_cli("train", *CPU2, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "shadow")})
    assert_user_error(proc, "launcher=zero3 needs DeepSpeed, which does not import here",
                      "libcudart.so.12", "pip install deepspeed")


def test_a_world_size_that_does_not_split_the_batch_is_exit_2(r1kit_cli, tmp_path):
    proc = r1kit_cli("train", "launcher=zero2", "launcher.gpus=3", "launcher.use_cpu=true",
                     "stages.grpo.per_device_train_batch_size=6", cwd=tmp_path)
    assert_user_error(proc, "the generation batch (18 = per_device_train_batch_size 6 x 3 process(es)",
                      "num_generations=8")


def test_a_user_error_inside_a_launched_rank_comes_back_as_one_message(tmp_path):
    """A rank (LOCAL_RANK set) that hits a UserError leaves its message; the launcher raises it (exit 2)."""
    rank = [*CLI, "train", "stages.sft.kind=nope", "--cfg", "job"]
    try:
        _run(rank, {"LOCAL_RANK": "0"}, tmp_path / "error.txt")
    except UserError as err:
        assert str(err) == ("stages.sft.kind='nope': choose one of dpo, generate, grpo, merge, reward_model, sft, or give the dotted path of your own kind.")
    else:
        raise AssertionError("the rank's UserError did not come back")
    assert _run([sys.executable, "-c", "raise SystemExit(5)"], {}, tmp_path / "error.txt") == 5  # others pass through
