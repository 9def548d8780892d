"""Checks that the log-probs a VL GRPO step trains on are the sampling policy's, with each row's own images.

Run as a script (`python -m tests.integration.vl_logprob_probe OUT [--variant V]`, also under `accelerate
launch` for the ZeRO launchers), it trains r1kit's GRPO trainer (TRL's GRPOTrainer with r1kit's hooks) for
one optimizer step on the tiny Qwen2-VL and writes OUT/rank<r>.json with what each check measured:

- `loss_vs_alone`: per completion, the largest |log-prob in the loss - log-prob of the same completion scored
  alone from the untrained weights with the row's own images and no padding| (the policy that sampled it:
  nothing has been updated yet). Misaligned or dropped images, a padding or position error, a wrong
  temperature: any of these moves it far above float noise.
- `loss_vs_old` / `loss_vs_ref`: the same against the old-policy log-probs TRL keeps for the importance
  ratio (ratio 1 before any update) and the KL reference model's.
- `swapped` / `blanked`: how far the log-probs of the same completions move when each row gets another
  row's images, or its images blanked: the images really enter the scores the checks compare.
- `placeholders_in_loss`: completion positions in the loss that hold an image or video placeholder token;
  `padding_in_loss`: rows whose loss mask is not exactly the completion up to its end-of-turn token (or the
  length limit), i.e. padding scored or sampled tokens left out.

The batch is built to be awkward: groups of G=4, gradient accumulation 2 over 4 micro-batches per
generation (so TRL computes old log-probs), images of three sizes, a row with two images and a row with
none, all mixed in the same micro-batches. `--variant` breaks the loss forward on purpose (the tests show
the checks catch it): `drop_pixels` scores the loss without images, `shift_images` hands each row's image
features to its neighbour, `reference_without_images` scores the KL reference without them.
"""

import argparse
import copy
import json
import os
from pathlib import Path

import torch
from PIL import Image, ImageDraw

TEMPERATURE = 0.9
VARIANTS = ("drop_pixels", "shift_images", "reference_without_images")
SIZES = [(112, 112), (84, 112), (56, 56), (112, 56)]


def picture(i: int, size: tuple[int, int]) -> Image.Image:
    """A different picture per index: a coloured square on a plain background, placed by i."""
    image = Image.new("RGB", size, ((37 * i) % 256, (91 * i) % 256, (53 * i + 80) % 256))
    x, y = (i * 17) % max(1, size[0] - 28), (i * 29) % max(1, size[1] - 28)
    ImageDraw.Draw(image).rectangle([x, y, x + 27, y + 27], fill=((200 + 11 * i) % 256, 40, (150 * i) % 256))
    return image


def rows(n: int = 16) -> list[dict]:
    """n rows with a unique question each: one image of varying size, two images (every 4th row from row 1), or
    none (every 4th row from row 2, every 8th from row 3), so every micro-batch of the first step likely mixes all three."""
    out = []
    for i in range(n):
        images = [picture(i, SIZES[(i // 4) % len(SIZES)])]
        if i % 4 == 1:
            images.append(picture(100 + i, SIZES[(i // 4 + 1) % len(SIZES)]))
        if i % 4 == 2 or i % 8 == 3:
            images = []
        out.append({"prompt": [{"role": "user", "content": f"row {i:02d}: what is here?"}], "images": images})
    return out


def dataset(examples: list[dict]):
    import datasets

    from r1kit.data.images import storable
    from r1kit.data.load import as_image_column

    stored = [{**row, "images": [storable(image) for image in row["images"]]} for row in examples]
    return as_image_column(datasets.Dataset.from_list(stored))


def random_reward(completions, **kwargs):
    return [float(len(str(c)) % 3) for c in completions]


def break_loss_forward(trainer, variant: str):
    """Wrap the loss's log-prob forward to reproduce a known VLM RL bug."""
    inner = trainer._get_per_token_logps_and_entropies

    def broken(model, input_ids, attention_mask, logits_to_keep, **kwargs):
        if torch.is_grad_enabled():  # only the loss forward; generation-time scores stay right
            if variant == "drop_pixels":
                kwargs.pop("pixel_values", None)
            elif variant == "shift_images":  # the image features land one image further along the batch
                first_image_patches = int(kwargs["image_grid_thw"][0].prod())
                kwargs["pixel_values"] = kwargs["pixel_values"].roll(first_image_patches, dims=0)
        elif variant == "reference_without_images" and model is trainer.ref_model:
            kwargs.pop("pixel_values", None)
        return inner(model, input_ids, attention_mask, logits_to_keep, **kwargs)

    trainer._get_per_token_logps_and_entropies = broken


def count_idle_vision() -> list[int]:
    """Count the text-only chunks for which r1kit ran the vision tower idle (ZeRO-3 only)."""
    from r1kit.stages import vision_batches

    runs, inner = [0], vision_batches.idle_vision

    def counted(*args, **kwargs):
        runs[0] += 1
        return inner(*args, **kwargs)

    vision_batches.idle_vision = counted
    return runs


def alone_logps(model, processor, prompt, images, completion: list[int]) -> torch.Tensor:
    """Log-probs of `completion` after the row's prompt and images, one row, no padding."""
    from trl.data_utils import prepare_multimodal_messages

    messages = prepare_multimodal_messages(prompt, images=images or None) if images else prompt
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    inputs = processor(text=[text], images=images or None, return_tensors="pt")
    ids = torch.cat([inputs["input_ids"], torch.tensor([completion])], dim=1)
    extra = {k: v for k, v in inputs.items() if k not in ("input_ids", "attention_mask")}
    for key in ("mm_token_type_ids", "token_type_ids"):  # per-token fields cover the completion too (as text)
        if key in extra:
            extra[key] = torch.cat([extra[key], extra[key].new_zeros((1, len(completion)))], dim=1)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=torch.ones_like(ids), **extra).logits
    logits = logits[0, -len(completion) - 1:-1].float() / TEMPERATURE
    return torch.log_softmax(logits, dim=-1).gather(1, torch.tensor(completion)[:, None])[:, 0]


def main(out: Path, variant: str | None):
    from trl import GRPOConfig

    from r1kit.models.tiny_vl import build_tiny_vl
    from r1kit.run import ranks
    from r1kit.stages.grpo import trainer_class

    ranks.init()  # as `r1kit train` does: under a launcher, join the process group before any model loads
    rank = int(os.environ.get("RANK", "0"))
    out.mkdir(parents=True, exist_ok=True)
    model, processor = build_tiny_vl(hidden_size=32, vision_dim=32, num_heads=2, num_kv_heads=1, vision_heads=2,
                                     seed=0)
    reference = copy.deepcopy(model).eval()  # the untrained weights, outside DeepSpeed (ZeRO-3 shards `model`)
    start = out / "start"
    if rank == 0:
        model.save_pretrained(start)
    if torch.distributed.is_initialized():
        torch.distributed.barrier()  # the other rank loads the reference from `start`
    model.config._name_or_path = str(start)  # TRL loads the KL reference model from here
    examples = rows()
    world = int(os.environ.get("WORLD_SIZE", "1"))
    args = GRPOConfig(output_dir=str(out / "trainer"), max_steps=1, per_device_train_batch_size=16 // world,
                      gradient_accumulation_steps=2, steps_per_generation=4, num_generations=4,
                      max_completion_length=10, temperature=TEMPERATURE, beta=0.1, learning_rate=1e-3,
                      report_to=[], logging_steps=1, save_strategy="no", seed=0, use_cpu=True,
                      bf16=False, dataloader_num_workers=0)
    trainer = trainer_class()(model=model, reward_funcs=[random_reward], args=args, train_dataset=dataset(examples),
                               processing_class=processor)
    if variant:
        break_loss_forward(trainer, variant)
    seen = []
    inner_loss = trainer._compute_loss
    inner_logps = trainer._get_per_token_logps_and_entropies
    last = {}

    def logps_spy(*a, **kw):
        result = inner_logps(*a, **kw)
        if torch.is_grad_enabled():
            last["logps"] = result[0].detach().clone()
        return result

    def loss_spy(model_, inputs):
        loss = inner_loss(model_, inputs)
        seen.append({"inputs": {k: (v.detach().clone() if torch.is_tensor(v) else v) for k, v in inputs.items()},
                     "logps": last["logps"]})
        return loss

    trainer._get_per_token_logps_and_entropies = logps_spy
    idle_runs = count_idle_vision()
    trainer._compute_loss = loss_spy
    trainer.train()

    tokenizer = processor.tokenizer
    placeholders = {tokenizer.convert_tokens_to_ids(t) for t in ("<|image_pad|>", "<|video_pad|>")}
    report = {"variant": variant, "world": world, "micro_batches": len(seen), "completions": 0,
              "loss_vs_alone": 0.0, "loss_vs_old": 0.0, "loss_vs_ref": 0.0, "swapped": [], "blanked": [],
              "placeholders_in_loss": 0, "padding_in_loss": 0, "image_counts": [], "image_sizes": set()}
    for batch in seen:
        inputs, logps = batch["inputs"], batch["logps"]
        mask = inputs["completion_mask"].bool()
        for key, name in (("old_per_token_logps", "loss_vs_old"), ("ref_per_token_logps", "loss_vs_ref")):
            if inputs.get(key) is None:
                raise AssertionError(f"TRL kept no {key}: the probe's batch arithmetic no longer makes it")
            report[name] = max(report[name], float((logps - inputs[key]).abs()[mask].max()))
        prompts = tokenizer.batch_decode(inputs["prompt_ids"], skip_special_tokens=True)
        for b, prompt_text in enumerate(prompts):
            index = int(prompt_text.split("row ", 1)[1][:2])
            example = examples[index]
            completion = inputs["completion_ids"][b][mask[b]].tolist()
            report["completions"] += 1
            report["image_counts"].append(len(example["images"]))
            report["image_sizes"].update(tuple(im.size) for im in example["images"])
            bad = sum(t in placeholders for t in completion)
            report["placeholders_in_loss"] += bad
            ids = inputs["completion_ids"][b].tolist()
            end = ids.index(tokenizer.eos_token_id) + 1 if tokenizer.eos_token_id in ids else len(ids)
            report["padding_in_loss"] += mask[b].tolist() != [True] * end + [False] * (len(ids) - end)
            if not completion or bad:
                continue
            alone = alone_logps(reference, processor, example["prompt"], example["images"], completion)
            report["loss_vs_alone"] = max(report["loss_vs_alone"], float((logps[b][mask[b]] - alone).abs().max()))
            if example["images"]:
                other = examples[(index + 4) % len(examples)]["images"]  # same number of images, other pictures
                swapped = alone_logps(reference, processor, example["prompt"], other, completion)
                blank = [Image.new("RGB", im.size, "black") for im in example["images"]]
                blanked = alone_logps(reference, processor, example["prompt"], blank, completion)
                report["swapped"].append(float((swapped - alone).abs().max()))
                report["blanked"].append(float((blanked - alone).abs().max()))
    report["image_sizes"] = sorted(report["image_sizes"])
    report["idle_vision_runs"] = idle_runs[0]
    (out / f"rank{rank}.json").write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k not in ("swapped", "blanked", "image_counts")}))


def sft(out: Path):
    """Four SFT steps of one row per process on the same rows: a rank's batch is sometimes text only. Writes
    each rank's losses and how often the vision tower ran idle; under ZeRO-3 the run hangs without it."""
    from trl import SFTConfig

    from r1kit.models.tiny_vl import build_tiny_vl
    from r1kit.run import ranks
    from r1kit.stages.sft import trainer_class

    ranks.init()
    rank = int(os.environ.get("RANK", "0"))
    out.mkdir(parents=True, exist_ok=True)
    model, processor = build_tiny_vl(hidden_size=32, vision_dim=32, num_heads=2, num_kv_heads=1, vision_heads=2,
                                     seed=0)
    examples = rows(8)
    for i, row in enumerate(examples):
        row["messages"] = row.pop("prompt") + [{"role": "assistant", "content": f"<answer>{i}</answer>"}]
    args = SFTConfig(output_dir=str(out / "trainer"), max_steps=4, per_device_train_batch_size=1, report_to=[],
                     use_cpu=True, assistant_only_loss=True, save_strategy="no", logging_steps=1, seed=0)
    trainer = trainer_class()(model=model, args=args, train_dataset=dataset(examples), processing_class=processor)
    idle_runs = count_idle_vision()
    trainer.train()
    losses = [log["loss"] for log in trainer.state.log_history if "loss" in log]
    report = {"world": int(os.environ.get("WORLD_SIZE", "1")), "losses": losses, "idle_vision_runs": idle_runs[0]}
    (out / f"rank{rank}.json").write_text(json.dumps(report))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--variant", choices=VARIANTS)
    parser.add_argument("--sft", action="store_true", help="the SFT check instead of GRPO's")
    cli = parser.parse_args()
    sft(cli.out) if cli.sft else main(cli.out, cli.variant)
