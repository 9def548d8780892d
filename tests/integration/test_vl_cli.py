"""Vision-language runs through the real CLI on the tiny Qwen2-VL: multimodal SFT, then LMM-R1's two RL
stages on the same model (text-only GRPO, then visual GRPO), `r1kit eval` on the run, and the errors."""

import json

import pytest
from PIL import Image

from r1kit.models.load import load_model
from tests.helpers import read_metrics, read_state, run_cli

RECIPE = """
defaults:
  - model: tiny_vl
  - _self_
name: vlrun
model:
  build: {hidden_size: 32, vision_dim: 32, num_heads: 2, num_kv_heads: 1, vision_heads: 2}
datasets:
  scenes:
    adapter: grounding
    generator: {name: grounding, n: 64, image_size: 112, cell: 28, distractors: 0, background: gradient, seed: 1}
    options: {system_prompt: null, prompt_template: "Box of {query}?", trace: brief}
  sums: {adapter: addition, generator: {name: addition, n: 32, digits: 1, seed: 2}}
  heldout:
    adapter: grounding
    generator: {name: grounding, n: 6, image_size: 112, cell: 28, distractors: 0, background: gradient, seed: 3}
    options: {system_prompt: null, prompt_template: "Box of {query}?", trace: brief}
stages:
  sft: {kind: sft, data: scenes, max_steps: 6, per_device_train_batch_size: 8, learning_rate: 2.0e-3,
        logging_steps: 2, save_steps: 3}
  text_rl:
    kind: grpo
    data: sums
    max_steps: 2
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 12
    logging_steps: 1
    rewards: [{name: think_format, weight: 0.5}, {name: exact_match, weight: 1.0}]
  visual_rl:
    kind: grpo
    data: scenes
    max_steps: 2
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 16
    logging_steps: 1
    rewards: [{name: think_format, weight: 0.5}, {name: iou, weight: 1.0}]
eval: {data: heldout, limit: 6, max_new_tokens: 16}
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("vlrun")
    recipe = root / "vlrun.yaml"
    recipe.write_text(RECIPE)
    run_cli("train", f"recipe={recipe}", f"output_dir={root / 'run'}", cwd=root)
    return root / "run"


def test_every_stage_finishes_and_hands_a_vision_language_model_on(run_dir):
    state = read_state(run_dir)
    assert state["finished"] and list(state["stages"]) == ["sft", "text_rl", "visual_rl"]
    assert [s["steps"] for s in state["stages"].values()] == [6, 2, 2]
    from omegaconf import OmegaConf

    from r1kit.models.config import ModelSchema

    for name, record in state["stages"].items():
        final = run_dir / record["final"]
        assert (final / "processor_config.json").is_file(), name
        model, processor = load_model(OmegaConf.structured(ModelSchema), path_override=str(final))
        assert type(model).__name__ == "Qwen2VLForConditionalGeneration" and hasattr(processor, "image_processor")
    # the SFT stage checkpointed mid-way with the processor, so a resume reloads the same thing
    assert (run_dir / "stages" / "0-sft" / "checkpoint-3" / "processor_config.json").is_file()


def test_text_and_visual_rewards_were_logged_by_their_stages(run_dir):
    metrics = read_metrics(run_dir)
    sft = [m for m in metrics if m["stage"] == "sft" and "loss" in m]
    text_rl = [m for m in metrics if m["stage"] == "text_rl" and "loss" in m]
    visual_rl = [m for m in metrics if m["stage"] == "visual_rl" and "loss" in m]
    assert len(sft) == 3 and sft[-1]["loss"] < sft[0]["loss"]  # the multimodal SFT loss goes down
    assert len(text_rl) == 2 and all("rewards/exact_match/mean" in m for m in text_rl)
    assert len(visual_rl) == 2 and all(0.0 <= m["rewards/iou/mean"] <= 1.0 for m in visual_rl)


def test_held_out_check_scores_boxes_after_each_stage(run_dir):
    for stage in ("sft", "text_rl", "visual_rl"):
        result = json.loads((run_dir / "eval" / f"{stage}-heldout.json").read_text())
        assert result["figures"]["prompts"] == 6
        samples = [json.loads(line) for line in
                   (run_dir / "eval" / f"{stage}-heldout.samples.jsonl").read_text().splitlines()]
        assert len(samples) == 6 and all(len(s["answer"]) == 4 for s in samples)
        assert all(s["score"] is not None and 0.0 <= s["score"] <= 1.0 for s in samples)
        assert result["figures"]["accuracy"] == pytest.approx(sum(s["score"] for s in samples) / 6)


def test_r1kit_eval_scores_each_stage_of_the_run_with_its_images(run_dir, tmp_path):
    proc = run_cli("eval", f"model={run_dir}", "data=heldout", "reward=grounding", "n=2", "temperature=1.0",
                   "k=[1,2]", "max_new_tokens=16", f"output_dir={tmp_path}", "name=vl")
    assert "visual_rl" in proc.stdout
    results = {p.name: json.loads(p.read_text()) for p in tmp_path.glob("vl-*.json")}
    assert {"vl-sft.json", "vl-text_rl.json", "vl-visual_rl.json"} <= set(results)
    for result in results.values():
        figures = result["figures"]
        assert figures["completions"] == 12 and "rewards/iou" in figures and "pass@2" in figures


def test_images_with_a_text_only_model_fail_before_training(tmp_path):
    recipe = tmp_path / "bad.yaml"
    recipe.write_text(RECIPE.replace("model: tiny_vl", "model: tiny").replace(
        "  build: {hidden_size: 32, vision_dim: 32, num_heads: 2, num_kv_heads: 1, vision_heads: 2}\n",
        "  build: {hidden_size: 32}\n"))
    proc = run_cli("train", f"recipe={recipe}", f"output_dir={tmp_path / 'run'}", cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert "has images but the model is text-only" in proc.stderr and "Traceback" not in proc.stderr


def test_a_corrupt_image_is_reported_at_load_time_with_its_file_and_row(tmp_path):
    good, bad = tmp_path / "good.png", tmp_path / "bad.png"
    Image.new("RGB", (56, 56), "white").save(good)
    bad.write_bytes(good.read_bytes()[:40])  # a truncated PNG
    rows = [{"image": "good.png", "query": "the square", "bbox": [0, 0, 28, 28]},
            {"image": "bad.png", "query": "the square", "bbox": [0, 0, 28, 28]}]
    (tmp_path / "boxes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    recipe = tmp_path / "r.yaml"
    recipe.write_text(RECIPE.replace(
        "generator: {name: grounding, n: 64, image_size: 112, cell: 28, distractors: 0, background: gradient, seed: 1}",
        f"path: {tmp_path / 'boxes.jsonl'}"))
    proc = run_cli("train", f"recipe={recipe}", f"output_dir={tmp_path / 'run'}", cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "bad.png" in proc.stderr and "row 1" in proc.stderr
    assert not (tmp_path / "run" / "stages").exists()  # nothing trained


def test_the_same_recipe_runs_under_zero3_on_two_processes(tmp_path):
    """A VLM through the launcher: 2 CPU processes, ZeRO-3; each stage's final/ is one whole vision-language model."""
    recipe = tmp_path / "vlrun.yaml"
    recipe.write_text(RECIPE.replace("max_steps: 6, per_device_train_batch_size: 8",
                                     "max_steps: 4, per_device_train_batch_size: 4")
                      .replace("per_device_train_batch_size: 8\n    num_generations: 4",
                               "per_device_train_batch_size: 4\n    num_generations: 4"))
    run_cli("train", f"recipe={recipe}", "launcher=zero3", "launcher.gpus=2", "launcher.use_cpu=true",
            "launcher.main_port=0", f"output_dir={tmp_path / 'run'}", cwd=tmp_path)
    state = read_state(tmp_path / "run")
    assert state["finished"] and [s["steps"] for s in state["stages"].values()] == [4, 2, 2]
    from omegaconf import OmegaConf

    from r1kit.models.config import ModelSchema

    final = tmp_path / "run" / state["stages"]["visual_rl"]["final"]
    model, _ = load_model(OmegaConf.structured(ModelSchema), path_override=str(final))
    built, _ = load_model(OmegaConf.merge(OmegaConf.structured(ModelSchema), {
        "build": {"name": "tiny_vl", "hidden_size": 32, "vision_dim": 32, "num_heads": 2, "num_kv_heads": 1,
                  "vision_heads": 2}}))
    assert model.state_dict().keys() == built.state_dict().keys()  # gathered whole, not ZeRO-3 shards
    assert all(v.numel() == built.state_dict()[k].numel() for k, v in model.state_dict().items())
    assert (tmp_path / "run" / "eval" / "visual_rl-heldout.json").is_file()
