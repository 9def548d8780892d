"""The same recipe through the launcher: 2 CPU processes under DeepSpeed ZeRO-2 and ZeRO-3 (gloo), against 1 process.

One recipe (an SFT stage, a DPO stage, then a GRPO stage, on a saved tiny model) runs three ways,
each run reused by several tests:
- `local`: one process, per-device batch 8: the reference;
- `zero2`: `launcher=zero2`, 2 processes of batch 4: the same global batch; rank 0 is killed while DeepSpeed
  writes the SFT checkpoint at step 6 (tests.faults), and the rerun resumes from step 3: the per-step comparison
  below is then also a resume-equality check under ZeRO-2;
- `zero3`: `launcher=zero3`, 2 processes of batch 4; one rank is killed (SIGKILL) once the
  GRPO stage has a checkpoint, and rerunning the same command finishes the run.

Why the SFT loss must match to LOSS_RTOL: both runs start from the same saved weights
and see the same rows in the same order (the seeded sampler's permutation; rank r takes
the r-th half of each global batch), and transformers normalises the loss by the tokens
of the whole global batch, so per step the 2-process loss is the 1-process loss computed
with another float32 summation order (halves all-reduced instead of one sum), differing
by a few ulp (~1e-7 relative). Adam then amplifies such differences only in coordinates
whose gradient is near zero, and gradient clipping (max_grad_norm 1) couples coordinates:
measured, the losses of all 6 steps agree to 1e-7 relative (worst 9.5e-8, ZeRO-2 and
ZeRO-3 alike), the final weights to 7e-6 absolute. The tolerances, 1e-5 relative on the
loss and 1e-4 absolute on the weights, sit one to two orders of magnitude above that noise
and two below what a real fault moves: the loss of step 1 over only the first 4 of the 8
rows is 5.6211 against 5.6276 over all 8 (1.1e-3 relative), and a lost update would
leave step 2 at step 1's loss, 3.4% above the reference.

GRPO losses are not compared: completions are sampled, and TRL seeds each rank's sampler
differently (a rank must not draw the same completions as its neighbour), so the two
runs score different completions. What must match is the rows each step trains on; a
reward that ignores the completion (tests.launch.probes.prompt_probe, weight 0) logs the
mean answer of each step's prompts, which must be identical.
"""

import itertools
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.faults import fault_env, fired
from tests.helpers import REPO, read_metrics, read_state, run_cli, start_cli

LOSS_RTOL = 1e-5
WEIGHT_ATOL = 1e-4

RECIPE = """
name: launch_check
seed: 0
model: {{path: {model}}}
datasets:
  traces: {{adapter: addition, generator: {{name: addition, n: 256, seed: 1}}}}
  problems: {{adapter: addition, generator: {{name: addition, n: 256, seed: 2}}}}
  pairs: {{adapter: preference_pairs, generator: {{name: preference, n: 64, seed: 4}}}}
  heldout: {{adapter: addition, generator: {{name: addition, n: 16, seed: 3}}}}
stages:
  sft:
    kind: sft
    data: traces
    max_steps: 6
    per_device_train_batch_size: {batch}
    learning_rate: 1.0e-3
    warmup_steps: 0
    logging_steps: 1
    save_steps: 3
  dpo:
    kind: dpo
    data: pairs
    max_steps: 2
    per_device_train_batch_size: {batch}
    learning_rate: 1.0e-4
    warmup_steps: 0
    logging_steps: 1
    save_steps: 2
    max_length: 64
  grpo:
    kind: grpo
    data: problems
    max_steps: 4
    per_device_train_batch_size: {batch}
    num_generations: 4
    max_completion_length: 16
    temperature: 0.7
    learning_rate: 1.0e-4
    logging_steps: 1
    save_steps: 2
    rewards:
      - {{name: think_format, weight: 0.5}}
      - {{name: exact_match}}
      - {{_target_: tests.launch.probes.digit_share}}
      - {{_target_: tests.launch.probes.prompt_probe, weight: 0.0}}
  sample:                # greedy, so that 1 process and 2 (each its share of the prompts) must write the same rows
                         # (in the prompts' order; this tiny model's greedy replies are alike, so it is the order and
                         # the count of rows, each process's share gathered, that the test really checks)
    kind: generate
    data: problems
    limit: 6
    n: 1
    temperature: 0
    max_new_tokens: 12
    keep: all
    rewards: [{{name: exact_match}}, {{_target_: tests.launch.probes.digit_share}}]
eval: {{data: heldout, limit: 8, max_new_tokens: 16, every_steps: 3}}
"""
LAUNCH = ["launcher.gpus=2", "launcher.use_cpu=true", "launcher.main_port=0"]
STEPS = {"sft": 6, "dpo": 2, "grpo": 4}  # the trained stages; the generate stage `sample` records 1 step


def _env() -> dict:
    """The repo importable, for the probe reward (tests.helpers.cli_env caches DeepSpeed's compiled op)."""
    return {"PYTHONPATH": str(REPO)}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A saved tiny model, so every run starts from the very same weights."""
    from r1kit.models.tiny import build_tiny

    path = tmp_path_factory.mktemp("model")
    model, tokenizer = build_tiny(seed=0)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def _workdir(tmp_path_factory, model_dir, name: str, batch: int) -> Path:
    workdir = tmp_path_factory.mktemp(name)
    (workdir / "recipe.yaml").write_text(RECIPE.format(model=model_dir, batch=batch))
    return workdir


def _only_run(workdir: Path) -> Path:
    runs = [p for p in (workdir / "runs" / "launch_check").iterdir() if (p / "state.json").exists()]
    assert len(runs) == 1, runs
    return runs[0]


@pytest.fixture(scope="module")
def local(tmp_path_factory, model_dir) -> Path:
    workdir = _workdir(tmp_path_factory, model_dir, "local", batch=8)
    run_cli("train", "recipe=recipe.yaml", cwd=workdir, env=_env())
    return _only_run(workdir)


@pytest.fixture(scope="module")
def zero2_runs(tmp_path_factory, model_dir) -> dict:
    """The ZeRO-2 run, killed during a DeepSpeed checkpoint (rank 0 writing `latest`, the shards written), rerun."""
    workdir = _workdir(tmp_path_factory, model_dir, "zero2", batch=4)
    mark = workdir / "fired.txt"
    env = fault_env("zero2-checkpoint-write", "open", "*/stages/0-sft/.staging/checkpoint-6/latest", mark)
    killed = run_cli("train", "recipe=recipe.yaml", "launcher=zero2", *LAUNCH, cwd=workdir, env=env, check=False)
    rerun = run_cli("train", "recipe=recipe.yaml", "launcher=zero2", *LAUNCH, cwd=workdir, env=_env())
    return {"run": _only_run(workdir), "killed": killed, "rerun": rerun, "fired": fired(mark)}


@pytest.fixture(scope="module")
def zero2(zero2_runs) -> Path:
    return zero2_runs["run"]


@pytest.fixture(scope="module")
def zero3(tmp_path_factory, model_dir) -> dict:
    """The ZeRO-3 run, interrupted by a rank's death during GRPO, then rerun with the same command."""
    import psutil

    workdir = _workdir(tmp_path_factory, model_dir, "zero3", batch=4)
    proc = start_cli("train", "recipe=recipe.yaml", "launcher=zero3", *LAUNCH, cwd=workdir, env=_env(),
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    killed = None
    deadline = time.time() + 600
    while proc.poll() is None and time.time() < deadline and killed is None:
        if list(workdir.glob("runs/launch_check/*/stages/2-grpo/checkpoint-2")):
            ranks = [p for p in psutil.Process(proc.pid).children(recursive=True)
                     if p.environ().get("LOCAL_RANK") == "1"]
            if ranks:
                ranks[0].send_signal(signal.SIGKILL)
                killed = ranks[0].pid
        time.sleep(0.05)
    first_output, _ = proc.communicate(timeout=300)
    assert killed, f"rank 1 was never killed:\n{first_output[-4000:]}"
    rerun = run_cli("train", "recipe=recipe.yaml", "launcher=zero3", *LAUNCH, cwd=workdir, env=_env())
    return {"run": _only_run(workdir), "first_code": proc.returncode, "first_output": first_output,
            "rerun": rerun, "workdir": workdir}


def _losses(run: Path, stage: str) -> dict[int, float]:
    """Step -> loss, the last record of a step winning (a resumed stage logs its redone steps again)."""
    return {m["step"]: m["loss"] for m in read_metrics(run) if m["stage"] == stage and "loss" in m}


def _weights(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


@pytest.mark.parametrize("launched", ["zero2", "zero3"])
def test_sft_loss_per_step_matches_one_process_with_the_same_global_batch(launched, local, zero2, zero3):
    run = {"zero2": zero2, "zero3": zero3["run"]}[launched]
    reference, losses = _losses(local, "sft"), _losses(run, "sft")
    assert sorted(losses) == sorted(reference) == list(range(1, 7))
    worst = max(abs(losses[s] - reference[s]) / abs(reference[s]) for s in reference)
    print(f"\n{launched}: sft loss per step, 1 process vs 2: " + ", ".join(
        f"{reference[s]:.6f}/{losses[s]:.6f}" for s in sorted(reference)) + f"; worst relative difference {worst:.2e}")
    assert worst <= LOSS_RTOL
    assert reference[6] < reference[1] - 0.05  # it trained: the comparison is not between two untouched models


@pytest.mark.parametrize("launched", ["zero2", "zero3"])
def test_dpo_loss_per_step_matches_one_process(launched, local, zero2, zero3):
    """The reference model is the stage's starting weights in every process: step 2's loss (step 1's is log 2,
    policy = reference) moves only if both the policy and the reference are right across the ranks."""
    run = {"zero2": zero2, "zero3": zero3["run"]}[launched]
    reference, losses = _losses(local, "dpo"), _losses(run, "dpo")
    assert sorted(losses) == sorted(reference) == [1, 2]
    assert reference[2] != pytest.approx(reference[1], abs=1e-4)
    worst = max(abs(losses[s] - reference[s]) / abs(reference[s]) for s in reference)
    print(f"\n{launched}: dpo loss per step, 1 process vs 2: {reference} / {losses}; worst relative {worst:.2e}")
    assert worst <= LOSS_RTOL


@pytest.mark.parametrize("launched", ["zero2", "zero3"])
def test_sft_final_model_holds_the_weights_of_the_one_process_run(launched, local, zero2, zero3):
    run = {"zero2": zero2, "zero3": zero3["run"]}[launched]
    reference, weights = _weights(local / "stages/0-sft/final"), _weights(run / "stages/0-sft/final")
    assert weights.keys() == reference.keys()
    worst = max((weights[k] - reference[k]).abs().max().item() for k in reference)
    print(f"\n{launched}: sft final weights, largest difference from 1 process {worst:.2e}")
    assert worst <= WEIGHT_ATOL


@pytest.mark.parametrize("launched", ["zero2", "zero3"])
def test_each_grpo_step_trains_on_the_prompts_of_the_one_process_run(launched, local, zero2, zero3):
    run = {"zero2": zero2, "zero3": zero3["run"]}[launched]

    def probes(r):
        return {m["step"]: m["rewards/prompt_probe/mean"] for m in read_metrics(r)
                if m["stage"] == "grpo" and "rewards/prompt_probe/mean" in m}

    assert probes(run) == pytest.approx(probes(local), rel=1e-6)
    assert sorted(probes(run)) == [1, 2, 3, 4] and len(set(probes(local).values())) > 1


@pytest.mark.parametrize("launched", ["zero2", "zero3"])
def test_every_stage_ends_in_a_plain_hf_model_that_transformers_loads(launched, zero2, zero3):
    from transformers import AutoModelForCausalLM

    run = {"zero2": zero2, "zero3": zero3["run"]}[launched]
    finals = [run / "stages/0-sft/final", run / "stages/1-dpo/final", run / "stages/2-grpo/final"]
    for final in finals:
        assert not list(final.glob("global_step*")) and not (final / "zero_to_fp32.py").exists()
        model, info = AutoModelForCausalLM.from_pretrained(final, output_loading_info=True)
        assert not info["missing_keys"] and not info["unexpected_keys"], info
        assert all(p.numel() > 0 and p.abs().sum() > 0 for p in model.parameters())  # no empty ZeRO-3 shard
    for before, after in itertools.pairwise(finals):
        first, then = _weights(before), _weights(after)
        assert any((first[k] - then[k]).abs().max() > 0 for k in first), f"{after.parent.name} changed nothing"


@pytest.mark.parametrize("launched", ["zero2", "zero3"])
def test_a_generate_stage_writes_the_rows_of_the_one_process_run(launched, local, zero2, zero3):
    """Each process samples its share of the prompts (ZeRO-3: with the sharded weights gathered), the main one writes
    them all, in the prompts' order."""
    run = {"zero2": zero2, "zero3": zero3["run"]}[launched]

    def rows(r):
        lines = (r / "stages/3-sample/final/data.jsonl").read_text().splitlines()
        return [{k: row[k] for k in ("prompt", "answer", "completion", "reward")} for row in map(json.loads, lines)]

    reference, written = rows(local), rows(run)
    assert [r["answer"] for r in written] == [r["answer"] for r in reference] and len(reference) == 6
    same = sum(a == b for a, b in zip(written, reference))
    print(f"\n{launched}: generated rows equal to the 1-process run's: {same} of {len(reference)}")
    assert same >= 5  # greedy on weights equal to ~1e-5: an argmax may flip on a near tie, rarely


def test_zero2_rerun_after_a_kill_during_a_deepspeed_checkpoint_resumes_from_the_last_complete_one(zero2_runs):
    assert zero2_runs["fired"] == ["zero2-checkpoint-write"]
    assert zero2_runs["killed"].returncode != 0
    out = " ".join(zero2_runs["rerun"].stdout.split())
    assert "continues the unfinished run" in out and "resuming checkpoint-3" in out, out[-3000:]
    state = read_state(zero2_runs["run"])
    assert state["finished"] and {n: r["steps"] for n, r in state["stages"].items()} == {**STEPS, "sample": 1}
    assert not list(zero2_runs["run"].glob("stages/*/.staging"))


def test_zero3_rerun_after_a_rank_died_resumes_the_interrupted_stage(zero3):
    assert zero3["first_code"] != 0, zero3["first_output"][-3000:]
    out = zero3["rerun"].stdout
    assert "continues the unfinished run" in out and "resuming checkpoint-" in out, out[-3000:]
    state = read_state(zero3["run"])
    assert state["finished"] and {n: r["steps"] for n, r in state["stages"].items()} == {**STEPS, "sample": 1}
    assert "stage sft: done, skipped" in out and "stage sft (" not in out
    assert not list(zero3["run"].glob("stages/*/.staging")) and not list(zero3["run"].glob("stages/*/final.tmp"))


@pytest.mark.parametrize("launched", ["zero2", "zero3"])
def test_the_main_process_alone_writes_the_run_directory(launched, zero2, zero3):
    run = {"zero2": zero2, "zero3": zero3["run"]}[launched]
    metrics = read_metrics(run)
    if launched == "zero2":  # one line per logged step, not one per rank, and none twice after the resume
        steps = [(m["stage"], m["step"]) for m in metrics if "loss" in m]
        assert len(steps) == len(set(steps)) == sum(STEPS.values())
    state = read_state(run)
    for stage in STEPS:  # the held-out check ran on both ranks, split and gathered, and was written once
        assert state["stages"][stage]["eval"]["prompts"] == 8
        assert len((run / "eval" / f"{stage}-heldout.samples.jsonl").read_text().splitlines()) == 8
    assert any("eval/accuracy" in m and m["step"] == 3 for m in metrics if m["stage"] == "sft")  # every_steps
    launch = run / "launch"
    assert "num_processes: 2" in (launch / "accelerate.yaml").read_text()
    assert json.loads((launch / "deepspeed.json").read_text())["zero_optimization"]["stage"] == int(launched[-1])
    assert (run / "report.png").is_file()


def test_r1kit_eval_scores_every_stage_of_the_zero3_run(zero3):
    proc = run_cli("eval", f"model={zero3['run']}", "limit=4", "max_new_tokens=8", "name=check",
                   cwd=zero3["workdir"], env=_env())
    for stage in STEPS:
        result = json.loads((zero3["run"] / "eval" / f"check-{stage}.json").read_text())
        assert result["figures"]["prompts"] == 4, proc.stdout[-2000:]
