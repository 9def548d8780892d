"""The end-of-stage held-out check and the table that closes a run."""

from r1kit.run.rundir import RunDir, append_metrics
from r1kit.stages import STAGE_KINDS


def should_evaluate(stage: dict, recipe: dict) -> bool:
    if not STAGE_KINDS.get(stage["kind"]).policy:  # a reward model does not generate
        return False
    wanted = stage["evaluate"] if stage["evaluate"] is not None else recipe["eval"]["after_each_stage"]
    return bool(wanted and recipe["eval"]["data"])


def periodic_eval(recipe: dict, data: dict, stage_name: str):
    """A callback factory for the held-out check every `eval.every_steps` steps (a StagePlan callback)."""
    from r1kit.evaluation.during_training import PeriodicEval

    cfg = recipe["eval"]
    examples, adapter = data[cfg["data"]]
    return lambda trainer: PeriodicEval(cfg["every_steps"], trainer, examples, adapter, cfg, stage_name)


def evaluate_stage(trainer, data, recipe, console, stage_name: str, run: RunDir) -> dict:
    """The end-of-stage held-out check (every rank generates): printed, logged to metrics.jsonl, written to eval/."""
    from r1kit.evaluation.during_training import as_logs, heldout
    from r1kit.evaluation.results import write_results

    cfg = recipe["eval"]
    examples, adapter = data[cfg["data"]]
    figures, records = heldout(trainer, examples, adapter, cfg, f"eval {stage_name}")
    if run.writes:
        name = f"{stage_name}-{cfg['data']}"
        write_results(run.path / "eval", name, {"name": name, "model": stage_name, "data": cfg["data"],
                                                "figures": figures, "config": {**cfg, "n": 1, "temperature": 0.0}},
                      records)
        append_metrics(run.metrics_file, stage_name, trainer.state.global_step, as_logs(figures))
    success = f", environment success {_pct(figures['success_rate'])}" if "success_rate" in figures else ""
    console.print(f"  held-out after {stage_name}: accuracy {_pct(figures.get('accuracy'))}{success}, format "
                  f"{_pct(figures['format_rate'])}, mean length {figures['mean_length']:.1f} tokens "
                  f"(n={figures['prompts']}, {figures['completions_per_second']:.0f} completions/s)", soft_wrap=True)
    return figures


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def print_summary(state: dict, console):
    from rich.table import Table

    table = Table(title=f"{state['recipe']}: held-out results")
    for col in ("stage", "steps", "accuracy", "format rate", "mean length", "wall time"):
        table.add_column(col, justify="left" if col == "stage" else "right")
    for name, rec in state["stages"].items():
        ev = rec.get("eval", {})
        table.add_row(name, str(rec.get("steps", "-")), _pct(ev.get("accuracy")), _pct(ev.get("format_rate")),
                      f"{ev['mean_length']:.1f}" if "mean_length" in ev else "-", f"{rec.get('seconds', 0):.0f} s")
    console.print(table)
