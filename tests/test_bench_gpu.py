"""scripts/bench_gpu.py: its row order and time estimate, and a --tiny run on the CPU through a subprocess."""

import importlib.util
import json
import subprocess
import sys

from tests.helpers import REPO, cli_env

spec = importlib.util.spec_from_file_location("bench_gpu", REPO / "scripts" / "bench_gpu.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_the_1_5b_default_row_comes_first_and_the_vision_model_gets_no_text_only_backend():
    rows = bench.plan(list(bench.MODELS), list(bench.BACKENDS), [False, True])
    assert rows[:len(bench.PRIORITY)] == bench.PRIORITY
    assert rows[0] == ("Qwen2.5-1.5B", "generate", False) and len(rows) == len(set(rows)) == 3 * 3 * 2 + 2 * 2
    assert ("Qwen2.5-VL-3B", "continuous_batching", False) not in rows
    assert bench.plan(["Qwen2.5-0.5B"], ["static_cache"], [True]) == [("Qwen2.5-0.5B", "static_cache", True)]


def test_a_row_is_estimated_from_the_same_model_else_scaled_by_parameters():
    assert bench.estimate(("Qwen2.5-3B", "generate", False), []) is None
    done = [{"model": "Qwen2.5-1.5B", "step_s": 1.0, "wall_s": 100.0}]
    assert bench.estimate(("Qwen2.5-1.5B", "static_cache", True), done) == 100.0
    assert 190 < bench.estimate(("Qwen2.5-3B", "generate", False), done) < 210


def test_tiny_run_writes_each_row_from_the_runs_metrics_and_prints_the_table(tmp_path):
    out = tmp_path / "table.json"
    proc = subprocess.run([sys.executable, REPO / "scripts" / "bench_gpu.py", "--tiny", "--models", "Qwen2.5-1.5B",
                           "Qwen2.5-VL-3B", "--backends", "static_cache", "--checkpointing", "on", "--steps", "2",
                           "--out", out], cwd=tmp_path, env=cli_env({"OMP_NUM_THREADS": "1"}), capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    written = json.loads(out.read_text())
    assert written["tiny"] is True
    rows = written["rows"]
    assert [(r["model"], r["backend"], r["activation_checkpointing"]) for r in rows] == [
        ("Qwen2.5-1.5B", "static_cache", True), ("Qwen2.5-VL-3B", "static_cache", True)]
    for row in rows:
        assert "error" not in row and row["steps_timed"] == 1, row
        assert row["step_s"] > 0 and row["tokens_per_s_per_gpu"] > 0 and row["mfu"] is None, row
        shares = [row["generation_share"], row["logprob_share"], row["train_share"]]
        assert all(0 <= s <= 1 for s in shares) and row["generation_share"] > 0 and sum(shares) <= 1 + 1e-6, row
        assert row["completion_tokens"] == 16, row  # EOS is suppressed: no completion stops early
    assert round(rows[0]["prompt_tokens"]) == 64 and rows[1]["prompt_tokens"] > 16  # the image's tokens and text
    table = proc.stdout[proc.stdout.index("| model | backend |"):]
    assert "| Qwen2.5-1.5B | static_cache | on | 64 + 16 |" in table and "| Qwen2.5-VL-3B | static_cache | on |" in table
    assert "not a benchmark" in proc.stdout
