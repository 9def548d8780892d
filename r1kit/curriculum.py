"""Run a recipe's stages in order, hand weights from stage to stage, and resume after a crash.

Datasets are built and checked before any model loads. Each stage starts from the
previous stage's final model (or `init_from`), trains with TRL, saves `final/`
atomically and marks itself done in state.json; a rerun skips finished stages and
continues the interrupted one from its last complete checkpoint.

Under a launcher every rank runs this same loop on the same state; the main process
alone chooses the run directory and writes it (r1kit.launch.ranks).
"""

import gc
import os
import time
import warnings
from pathlib import Path

from r1kit.errors import UserError
from r1kit.launch import ranks
from r1kit.run.rundir import RunDir, append_metrics, config_hash, open_run


def quiet_libraries():
    """Keep the console to r1kit's progress bars and tables."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore", category=FutureWarning)  # deprecations inside TRL/transformers
    # TRL hands a VLM processor a max_length it does not use; the warning would repeat every GRPO step.
    warnings.filterwarnings("ignore", message="`max_length` is ignored when `padding`")
    import torch

    if not torch.cuda.is_available():
        os.environ.setdefault("DS_ACCELERATOR", "cpu")
    import datasets
    import transformers

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


def build_datasets(recipe: dict) -> dict:
    """Example rows and adapter for every dataset a stage or the eval uses (errors surface here)."""
    from r1kit.data.load import build_examples

    used = {d for s in recipe["stages"].values() for d in (s["data"] if isinstance(s["data"], list) else [s["data"]])}
    if recipe["eval"]["data"]:
        used.add(recipe["eval"]["data"])
    return {name: build_examples(recipe["datasets"][name], f"datasets.{name}") for name in sorted(used)}


def run_recipe(recipe: dict, console=None) -> RunDir:
    from rich.console import Console

    console = console or Console(quiet=not ranks.is_main())
    quiet_libraries()
    import torch
    from transformers import set_seed

    ranks.init()
    run, resumed = ranks.from_main(lambda: open_run(recipe))
    run = RunDir(run.path, writes=ranks.is_main())
    state = run.read_state() if resumed else {}
    state = state or {"recipe": recipe["name"], "config_hash": config_hash(recipe), "stages": {}, "finished": False}
    ranks.barrier()  # every rank has read the state before the main process rewrites it
    run.write_config(recipe)
    run.write_state(state)
    console.print(f"[bold]{'Resuming' if resumed else 'Run'}[/] {recipe['name']} in {run.path}")
    data = build_datasets(recipe)

    previous_final = None
    for index, (name, stage) in enumerate(recipe["stages"].items()):
        stage = {**stage, "name": name}
        stage_dir = run.stage_dir(index, name)
        final = stage_dir / "final"
        record = state["stages"].get(name, {})
        if record.get("status") == "done" and final.is_dir():
            console.print(f"[dim]stage {name}: done, skipped[/]")
            previous_final = final
            continue
        init = _init_path(stage, previous_final, run, recipe)
        set_seed(recipe["seed"])
        from r1kit.models.load import load_model

        model, tokenizer = load_model(_model_cfg(recipe), path_override=init)
        train_ds = stage_data(stage["data"], data)
        trainer = _build_trainer(stage, recipe, model, tokenizer, train_ds, stage_dir, run)
        if _should_evaluate(stage, recipe) and recipe["eval"]["every_steps"]:
            from r1kit.evaluation.during_training import PeriodicEval

            examples, adapter = data[recipe["eval"]["data"]]
            trainer.callback_handler.callbacks.insert(
                0, PeriodicEval(recipe["eval"]["every_steps"], trainer, examples, adapter, recipe["eval"], name))
        from r1kit.stages.checkpoints import last_complete_checkpoint, save_final

        checkpoint = last_complete_checkpoint(stage_dir)
        record.update(status="running", dir=str(stage_dir.relative_to(run.path)), started=record.get("started", time.time()))
        state["stages"][name] = record
        run.write_state(state)
        console.print(f"[bold cyan]stage {name}[/] ({stage['kind']}, from {init or 'the base model'}"
                      f"{', resuming ' + Path(checkpoint).name if checkpoint else ''})")
        started = time.perf_counter()
        trainer.train(resume_from_checkpoint=checkpoint)
        save_final(trainer, final)
        record.update(status="done", final=str(final.relative_to(run.path)), steps=trainer.state.global_step,
                      seconds=round(record.get("seconds", 0) + time.perf_counter() - started, 1))
        if _should_evaluate(stage, recipe):
            record["eval"] = _evaluate(trainer, data, recipe, console, name, run)
        run.write_state(state)
        previous_final = final
        del trainer, model
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    state["finished"] = True
    run.write_state(state)
    print_summary(state, console)
    if run.writes:
        _write_report(run, console)
    console.print(f"Run directory: {run.path}")
    return run


def _write_report(run: RunDir, console):
    """report.png and report.md; a failure to draw never fails a finished run."""
    try:
        from r1kit.run.report import write_report

        png, md = write_report(run.path)
        console.print(f"Report: {png} and {md.name}")
    except Exception as err:  # noqa: BLE001 - the weights and metrics are already saved
        console.print(f"[yellow]Could not write the report ({type(err).__name__}: {err}); "
                      f"`r1kit report {run.path}` retries.[/]")


def stage_data(names, data: dict):
    """A stage's training rows: one dataset, or several mixed, each row's `domain` its dataset's name."""
    if not isinstance(names, list):
        return data[names][0]
    import datasets

    parts = []
    for name in names:
        ds = data[name][0]
        if "domain" in ds.column_names:
            ds = ds.remove_columns("domain")
        parts.append(ds.add_column("domain", [name] * len(ds)))
    try:
        return datasets.concatenate_datasets(parts)
    except ValueError as err:  # columns of different types
        raise UserError(f"stage data {names}: these datasets cannot be mixed ({err}).") from err


def _model_cfg(recipe: dict):
    from omegaconf import OmegaConf

    return OmegaConf.create(recipe["model"])


def _init_path(stage: dict, previous_final, run: RunDir, recipe: dict):
    init = stage["init_from"]
    if init == "previous":
        return str(previous_final) if previous_final else None
    if init == "base":
        return None
    names = list(recipe["stages"])
    if init in names:
        final = run.stage_dir(names.index(init), init) / "final"
        if not final.is_dir():
            raise UserError(f"stages.{stage['name']}.init_from={init}: that stage has no final model yet.")
        return str(final)
    return init


def _build_trainer(stage, recipe, model, tokenizer, train_ds, stage_dir, run):
    if stage["kind"] == "sft":
        from r1kit.stages.sft import build_sft_trainer

        return build_sft_trainer(stage, recipe, model, tokenizer, train_ds, stage_dir, run.path)
    from r1kit.stages.grpo import build_grpo_trainer

    return build_grpo_trainer(stage, recipe, model, tokenizer, train_ds, stage_dir, run.path)


def _should_evaluate(stage: dict, recipe: dict) -> bool:
    wanted = stage["evaluate"] if stage["evaluate"] is not None else recipe["eval"]["after_each_stage"]
    return bool(wanted and recipe["eval"]["data"])


def _evaluate(trainer, data, recipe, console, stage_name: str, run: RunDir) -> dict:
    """The end-of-stage held-out check (every rank generates): printed, logged to metrics.jsonl, written to eval/."""
    from r1kit.evaluation.command import write_results
    from r1kit.evaluation.during_training import as_logs, heldout

    cfg = recipe["eval"]
    examples, adapter = data[cfg["data"]]
    figures, records = heldout(trainer, examples, adapter, cfg, f"eval {stage_name}")
    if run.writes:
        name = f"{stage_name}-{cfg['data']}"
        write_results(run.path / "eval", name, {"name": name, "model": stage_name, "data": cfg["data"],
                                                "figures": figures, "config": {**cfg, "n": 1, "temperature": 0.0}},
                      records)
        append_metrics(run.metrics_file, stage_name, trainer.state.global_step, as_logs(figures))
    console.print(f"  held-out after {stage_name}: accuracy {_pct(figures.get('accuracy'))}, format "
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
