"""Vision-language training scores what the policy saw: the checks of tests/integration/vl_logprob_probe.py
on GRPO (one process, and two CPU processes under ZeRO-2 and ZeRO-3), their power against deliberately
broken loss forwards, and the same questions for SFT.

Why the tolerances: before any update the loss's log-probs and a one-row forward of the same weights
differ only by float summation order (measured: at most 1e-6), while a completion's log-probs move by
0.02-0.15 when its images are swapped for another row's or blanked, and by 0.15-0.23 under the broken
variants. TOL sits two orders above the noise and two below the smallest real effect.
"""

import json
import os
import subprocess
import sys

import pytest
import torch

from tests.helpers import REPO
from tests.integration.vl_logprob_probe import dataset, rows

TOL = 1e-4
SIGNAL = 1e-2  # the smallest change in a completion's log-probs that images must make


def probe(out, *extra, launcher=None, make_config=None) -> list[dict]:
    """Run the probe (under `accelerate launch` with r1kit's own launch files when `launcher` is given)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "DS_ACCELERATOR": "cpu", "CUDA_VISIBLE_DEVICES": ""}
    command = [sys.executable, "-m", "tests.integration.vl_logprob_probe", str(out), *extra]
    if launcher is not None:
        from r1kit.launch import configs

        cfg = make_config([f"launcher={launcher}", "launcher.gpus=2", "launcher.use_cpu=true",
                           "launcher.main_port=29531"])["launcher"]
        files = configs.render(cfg, out / "launch")
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        command = [sys.executable, "-m", "accelerate.commands.launch", "--config_file",
                   str(out / "launch" / configs.ACCELERATE_FILE), *command[1:]]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [json.loads(path.read_text()) for path in sorted(out.glob("rank*.json"))]


def assert_scores_match_the_policy(report: dict):
    assert report["micro_batches"] == 2 and report["completions"] == 32 // report["world"]
    assert {0, 1, 2} <= set(report["image_counts"]), "the checked step must mix rows with 0, 1 and 2 images"
    assert len(report["image_sizes"]) >= 3
    assert report["placeholders_in_loss"] == 0, "an image placeholder token carries loss"
    assert report["padding_in_loss"] == 0, "the loss mask is not the completion up to its end"
    assert report["loss_vs_alone"] < TOL, "the loss scores completions unlike the policy that sampled them"
    assert report["loss_vs_old"] < TOL, "importance ratio is not 1 before any update"
    assert report["loss_vs_ref"] < TOL, "the KL reference scores completions without the same images"
    assert min(report["swapped"]) > SIGNAL and min(report["blanked"]) > SIGNAL, \
        "some completion's log-probs do not depend on its images: the checks above would not see a lost image"


def test_grpo_scores_each_completion_with_its_own_images(tmp_path):
    [report] = probe(tmp_path)
    assert_scores_match_the_policy(report)


@pytest.mark.parametrize("variant, caught_by", [
    ("drop_pixels", {"loss_vs_alone", "loss_vs_old", "loss_vs_ref"}),
    ("shift_images", {"loss_vs_alone", "loss_vs_old", "loss_vs_ref"}),
    ("reference_without_images", {"loss_vs_ref"}),
])
def test_the_checks_catch_a_broken_loss_forward(tmp_path, variant, caught_by):
    [report] = probe(tmp_path, "--variant", variant)
    failing = {name for name in ("loss_vs_alone", "loss_vs_old", "loss_vs_ref") if report[name] > 100 * TOL}
    assert failing == caught_by


@pytest.mark.parametrize("launcher", ["zero2", "zero3"])
def test_grpo_scores_match_the_policy_on_two_processes(tmp_path, make_config, launcher):
    reports = probe(tmp_path, launcher=launcher, make_config=make_config)
    assert [r["world"] for r in reports] == [2, 2]
    for report in reports:
        assert_scores_match_the_policy(report)
    if launcher == "zero3":  # a rank scored a chunk of text rows while the other encoded images (it hangs without
        assert sum(r["idle_vision_runs"] for r in reports) > 0  # r1kit's idle vision pass; see vision_batches.py)


@pytest.fixture(scope="module")
def sft_batch():
    """r1kit's SFT trainer on the probe's rows (0, 1 or 2 images of several sizes), and one collated batch."""
    from trl import SFTConfig

    from r1kit.models.tiny_vl import build_tiny_vl
    from r1kit.stages.sft import trainer_class

    model, processor = build_tiny_vl(hidden_size=32, vision_dim=32, num_heads=2, num_kv_heads=1, vision_heads=2,
                                     seed=0)
    examples = rows(8)
    for i, row in enumerate(examples):
        row["messages"] = row.pop("prompt") + [{"role": "assistant", "content": f"<answer>{i}</answer>"}]
    args = SFTConfig(output_dir="unused", max_steps=1, per_device_train_batch_size=8, report_to=[], use_cpu=True,
                     assistant_only_loss=True, save_strategy="no")
    trainer = trainer_class()(model=model, args=args, train_dataset=dataset(examples), processing_class=processor)
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(len(examples))])
    return trainer, processor, examples, batch


def test_sft_trains_on_the_answer_tokens_only(sft_batch):
    _, processor, _, batch = sft_batch
    tokenizer = processor.tokenizer
    image_pad = tokenizer.convert_tokens_to_ids("<|image_pad|>")
    assert min(int((ids == image_pad).sum()) for ids in batch["input_ids"]) == 0  # a row without images
    for i, (ids, labels) in enumerate(zip(batch["input_ids"], batch["labels"], strict=True)):
        assert tokenizer.decode(ids[labels != -100]) == f"<answer>{i}</answer><|im_end|>"
        assert not ((ids == image_pad) & (labels != -100)).any()


def test_sft_loss_is_each_rows_own_images_loss(sft_batch):
    """The batch loss is the token-weighted mean of each row's loss computed alone with its images; other
    images change it."""
    trainer, processor, examples, batch = sft_batch
    model = trainer.model.eval()
    with torch.no_grad():
        batch_loss = float(model(**batch).loss)

    def row_loss(i, images):
        messages = examples[i]["messages"]
        from trl.data_utils import prepare_multimodal_messages

        chat = prepare_multimodal_messages(messages, images=images) if images else messages
        text = processor.apply_chat_template(chat, tokenize=False)
        inputs = processor(text=[text], images=images or None, return_tensors="pt")
        answer = processor.tokenizer(f"<answer>{i}</answer><|im_end|>", add_special_tokens=False)["input_ids"]
        ids = inputs["input_ids"][0].tolist()
        start = max(k for k in range(len(ids) - len(answer) + 1) if ids[k:k + len(answer)] == answer)
        labels = torch.full_like(inputs["input_ids"], -100)
        labels[0, start:start + len(answer)] = inputs["input_ids"][0, start:start + len(answer)]
        with torch.no_grad():
            return float(model(**inputs, labels=labels).loss) * len(answer), len(answer)

    alone = [row_loss(i, row["images"]) for i, row in enumerate(examples)]
    assert abs(batch_loss - sum(s for s, _ in alone) / sum(n for _, n in alone)) < TOL
    for i, row in enumerate(examples):
        if row["images"]:
            other = examples[(i + 4) % len(examples)]["images"]
            assert abs(row_loss(i, other)[0] - alone[i][0]) > SIGNAL


def test_sft_on_rows_with_and_without_images_runs_under_zero3(tmp_path, make_config):
    """One row per process per step: some steps a rank has a text row while the other has images. Without
    r1kit's idle vision pass the ranks' ZeRO-3 weight gathers stop matching and gloo aborts the run."""
    reports = probe(tmp_path, "--sft", launcher="zero3", make_config=make_config)
    assert [len(r["losses"]) for r in reports] == [4, 4]
    assert sum(r["idle_vision_runs"] for r in reports) > 0
