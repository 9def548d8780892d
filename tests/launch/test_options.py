"""The launcher section is judged with the recipe, before anything starts: counts, ranks, combinations, batches."""

import importlib.util

import pytest

from r1kit.errors import UserError
from r1kit.launch.options import world_size

ZERO2 = ["launcher=zero2", "launcher.use_cpu=true"]


def fails(make_config, overrides, match) -> str:
    with pytest.raises(UserError, match=match) as info:
        make_config(overrides)
    return str(info.value)


def test_a_launcher_group_composes_over_a_recipe_that_does_not_list_it(make_config):
    config = make_config(["launcher=zero3", "launcher.gpus=4", "launcher.nodes=2", "launcher.main_address=10.0.0.1",
                          "output_dir=/shared/run"])
    launcher = config["launcher"]
    assert (launcher["name"], launcher["zero_stage"], world_size(launcher)) == ("zero3", 3, 8)
    assert make_config([])["launcher"]["name"] == "local"  # the default


@pytest.mark.parametrize("overrides, match", [
    (["launcher.gpus=2"], r"launcher=local runs one process, but launcher\.gpus=2"),
    (["launcher=zero2", "launcher.offload_params=true"], r"offload_params=true .* only ZeRO-3"),
    (["launcher=zero2", "launcher.zero_stage=4"], r"launcher\.zero_stage=4: choose one of 1, 2, 3"),
    (["launcher=zero2", "launcher.gpus=0"], r"launcher\.gpus=0: must be at least 1"),
    (["launcher=zero2", "launcher.nodes=0"], r"launcher\.nodes=0: must be at least 1"),
    (["launcher.main_port=70000"], r"launcher\.main_port=70000: .*must be at most 65535"),
    (["launcher=zero2", "launcher.mixed_precision=fp8"], r"mixed_precision='fp8': choose one of no, bf16, fp16"),
    ([*ZERO2, "launcher.mixed_precision=fp16"], r"fp16 needs GPUs"),
    (["launcher=zero2", "launcher.nodes=2"], r"launcher\.nodes=2: give launcher\.main_address"),
    (["launcher=zero2", "launcher.nodes=2", "launcher.main_address=10.0.0.1"], r"set output_dir= to one folder"),
    (["launcher=zero2", "launcher.nodes=2", "launcher.machine_rank=2"], r"the ranks of 2 node\(s\) are 0 to 1"),
    (["launcher=zero2", "launcher.nodes=2", "launcher.main_port=0"], r"0, a free port, only works on one node"),
    pytest.param(["launcher=zero2", "launcher.vllm_mode=colocate"], r"vLLM is not installed",
                 marks=pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed")),
    ([*ZERO2, "launcher.vllm_mode=colocate"], r"vllm_mode needs GPUs"),
    (["launcher=slurm", "launcher.vllm_mode=server"], r"loads the model by model\.path .* built in code"),
    (["launcher=zero3", "model.lora.enabled=true"], r"LoRA into sharded weights is not supported.*launcher=zero2"),
])
def test_launcher_mistakes_fail_in_validation_naming_the_fix(make_config, overrides, match):
    fails(make_config, overrides, match)


def test_a_hostfile_must_list_as_many_hosts_as_nodes(make_config, tmp_path):
    hosts = tmp_path / "hostfile"
    hosts.write_text("# the cluster\nnode-a slots=8\nnode-b slots=8\n\n")
    fails(make_config, ["launcher=zero2", f"launcher.hostfile={hosts}"], r"lists 2 host\(s\) but launcher\.nodes=1")
    make_config(["launcher=zero2", f"launcher.hostfile={hosts}", "launcher.nodes=2"])  # no main address needed
    fails(make_config, ["launcher=zero2", f"launcher.hostfile={tmp_path / 'nope'}"], r"no such file")


def test_a_world_size_that_does_not_split_the_grpo_batch_fails_naming_the_numbers(make_config):
    # 6 completions per process: one process cannot hold whole groups of 4, two can (12 = 3 groups)
    base = ZERO2 + ["stages.grpo.per_device_train_batch_size=6", "stages.grpo.num_generations=4"]
    msg = fails(make_config, base + ["launcher.gpus=1"], r"the generation batch \(6 = ")
    assert "per_device_train_batch_size 6 x 1 process(es)" in msg and "num_generations=4" in msg
    assert "launcher.gpus x launcher.nodes" in msg
    make_config(base + ["launcher.gpus=2"])
    msg = fails(make_config, base + ["launcher.gpus=2", "+stages.grpo.generation_batch_size=16"],
                r"generation_batch_size=16 is not divisible by per_device_train_batch_size 6 x 2 process\(es\) = 12")
