"""The accelerate YAML and DeepSpeed JSON of a launch, in their tools' own formats.

Every "auto" of the DeepSpeed JSON must be one that transformers fills from a stage's
TrainingArguments and model, and the filled ZeRO section must parse as DeepSpeed's own
config: checked here for the variants the 2-process runs do not exercise (offloading,
ZeRO-1, multi-node).
"""

import json

import pytest
import yaml

from r1kit.launch import configs


def _launcher(make_config, *overrides) -> dict:
    return make_config(["launcher.use_cpu=true", *overrides])["launcher"]


def _filled(config: dict, tmp_path) -> dict:
    """The DeepSpeed config as transformers hands it to DeepSpeed for an SFT stage on a tiny model."""
    from transformers.integrations.deepspeed import HfTrainerDeepSpeedConfig
    from trl import SFTConfig

    from r1kit.models.tiny import build_tiny

    args = SFTConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, per_device_train_batch_size=4,
                     gradient_accumulation_steps=2, learning_rate=3e-4, activation_checkpointing=False, report_to=[])
    hf = HfTrainerDeepSpeedConfig(json.loads(json.dumps(config)))
    hf.trainer_config_process(args)
    hf.trainer_config_finalize(args, build_tiny()[0], num_training_steps=10)
    return hf.config


@pytest.mark.parametrize("overrides", [
    ["launcher=zero2"], ["launcher=zero3"], ["launcher=zero2", "launcher.zero_stage=1"],
    ["launcher=zero2", "launcher.offload_optimizer=true"],
    ["launcher=zero3", "launcher.offload_optimizer=true", "launcher.offload_params=true"],
])
def test_every_auto_is_filled_by_transformers_and_deepspeed_accepts_the_result(make_config, tmp_path, overrides):
    from deepspeed.runtime.zero.config import DeepSpeedZeroConfig

    launcher = _launcher(make_config, *overrides)
    filled = _filled(configs.deepspeed_config(launcher), tmp_path)
    assert "auto" not in json.dumps(filled)
    assert filled["train_batch_size"] == 8 and filled["gradient_accumulation_steps"] == 2  # x 1 process
    zero = DeepSpeedZeroConfig(**filled["zero_optimization"])
    assert int(zero.stage) == launcher["zero_stage"]
    if launcher["offload_optimizer"]:  # DeepSpeed's CPU Adam does the offloaded step; transformers gives it lr...
        assert zero.offload_optimizer.device == "cpu" and filled["optimizer"]["params"]["lr"] == 3e-4
    else:  # ...else transformers' own AdamW runs, as in a 1-process run
        assert "optimizer" not in filled
    if launcher["zero_stage"] == 3:
        assert zero.gather_16bit_weights_on_model_save  # final/ is consolidated on save


def test_single_node_accelerate_config_points_at_the_deepspeed_json(make_config, tmp_path):
    launcher = _launcher(make_config, "launcher=zero3", "launcher.gpus=2")
    files = configs.render(launcher, tmp_path / "launch")
    acc = yaml.safe_load(files[tmp_path / "launch" / "accelerate.yaml"])
    assert acc["distributed_type"] == "DEEPSPEED" and acc["num_processes"] == 2 and acc["num_machines"] == 1
    assert acc["deepspeed_config"] == {"deepspeed_config_file": str(tmp_path / "launch" / "deepspeed.json"),
                                       "zero3_init_flag": True}
    assert "use_cpu" not in acc  # accelerate's use_cpu would switch DeepSpeed off; the CPU mode is DS_ACCELERATOR
    assert json.loads(files[tmp_path / "launch" / "deepspeed.json"])["zero_optimization"]["stage"] == 3


def test_multi_node_forms(make_config, tmp_path):
    launcher = make_config(["launcher=zero2", "launcher.nodes=4", "launcher.main_address=10.0.0.1",
                            "launcher.main_port=6000", f"output_dir={tmp_path}"])["launcher"]
    acc = configs.accelerate_config(launcher, tmp_path / "ds.json")
    assert (acc["num_machines"], acc["num_processes"], acc["main_process_ip"], acc["main_process_port"]) == \
        (4, 32, "10.0.0.1", 6000)
    assert acc["deepspeed_config"]["deepspeed_multinode_launcher"] == "standard" and acc["machine_rank"] == 0

    hosts = tmp_path / "hostfile"
    hosts.write_text("gpu-01 slots=8\ngpu-02 slots=8\n")
    launcher = make_config(["launcher=zero2", f"launcher.hostfile={hosts}", "launcher.nodes=2"])["launcher"]
    acc = configs.accelerate_config(launcher, tmp_path / "ds.json")
    assert acc["deepspeed_config"]["deepspeed_multinode_launcher"] == "pdsh"
    assert acc["deepspeed_config"]["deepspeed_hostfile"] == str(hosts)
    assert (acc["num_processes"], acc["main_process_ip"]) == (16, "gpu-01")  # the first host leads
