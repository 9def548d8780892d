"""`r1kit sft` end to end through the real CLI: the run directory contract and a reloadable model."""

import json

import pytest
import yaml

from tests.helpers import REPO, read_metrics, read_state, run_cli


def test_sft_tiny_writes_the_run_directory_and_a_reloadable_model(tmp_path):
    out = tmp_path / "run"
    run_cli("sft", "model=tiny", "data=addition", "datasets.train.generator.n=64", "stages.sft.max_steps=6",
            "stages.sft.per_device_train_batch_size=8", "stages.sft.logging_steps=2", "stages.sft.save_steps=3",
            f"output_dir={out}")
    config = yaml.safe_load((out / "config.yaml").read_text())
    assert config["stages"]["sft"]["max_steps"] == 6 and config["stages"]["sft"]["assistant_only_loss"] is True
    state = read_state(out)
    assert state["finished"] is True and state["stages"]["sft"]["status"] == "done"
    assert state["stages"]["sft"]["steps"] == 6
    metrics = read_metrics(out)
    logged = [m for m in metrics if "loss" in m]
    assert [m["step"] for m in logged] == [2, 4, 6] and all(m["stage"] == "sft" for m in logged)
    assert all(m["loss"] > 0 for m in logged)
    final = out / "stages" / "0-sft" / "final"
    assert (final / "model.safetensors").exists()
    assert sorted(p.name for p in (out / "stages" / "0-sft").iterdir() if p.name.startswith("checkpoint")) == [
        "checkpoint-3", "checkpoint-6"]
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(final)
    tok = AutoTokenizer.from_pretrained(final)
    text = "<|im_start|>user\n123+456<|im_end|>\n"
    assert tok.decode(tok(text).input_ids) == text
    assert model(**tok(text, return_tensors="pt")).logits.shape[-1] == model.config.vocab_size


def test_sft_from_a_chat_jsonl_file(tmp_path):
    data = tmp_path / "chats.jsonl"
    rows = [{"messages": [{"role": "user", "content": f"say {i}"}, {"role": "assistant", "content": f"{i}"}]}
            for i in range(16)]
    data.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "run"
    run_cli("sft", "model=tiny", "data=chat_jsonl", f"datasets.train.path={data}", "stages.sft.max_steps=2",
            "stages.sft.per_device_train_batch_size=4", f"output_dir={out}")
    assert read_state(out)["stages"]["sft"]["steps"] == 2


@pytest.mark.slow
def test_smollm2_gguf_sft_three_steps_saves_and_reloads(tmp_path):
    gguf = REPO / ".cache" / "smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not gguf.exists():
        pytest.fail(f"{gguf} is missing: run `make smollm2` (make test does it)")
    data = tmp_path / "chats.jsonl"
    rows = [{"messages": [{"role": "user", "content": f"What is {i} + {i}?"},
                          {"role": "assistant", "content": f"<think>{i} plus {i}</think><answer>{2 * i}</answer>"}]}
            for i in range(12)]
    data.write_text("\n".join(json.dumps(r) for r in rows))
    out = tmp_path / "run"
    run_cli("sft", "model=smollm2", "data=chat_jsonl", f"datasets.train.path={data}", "stages.sft.max_steps=3",
            "stages.sft.per_device_train_batch_size=2", "stages.sft.logging_steps=1", "stages.sft.max_length=256",
            f"output_dir={out}")
    metrics = [m for m in read_metrics(out) if "loss" in m]
    assert len(metrics) == 3 and all(m["loss"] == m["loss"] for m in metrics)  # logged and not NaN
    from transformers import AutoModelForCausalLM, AutoTokenizer

    final = out / "stages" / "0-sft" / "final"
    model = AutoModelForCausalLM.from_pretrained(final)
    tok = AutoTokenizer.from_pretrained(final)
    assert model.config.num_hidden_layers == 30 and sum(p.numel() for p in model.parameters()) > 100e6
    ids = tok.apply_chat_template([{"role": "user", "content": "Hi"}], add_generation_prompt=True,
                                  return_tensors="pt", return_dict=True)
    out_ids = model.generate(**ids, max_new_tokens=3, do_sample=False)
    assert out_ids.shape[1] == ids["input_ids"].shape[1] + 3 or tok.eos_token_id in out_ids[0].tolist()


@pytest.mark.parametrize("logger, pattern", [("tensorboard", "tensorboard/**/events.out.tfevents.*"),
                                             ("wandb", "wandb/offline-run-*/run-*.wandb")])
def test_loggers_write_their_files_offline(tmp_path, logger, pattern):
    out = tmp_path / "run"
    env = {"WANDB_API_KEY": "", "WANDB_MODE": "", "WANDB_DIR": ""}
    run_cli("sft", "model=tiny", "data=addition", "datasets.train.generator.n=32", "stages.sft.max_steps=2",
            "stages.sft.logging_steps=1", f"logger={logger}", f"output_dir={out}", env=env)
    assert list(out.glob(pattern)), sorted(str(p.relative_to(out)) for p in out.rglob("*"))[:50]


def test_output_dir_with_another_config_is_refused_and_a_finished_run_is_not_redone(tmp_path):
    out = tmp_path / "run"
    args = ["sft", "model=tiny", "data=addition", "datasets.train.generator.n=16", "stages.sft.max_steps=1",
            f"output_dir={out}"]
    run_cli(*args)
    again = run_cli(*args)
    assert "stage sft: done, skipped" in again.stdout
    other = run_cli(*args[:-2], "stages.sft.max_steps=2", f"output_dir={out}", check=False)
    assert other.returncode == 2 and "holds a run with a different config" in other.stderr
    assert "Traceback" not in other.stderr


def test_lora_from_the_base_model_trains_adapters_and_saves_a_merged_final(tmp_path):
    """model.lora reaches the trainer as peft_config; final/ is a plain model with the adapters merged in.

    (The same final weights, to the bit, as when r1kit wrapped the model with peft itself.)"""
    import torch
    from transformers import AutoModelForCausalLM

    from r1kit.models.tiny import build_tiny

    out = tmp_path / "run"
    run_cli("sft", "model=tiny", "data=addition", "datasets.train.generator.n=32", "stages.sft.max_steps=3",
            "stages.sft.learning_rate=0.05", "model.lora.enabled=true", "model.lora.r=4", f"output_dir={out}")
    final = out / "stages" / "0-sft" / "final"
    assert not (final / "adapter_config.json").exists()
    trained = AutoModelForCausalLM.from_pretrained(final)
    assert not any("lora" in name for name, _ in trained.named_parameters())
    base, _ = build_tiny(**{k: v for k, v in yaml.safe_load((out / "config.yaml").read_text())["model"]["build"].items()
                            if k != "name"})
    changed = [name for name, p in trained.state_dict().items() if not torch.equal(p, base.state_dict()[name])]
    assert any("proj" in name for name in changed)  # the adapted layers moved (merged in) ...
    assert not any("norm" in name for name in changed)  # ... and what LoRA does not adapt did not, unlike full tuning


def test_a_max_length_that_cuts_off_every_answer_is_named(tmp_path):
    """TRL drops a row left without assistant tokens; with none left its sampler would fail on an empty dataset."""
    proc = run_cli("sft", "model=tiny", "data=addition", "datasets.train.generator.n=16", "stages.sft.max_steps=2",
                   "stages.sft.max_length=8", f"output_dir={tmp_path / 'run'}", check=False, timeout=300)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "Traceback" not in text, text[-3000:]
    assert "keeps an assistant token within max_length=8: raise stages.sft.max_length" in text
