"""Run a recipe's stages in order, hand weights from stage to stage, and resume after a crash.

Datasets are built and checked before the run directory is created or any model loads,
and the main process holds the run directory's lock (r1kit.run.rundir.RunLock) while it trains. Each stage starts from the
previous stage's final model (or `init_from`), is planned (r1kit.curriculum.plan), built
by its kind (r1kit.stages), trained, saved to `final/` atomically and marked done in
state.json; a rerun skips finished stages and continues the interrupted one from its last
complete checkpoint.

Under a launcher every rank runs this same loop on the same state; the main process
alone chooses the run directory and writes it (r1kit.run.ranks).
"""

import gc
import time
from pathlib import Path

from r1kit.config.validate import STAGE_REF
from r1kit.curriculum.heldout import evaluate_stage, periodic_eval, print_summary, should_evaluate
from r1kit.curriculum.plan import build_datasets, configure_logger, plan_stage
from r1kit.errors import UserError
from r1kit.run import ranks
from r1kit.run.model_card import write_model_card
from r1kit.run.quiet import quiet_libraries
from r1kit.run.rundir import RunDir, config_hash, drop_metrics_after, lock_run, open_run
from r1kit.run.space import disk_full_message, is_disk_full
from r1kit.stages import STAGE_KINDS


def run_recipe(recipe: dict, console=None) -> RunDir:
    from rich.console import Console

    console = console or Console(quiet=not ranks.is_main())
    quiet_libraries()
    ranks.init()
    data = build_datasets(recipe)  # on every rank, before the run directory exists: a data mistake leaves no folder
    held = []

    def open_locked():
        opened, resumed = open_run(recipe)
        held.append(lock_run(opened, recipe))
        return opened, resumed

    run, resumed = ranks.from_main(open_locked)  # the main process holds the lock until this run ends
    run = RunDir(run.path, writes=ranks.is_main())
    try:
        return _run_stages(recipe, data, run, resumed, console)
    except Exception as err:
        if not is_disk_full(err):
            raise
        raise UserError(disk_full_message(err, run, recipe)) from None
    finally:
        for lock in held:
            lock.release()


def _run_stages(recipe: dict, data: dict, run: RunDir, resumed: bool, console) -> RunDir:
    import torch
    from transformers import set_seed

    from r1kit.stages.checkpoints import last_complete_checkpoint, save_final

    state = run.read_state() if resumed else {}
    state = state or {"recipe": recipe["name"], "config_hash": config_hash(recipe), "stages": {}, "finished": False}
    ranks.barrier()  # every rank has read the state before the main process rewrites it
    run.write_config(recipe)
    run.write_state(state)
    configure_logger(recipe["logger"], run.path)
    console.print(f"[bold]{'Resuming' if resumed else 'Run'}[/] {recipe['name']} in {run.path}")

    previous_final = None
    for index, (name, stage) in enumerate(recipe["stages"].items()):
        stage_dir = run.stage_dir(index, name)
        final = stage_dir / "final"
        record = state["stages"].get(name, {})
        kind = STAGE_KINDS.get(stage["kind"])
        if record.get("status") == "done" and final.is_dir():
            console.print(f"[dim]stage {name}: done, skipped[/]")
            previous_final = final if kind.policy else previous_final
            continue
        init = init_weights(name, stage, previous_final, run, recipe)
        as_written, stage = stage, with_stage_finals(stage, run, recipe)
        set_seed(recipe["seed"])
        callbacks = [periodic_eval(recipe, data, name)] if should_evaluate(stage, recipe) and \
            recipe["eval"]["every_steps"] else []
        plan = plan_stage(name, stage, recipe, data, stage_dir, run.path, init, callbacks)
        trainer = STAGE_KINDS.get(stage["kind"]).build(plan)
        checkpoint = last_complete_checkpoint(stage_dir)
        if run.writes:  # rows the interrupted attempt logged after its checkpoint are logged again from there
            drop_metrics_after(run.metrics_file, name, int(Path(checkpoint).name.split("-")[-1]) if checkpoint else 0)
        record.update(status="running", dir=str(stage_dir.relative_to(run.path)), started=record.get("started", time.time()),
                      **lineage(as_written, init, run))
        state["stages"][name] = record
        run.write_state(state)
        console.print(f"[bold cyan]stage {name}[/] ({stage['kind']}, from {init or 'the base model'}"
                      f"{', resuming ' + Path(checkpoint).name if checkpoint else ''})")
        started = time.perf_counter()
        trainer.train(resume_from_checkpoint=checkpoint)
        save_final(trainer, final)
        record.update(status="done", final=str(final.relative_to(run.path)), steps=trainer.state.global_step,
                      seconds=round(record.get("seconds", 0) + time.perf_counter() - started, 1))
        if should_evaluate(stage, recipe):
            record["eval"] = evaluate_stage(trainer, data, recipe, console, name, run)
        if run.writes and not kind.makes_data:
            write_model_card(final, recipe, name, record)
        run.write_state(state)
        previous_final = final if kind.policy else previous_final
        del trainer, plan
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    state["finished"] = True
    run.write_state(state)
    print_summary(state, console)
    if run.writes:  # a run killed while drawing it has no report.md: the rerun resumes it and draws it
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


def lineage(stage: dict, init: str | None, run: RunDir) -> dict:
    """What a stage's weights come from, for state.json and the report: its kind, starting weights and data."""
    start = "base" if init is None else str(Path(init).relative_to(run.path)) if Path(init).is_relative_to(run.path) \
        else init
    return {"kind": stage["kind"], "from": start, "data": stage["data"]}


def with_stage_finals(value, run: RunDir, recipe: dict):
    """The stage's options with each `stage:<name>` replaced by that stage's final/ folder (validation has checked
    that it names an earlier stage, so it exists by now): a model, or a generate stage's dataset in `data:`."""
    if isinstance(value, str) and value.startswith(STAGE_REF):
        name = value[len(STAGE_REF):]
        return str(run.stage_dir(list(recipe["stages"]).index(name), name) / "final")
    if isinstance(value, dict):
        return {k: with_stage_finals(v, run, recipe) for k, v in value.items()}
    if isinstance(value, list):
        return [with_stage_finals(v, run, recipe) for v in value]
    return value


def init_weights(name: str, stage: dict, previous_final, run: RunDir, recipe: dict) -> str | None:
    """The folder a stage starts from: the previous final, an earlier stage's, a path, or None (the base model)."""
    init = stage["init_from"]
    if init == "previous":
        return str(previous_final) if previous_final else None
    if init == "base":
        return None
    names = list(recipe["stages"])
    if init in names:
        final = run.stage_dir(names.index(init), init) / "final"
        if not final.is_dir():
            raise UserError(f"stages.{name}.init_from={init}: that stage has no final model yet.")
        return str(final)
    return init
