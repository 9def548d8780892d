"""The held-out check while a recipe trains: after each stage and, optionally, every N steps.

Greedy answers to the recipe's `eval.data`, scored by the adapter's metric through the
same code as `r1kit eval`. Figures reach metrics.jsonl as `eval/<figure>` (and so
wandb or tensorboard too); after a stage they also go to state.json and eval/.
"""

from transformers import TrainerCallback

LOGGED = ("accuracy", "format_rate", "mean_length", "truncation_rate")


def heldout(model, tokenizer, examples, adapter, cfg: dict, label: str = "eval", show_progress: bool = True):
    """(figures, sample records) of greedy decoding on the first `cfg['limit']` examples."""
    from r1kit.evaluation.generation import generate_transformers
    from r1kit.evaluation.scoring import evaluate

    rows = examples.select(range(min(cfg["limit"] or len(examples), len(examples))))

    def generate(prompts):
        return generate_transformers(model, tokenizer, prompts, max_new_tokens=cfg["max_new_tokens"],
                                     batch_size=cfg["batch_size"], label=label, show_progress=show_progress)

    return evaluate(generate, rows, adapter)


def as_logs(figures: dict) -> dict:
    return {f"eval/{k}": figures[k] for k in LOGGED if figures.get(k) is not None}


class PeriodicEval(TrainerCallback):
    """Every `every` steps, run the held-out check and add its figures to that step's log.

    The stage's last step is left to the end-of-stage check. Must sit before the
    loggers in the callback list, since it writes into the `logs` they read.
    """

    def __init__(self, every: int, examples, adapter, cfg: dict, stage: str):
        self.every, self.examples, self.adapter, self.cfg, self.stage = every, examples, adapter, cfg, stage
        self.pending = None

    def on_step_end(self, args, state, control, model=None, processing_class=None, **kwargs):
        step = state.global_step
        if not self.every or step % self.every or step >= state.max_steps or not state.is_world_process_zero:
            return
        figures, _ = heldout(model, processing_class, self.examples, self.adapter, self.cfg,
                             f"eval {self.stage}@{step}", show_progress=False)
        self.pending = as_logs(figures)
        control.should_log = True

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.pending and logs is not None:
            logs.update(self.pending)
            self.pending = None
