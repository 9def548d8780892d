"""A disk that fills up while a checkpoint is written: one clear message, the last complete checkpoint intact, and
the rerun resumes from it. Twice: ENOSPC planted in a Python write (tests.faults), and a real kernel refusal (a file
size limit, EFBIG) hitting safetensors' native writer."""

import resource
import signal
import subprocess
from pathlib import Path

from tests.faults import fault_env, fired
from tests.helpers import REPO, read_state, start_cli

RECIPE = """
defaults:
  - model: tiny
  - _self_
name: disk_check
seed: 0
datasets:
  traces: {adapter: addition, generator: {name: addition, n: 256, seed: 1}}
stages:
  sft:
    kind: sft
    data: traces
    max_steps: 9
    per_device_train_batch_size: 8
    logging_steps: 1
    save_steps: 3
eval: {data: null}
"""


def _run(workdir: Path, env=None, preexec_fn=None) -> tuple[int, str]:
    proc = start_cli("train", "recipe=recipe.yaml", "output_dir=out", cwd=workdir, env=env or {"PYTHONPATH": str(REPO)},
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=preexec_fn)
    out, _ = proc.communicate(timeout=600)
    return proc.returncode, out


def _finish_and_check(workdir: Path, resumed_from: str | None):
    code, out = _run(workdir)
    assert code == 0, out[-3000:]
    if resumed_from:
        assert f"resuming {resumed_from}" in " ".join(out.split()), out[-3000:]
    state = read_state(workdir / "out")
    assert state["finished"] and state["stages"]["sft"]["steps"] == 9
    assert (workdir / "out" / "stages" / "0-sft" / "final" / "model.safetensors").is_file()


def test_a_full_disk_during_a_checkpoint_is_reported_and_the_rerun_resumes(tmp_path):
    (tmp_path / "recipe.yaml").write_text(RECIPE)
    mark = tmp_path / "fired.txt"
    env = fault_env("enospc", "open", "*/stages/0-sft/.staging/checkpoint-6/trainer_state.json", mark, action="enospc")
    code, out = _run(tmp_path, env)
    assert fired(mark) == ["enospc"]
    assert code == 2 and "Traceback" not in out, out[-3000:]
    text = " ".join(out.split())
    assert "The disk is full: writing" in text and "No space left on device" in text, text[-2000:]
    assert "Stage sft resumes from checkpoint-3, its last complete checkpoint (intact)." in text
    assert "rerun the same command" in text
    stage = tmp_path / "out" / "stages" / "0-sft"
    assert [p.name for p in stage.glob("checkpoint-*")] == ["checkpoint-3"]  # the last complete one is kept
    assert not (stage / ".staging").exists()  # the partial save is gone, giving its space back
    _finish_and_check(tmp_path, "checkpoint-3")


def test_a_real_write_refused_by_the_kernel_in_native_code_is_reported_too(tmp_path):
    from r1kit.models.tiny import build_tiny

    model, _ = build_tiny(seed=0)
    model.save_pretrained(tmp_path / "probe")
    weights = (tmp_path / "probe" / "model.safetensors").stat().st_size
    limit = weights // 2  # every file but the weights and the optimizer state fits

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    (tmp_path / "recipe.yaml").write_text(RECIPE)
    code, out = _run(tmp_path, preexec_fn=small_files)
    text = " ".join(out.split())
    assert code == 2 and "Traceback" not in out, out[-3000:]
    assert "The disk is full" in text and "File too large" in text, text[-2000:]
    assert "Stage sft had no complete checkpoint yet and will start over." in text
    assert not (tmp_path / "out" / "stages" / "0-sft" / ".staging").exists()
    _finish_and_check(tmp_path, None)

