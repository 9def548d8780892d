"""The held-out check while a recipe trains: after each stage and, optionally, every N steps.

Greedy answers to the recipe's `eval.data`, scored by the adapter's metric through the
same code as `r1kit eval`. Figures reach metrics.jsonl as `eval/<figure>` (and so
wandb or tensorboard too); after a stage they also go to state.json and eval/.

With several processes every rank takes part: each generates every world-th prompt and
the completions are gathered, so every rank holds the same figures and the main process
writes them. Under ZeRO-3 each rank first gathers the sharded parameters (TRL's
unwrap_model_for_generation, as GRPO does for its rollouts), so ranks generate on their
own instead of in lock-step, whatever their completions' lengths.
"""

from transformers import TrainerCallback

from r1kit.run import ranks

LOGGED = ("accuracy", "format_rate", "mean_length", "truncation_rate", "tool_calls_per_completion", "tool_error_rate",
          "turns_per_episode", "success_rate")


def heldout(trainer, examples, adapter, cfg: dict, label: str = "eval", show_progress: bool = True):
    """(figures, sample records) of the trainer's model decoding greedily the first `cfg['limit']` examples."""
    from trl.models import unwrap_model_for_generation

    from r1kit.evaluation.episodes import tool_sampler, uses_tools
    from r1kit.evaluation.scoring import evaluate
    from r1kit.models.generation import generate_transformers

    rows = examples.select(range(min(cfg["limit"] or len(examples), len(examples))))
    rank, world = ranks.rank(), ranks.world()
    options = {"max_new_tokens": cfg["max_new_tokens"], "batch_size": cfg["batch_size"], "label": label,
               "show_progress": show_progress and ranks.is_main()}
    if uses_tools(cfg):  # the same tool loop as `r1kit eval tools=... environment=...`
        tool_sample = tool_sampler(cfg, trainer.processing_class, "eval.", str(cfg.get("data")))
        mine_rows = rows.to_list()[rank::world]

        def sample(model, prompts):
            return tool_sample(model, prompts, mine_rows, **options)
    else:
        def sample(model, prompts):
            return generate_transformers(model, trainer.processing_class, prompts, **options)

    def generate(prompts):
        with unwrap_model_for_generation(trainer.model_wrapped, trainer.accelerator,
                                         gradient_checkpointing_kwargs=trainer.args.gradient_checkpointing_kwargs) as model:
            mine = sample(model, prompts[rank::world])
        completions = [None] * len(prompts)
        for r, part in enumerate(ranks.gather(mine)):
            completions[r::world] = part
        return completions

    return evaluate(generate, rows, adapter)


def as_logs(figures: dict) -> dict:
    return {f"eval/{k}": figures[k] for k in LOGGED if figures.get(k) is not None}


class PeriodicEval(TrainerCallback):
    """Every `every` steps, run the held-out check and add its figures to that step's log.

    The stage's last step is left to the end-of-stage check. Must sit before the
    loggers in the callback list, since it writes into the `logs` they read. Runs on
    every rank, which also keeps their `should_log` (a collective) in step.
    """

    def __init__(self, every: int, trainer, examples, adapter, cfg: dict, stage: str):
        self.every, self.trainer, self.examples, self.adapter, self.cfg = every, trainer, examples, adapter, cfg
        self.stage, self.pending = stage, None

    def on_step_end(self, args, state, control, **kwargs):
        step = state.global_step
        if not self.every or step % self.every or step >= state.max_steps:
            return
        figures, _ = heldout(self.trainer, self.examples, self.adapter, self.cfg, f"eval {self.stage}@{step}",
                             show_progress=False)
        self.pending = as_logs(figures)
        control.should_log = True

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.pending and logs is not None:
            logs.update(self.pending)
            self.pending = None
