"""`r1kit eval`, evaluation during training and `r1kit report`, through the real CLI on tiny models.

One module-scoped run trains a tiny model on 1-digit addition (SFT then two GRPO steps,
held-out check every 50 steps) so that sampled answers are a mix of right and wrong.
"""

import itertools
import json
import textwrap

import pytest

from tests.helpers import read_metrics, read_state, run_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: evalrun
model:
  build: {hidden_size: 64, num_layers: 2, num_heads: 4, num_kv_heads: 2}
datasets:
  traces: {adapter: addition, generator: {name: addition, n: 4000, digits: 1, seed: 1, blind_spot_rate: 0.0,
                                          slip_rate: 0.0}}
  problems: {adapter: addition, generator: {name: addition, n: 64, digits: 1, seed: 2}}
  heldout: {adapter: addition, generator: {name: addition, n: 24, digits: 1, seed: 3}}
stages:
  sft: {kind: sft, data: traces, max_steps: 150, per_device_train_batch_size: 32, learning_rate: 3.0e-3,
        logging_steps: 10, max_length: 64, warmup_steps: 0.05, save_steps: 1000}
  rl:
    kind: grpo
    data: problems
    max_steps: 2
    per_device_train_batch_size: 8
    num_generations: 4
    max_completion_length: 24
    learning_rate: 1.0e-5
    logging_steps: 1
    rewards:
      - {name: think_format, weight: 0.5}
      - {name: exact_match, weight: 1.0}
eval: {data: heldout, limit: 24, max_new_tokens: 24, every_steps: 50}
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("evalrun")
    recipe = root / "evalrun.yaml"
    recipe.write_text(RECIPE)
    run_cli("train", f"recipe={recipe}", f"output_dir={root / 'run'}", cwd=root)
    return root / "run"


def brute_pass_at_k(correct, k):
    subsets = list(itertools.combinations(correct, k))
    return sum(any(s) for s in subsets) / len(subsets)


def test_training_logs_periodic_and_end_of_stage_evaluation(run_dir):
    records = read_metrics(run_dir)
    evals = [(r["stage"], r["step"]) for r in records if "eval/accuracy" in r]
    assert evals == [("sft", 50), ("sft", 100), ("sft", 150), ("rl", 2)]  # every 50 steps, then after each stage
    periodic = next(r for r in records if r["stage"] == "sft" and r["step"] == 50 and "eval/accuracy" in r)
    assert "loss" in periodic  # the check forces a log at its step, so it shares the record with the loss
    for r in records:
        if "eval/accuracy" in r:
            assert 0 <= r["eval/accuracy"] <= 1 and 0 <= r["eval/format_rate"] <= 1 and r["eval/mean_length"] > 0
    state = read_state(run_dir)
    assert state["stages"]["sft"]["eval"]["accuracy"] == next(
        r["eval/accuracy"] for r in records if r["stage"] == "sft" and r["step"] == 150 and "eval/accuracy" in r)
    assert (run_dir / "eval" / "sft-heldout.json").is_file() and (run_dir / "eval" / "rl-heldout.samples.jsonl").is_file()


def test_report_is_written_at_the_end_and_is_a_real_picture(run_dir):
    from PIL import Image, ImageStat

    png = run_dir / "report.png"
    assert png.is_file() and (run_dir / "report.md").is_file()
    with Image.open(png) as img:
        img.verify()
    with Image.open(png) as img:
        assert img.size[0] >= 800 and img.size[1] >= 600
        grey = img.convert("L")
        assert ImageStat.Stat(grey).stddev[0] > 10  # not a blank canvas
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
        assert len(colours) > 50  # curves, text and axes, not a few flat fills
    md = (run_dir / "report.md").read_text()
    assert "| sft | sft | base | traces | 150 |" in md and "| rl | grpo | stages/0-sft/final | problems | 2 |" in md
    assert "Finished: yes" in md and "report.png" in md
    proc = run_cli("report", str(run_dir))  # the command rewrites both
    assert "report.png" in proc.stdout


def test_eval_of_a_run_scores_each_stage_and_the_json_matches_the_samples(run_dir, tmp_path):
    proc = run_cli("eval", f"model={run_dir}", "n=4", "k=[1,2,4]", "temperature=0.7", f"output_dir={tmp_path}",
                   cwd=tmp_path)
    assert "sft" in proc.stdout and "rl" in proc.stdout and "pass@4" in proc.stdout
    for stage in ("sft", "rl"):
        result = json.loads((tmp_path / f"{stage}-heldout.json").read_text())
        samples = [json.loads(line) for line in (tmp_path / f"{stage}-heldout.samples.jsonl").read_text().splitlines()]
        fig = result["figures"]
        assert result["data"] == "heldout" and result["config"]["n"] == 4 and result["config"]["reward"]
        assert len(samples) == fig["completions"] == 24 * 4
        assert fig["accuracy"] == pytest.approx(sum(s["score"] for s in samples) / len(samples))
        assert fig["format_rate"] == pytest.approx(sum(s["format"] for s in samples) / len(samples))
        assert fig["mean_length"] == pytest.approx(sum(s["tokens"] for s in samples) / len(samples))
        assert fig["truncation_rate"] == pytest.approx(sum(s["truncated"] for s in samples) / len(samples))
        groups = {}
        for s in samples:
            groups.setdefault(s["prompt_index"], []).append(s["score"] == 1.0)
        for k in (1, 2, 4):
            expected = sum(brute_pass_at_k(g, k) for g in groups.values()) / len(groups)
            assert fig[f"pass@{k}"] == pytest.approx(expected)
        assert 0 < fig["pass@1"] < 1  # a mix of right and wrong samples, so the check above has teeth
        assert fig["reward"] == pytest.approx(
            sum(0.5 * s["rewards"]["think_format"] + s["rewards"]["exact_match"] for s in samples) / len(samples))


def test_eval_of_a_saved_model_folder_and_compare(run_dir, tmp_path):
    sft, rl = run_dir / "stages" / "0-sft" / "final", run_dir / "stages" / "1-rl" / "final"
    proc = run_cli("eval", f"model={sft}", "data=addition", "data.generator.n=10", "data.generator.digits=1",
                   "max_new_tokens=20", "name=mine", f"output_dir={tmp_path}", "--compare", str(rl), cwd=tmp_path)
    assert "final" in proc.stdout
    files = sorted(p.name for p in tmp_path.glob("*.json"))
    assert len(files) == 2 and all(f.startswith("mine-") for f in files)
    result = json.loads((tmp_path / files[0]).read_text())
    assert result["figures"]["prompts"] == 10 and result["figures"]["samples_per_prompt"] == 1
    assert "reward" not in result["figures"]  # no stack named, and a folder has no recipe to take one from


@pytest.mark.parametrize(("args", "message"), [
    (["model=runs/does/not/exist", "data=addition"], "no such file or directory"),
    (["model=./nowhere", "data=addition"], "no such file or directory"),
    (["model=tiny", "data=addition", "n=2", "k=4"], "k=4 with n=2"),
    (["model=tiny", "data=addition", "n=4", "temperature=0"], "temperature=0"),
    (["model=tiny", "data=addition", "reward=nope"], "unknown reward stack"),
    (["model=tiny"], "data=... is required"),
    (["model=tiny", "data=addition", "backend=tpu"], "backend='tpu'"),
    (["model=tiny", "data=addition", "nn=3"], "nn"),
])
def test_eval_errors_are_one_clear_line_with_exit_status_2(args, message, tmp_path):
    proc = run_cli("eval", *args, cwd=tmp_path, check=False)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_eval_refuses_an_adapter_that_does_not_match_the_dataset(tmp_path):
    data = tmp_path / "qa.jsonl"
    data.write_text(textwrap.dedent("""\
        {"prompt": "2+2", "completion": "4"}
        {"prompt": "3+3", "completion": "6"}
    """))
    proc = run_cli("eval", "model=tiny", "data=gsm8k", f"data.path={data}", cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert "math_qa" in proc.stderr and "question" in proc.stderr and "Traceback" not in proc.stderr
