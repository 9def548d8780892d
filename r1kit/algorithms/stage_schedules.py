"""What changes inside a GRPO stage as it runs, and how it shows in metrics.jsonl.

- Reward weights with a `schedule` (r1kit/algorithms/reward_schedule.py) are set before each step
  and logged as `rewards/<name>/weight`.
- The stage's generation settings are logged each step (`grpo/max_completion_length`,
  `grpo/num_generations`), so a PTST schedule across stages shows per step.
- A difficulty curriculum needs no callback: a dataset ordered easy to hard (the
  `by_difficulty` generator) with `shuffle_dataset: false` switches difficulty after a
  set number of prompts; the mean `difficulty` of the rows scored since the last log is
  logged as `data/difficulty`, so the switch shows.
"""

from transformers import TrainerCallback

from r1kit.algorithms.reward_schedule import weight_at


class StageSchedules(TrainerCallback):
    """Sets scheduled reward weights before each step; logs them and the difficulty seen."""

    def __init__(self, trainer, stack):
        self.trainer, self.stack = trainer, stack

    def on_step_begin(self, args, state, control, **kwargs):
        for i, schedule in enumerate(self.stack.schedules):
            if schedule is not None:
                self.trainer.reward_weights[i] = weight_at(self.stack.weights[i], schedule, state.global_step,
                                                           state.max_steps)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs is None or "loss" not in logs:
            return
        logs["grpo/max_completion_length"] = args.max_completion_length
        logs["grpo/num_generations"] = args.num_generations
        for i, (fn, schedule) in enumerate(zip(self.stack.functions, self.stack.schedules)):
            if schedule is not None:
                logs[f"rewards/{fn.__name__}/weight"] = float(self.trainer.reward_weights[i])
        seen = self.trainer.difficulties_seen
        if seen:
            logs["data/difficulty"] = sum(seen) / len(seen)
            seen.clear()
