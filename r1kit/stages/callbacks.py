"""Trainer callbacks: metrics.jsonl for every logged step, and a rich progress bar."""

from transformers import TrainerCallback

from r1kit.run.rundir import append_metrics


class MetricsJsonl(TrainerCallback):
    """Append every log dict to metrics.jsonl with the stage name and step (main process only).

    On a GPU the main process's peak memory so far rides along (`memory/peak_gib`), for the benchmarks.
    """

    def __init__(self, path, stage: str):
        self.path, self.stage = path, stage

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        import torch

        if torch.cuda.is_available():
            logs = {**logs, "memory/peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 3)}
        append_metrics(self.path, self.stage, state.global_step, logs)


SHOWN = ("loss", "reward", "learning_rate", "completions/mean_length", "kl", "grad_norm")


class RichProgress(TrainerCallback):
    """One progress bar per stage, with the latest loss/reward in its description."""

    def __init__(self, stage: str):
        self.stage, self.progress, self.task = stage, None, None

    def on_train_begin(self, args, state, control, **kwargs):
        if not state.is_world_process_zero:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("[bold]{task.fields[stage]}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), TextColumn("{task.description}"), transient=False)
        self.progress.start()
        self.task = self.progress.add_task("", total=state.max_steps, completed=state.global_step, stage=self.stage)

    def on_step_end(self, args, state, control, **kwargs):
        if self.progress:
            self.progress.update(self.task, completed=state.global_step)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.progress and logs:
            shown = [f"{k.split('/')[-1]}={logs[k]:.4g}" for k in SHOWN if isinstance(logs.get(k), (int, float))]
            self.progress.update(self.task, description=" ".join(shown))

    def on_train_end(self, args, state, control, **kwargs):
        if self.progress:
            self.progress.stop()
            self.progress = None
