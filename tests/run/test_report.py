"""`r1kit report` from the run directory alone: which run a path names, the metrics read back, the table, the picture."""

import json

import pytest
import yaml

from r1kit.errors import UserError
from r1kit.run.report import (
    read_metrics,
    run_from_path,
    series,
    stage_offsets,
    step_breakdown,
    summary_markdown,
    write_report,
)
from r1kit.run.rundir import RunDir, append_metrics
from tests.helpers import run_cli

RECIPE = {"name": "demo", "stages": {"sft": {"kind": "sft"}, "rl": {"kind": "grpo"}}}
STATE = {"finished": True, "stages": {"sft": {"steps": 4, "seconds": 12.0, "eval": {"accuracy": 0.5}, "from": "base",
                                              "data": "traces"},
                                      "rl": {"steps": 2, "seconds": 30.0, "from": "stages/0-sft/final",
                                             "data": ["math", "logic"]}}}


@pytest.fixture
def run(tmp_path):
    """A finished two-stage run: SFT logs steps 2 and 4, GRPO steps 1 and 2, one evaluation file."""
    run = RunDir(tmp_path / "runs" / "demo" / "20240101-000000")
    run.path.mkdir(parents=True)
    run.write_config(RECIPE)
    run.write_state(STATE)
    for stage, step, logs in [("sft", 2, {"loss": 3.0, "learning_rate": 1e-3}), ("sft", 4, {"loss": 2.0}),
                              ("rl", 1, {"reward": 0.25, "rewards/exact_match/mean": 0.25}),
                              ("rl", 2, {"reward": 0.75, "loss": float("nan")})]:
        append_metrics(run.metrics_file, stage, step, logs)
    (run.path / "eval").mkdir()
    (run.path / "eval" / "rl-heldout.json").write_text(json.dumps(
        {"model": "rl", "data": "heldout", "figures": {"accuracy": 0.625, "pass@4": 0.875}}))
    return run.path


def test_a_folder_of_runs_names_its_newest_run(run):
    assert run_from_path(run) == run
    assert run_from_path(run.parent) == run


def test_a_folder_that_is_not_a_run_is_refused_naming_what_a_run_holds(tmp_path):
    with pytest.raises(UserError, match="not a run directory.*state.json and config.yaml"):
        run_from_path(tmp_path)


def test_report_refuses_a_folder_that_is_not_a_run(tmp_path):
    proc = run_cli("report", str(tmp_path), check=False)
    assert proc.returncode == 2 and "not a run directory" in proc.stderr


def test_a_metrics_line_cut_short_by_a_crash_is_skipped(run):
    with open(run / "metrics.jsonl", "a") as f:
        f.write('{"stage": "rl", "step": 3, "rew')
    assert [(r["stage"], r["step"]) for r in read_metrics(run)] == [("sft", 2), ("sft", 4), ("rl", 1), ("rl", 2)]


def test_stages_plot_end_to_end_and_non_finite_values_are_left_out(run):
    records = read_metrics(run)
    offsets = stage_offsets(["sft", "rl"], records, STATE)
    assert offsets == {"sft": 0, "rl": 4}
    assert series(records, offsets, "reward") == [(5, 0.25), (6, 0.75)]
    assert series(records, offsets, "loss") == [(2, 3.0), (4, 2.0)]  # the NaN loss of rl step 2 is dropped


def test_the_summary_has_a_row_per_stage_and_one_per_evaluation(run):
    md = summary_markdown(run, read_metrics(run), RECIPE, STATE)
    assert "Finished: yes" in md
    assert "| sft | sft | base | traces | 4 | 12 s | 2 | - | 50.0% | - | - |" in md  # lineage: from, data
    assert "| rl | grpo | stages/0-sft/final | math, logic | 2 | 30 s |" in md and "| 0.75 |" in md
    assert "| rl-heldout.json | rl | heldout | 62.5% | pass@4 87.5% |" in md


def test_write_report_leaves_the_picture_and_the_table_in_the_run(run):
    png, md = write_report(run.parent)
    assert (png, md) == (run / "report.png", run / "report.md")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "report.png" in md.read_text()
    assert not (run / "report.tmp.png").exists()
    assert yaml.safe_load((run / "config.yaml").read_text()) == RECIPE  # the run itself is only read


def _step(generation, step, **more):
    return {"loss": 0.1, "time/generation": generation, "time/reward": 0.01, "time/other": step - generation - 0.01,
            "time/step": step, **more}


def test_the_step_breakdown_is_each_stages_mean_over_its_logs_parts_in_logged_order():
    records = [{"stage": "sft", "step": 1, "loss": 2.0},
               {"stage": "rl", "step": 1, **_step(0.5, 1.0, **{"throughput/tokens_per_s": 100.0})},
               {"stage": "rl", "step": 2, **_step(0.7, 1.2, **{"throughput/tokens_per_s": float("nan")})},
               {"stage": "rl", "step": 2, "eval/accuracy": 0.5}]  # a held-out log of the same step
    breakdown = step_breakdown(records, ["sft", "rl"])
    assert list(breakdown) == ["rl"]  # sft logs no step parts
    assert list(breakdown["rl"]) == ["time/generation", "time/reward", "time/other", "time/step",
                                     "throughput/tokens_per_s"]
    assert breakdown["rl"]["time/generation"] == pytest.approx(0.6) and breakdown["rl"]["time/step"] == 1.1
    assert breakdown["rl"]["throughput/tokens_per_s"] == 100.0  # the NaN is left out


def test_the_report_draws_the_step_breakdown_of_a_grpo_stage(run, monkeypatch):
    from r1kit.run import report

    drawn, real = {}, report.plot_step_breakdown
    monkeypatch.setattr(report, "plot_step_breakdown", lambda ax, breakdown: (drawn.update(breakdown),
                                                                              real(ax, breakdown)))
    append_metrics(run / "metrics.jsonl", "rl", 2, _step(0.5, 1.0, **{"throughput/mfu": 0.3}))
    png, _ = write_report(run)
    assert list(drawn) == ["rl"] and drawn["rl"]["throughput/mfu"] == 0.3
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
