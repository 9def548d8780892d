"""A generate stage: sample from the current weights, score with a reward stack, keep by a filter, write a dataset.

It covers rejection sampling and self-improvement (OpenVLThinker regenerates its SFT data from
the RL model), hard-sample mining (Vision-G1, Fleming-R1: prompts whose pass rate lies in a
band) and on-policy preference pairs (Light-R1's DPO data). `keep:` chooses:

- `correct`: every distinct completion whose reward reaches `correct_threshold`, as SFT rows
  (`messages` = prompt + the completion); `max_per_prompt` caps them;
- `shortest_correct`: the shortest such completion per prompt;
- `pass_rate`: the prompts themselves, unchanged, whose share of correct samples lies in
  `pass_rate: [low, high]` (both included), for a later GRPO stage;
- `pairs`: per prompt, the best-rewarded correct completion as `chosen` and the worst incorrect
  one as `rejected`, for a dpo or reward_model stage; with `chosen: reference` the chosen one is the
  row's own SFT target instead (Light-R1's semi-on-policy DPO: a verified teacher answer against the
  model's own wrong one);
- `all`: every completion with its reward.

The dataset is the stage's final/ (r1kit.data.generated), written atomically; a later stage
reads it as `data: stage:<name>`. No weights change, so `init_from: previous` of the next
stage skips this one. Under a launcher each process samples its share of the prompts and the
main process writes the whole. A rerun skips a finished generate stage and restarts an
interrupted one from its first prompt.
"""

import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from transformers import TrainingArguments

from r1kit.checks import above, at_least
from r1kit.data.generated import write_generated
from r1kit.errors import UserError
from r1kit.rewards.batch import reward_columns
from r1kit.run import ranks
from r1kit.run.rundir import append_metrics
from r1kit.stages.common import StageSchema
from r1kit.stages.plan import StageKind, StagePlan

KEEP = ("correct", "shortest_correct", "pass_rate", "pairs", "all")


@dataclass
class GenerateStageSchema(StageSchema):
    rewards: list[Any] = field(default_factory=list)  # the stack that scores each sample, as in a grpo stage
    reward_errors: str = "zero"
    keep: str = "correct"  # correct | shortest_correct | pass_rate | pairs | all
    correct_threshold: float = 1.0  # a sample is correct when its weighted reward reaches this
    pass_rate: list[float] = field(default_factory=lambda: [0.0, 1.0])  # keep: pass_rate, the band kept
    chosen: str = "sample"  # keep: pairs, the chosen side: the best correct sample, or the row's SFT `reference`
    max_per_prompt: int | None = field(default=None, metadata=at_least(1))  # keep: correct, distinct samples kept
    n: int = field(default=8, metadata=at_least(1))  # samples per prompt
    temperature: float = field(default=1.0, metadata=at_least(0))  # 0 is greedy
    top_p: float = field(default=1.0, metadata=above(0, le=1))
    max_new_tokens: int = field(default=256, metadata=at_least(1))
    batch_size: int = field(default=64, metadata=at_least(1))  # sequences per generate() call
    limit: int | None = field(default=None, metadata=at_least(1))  # the first `limit` prompts only


def check(where: str, stage: dict, trainer: dict, context: dict):
    from r1kit.rewards.stack import RewardStack

    if trainer:
        raise UserError(f"{where}.{next(iter(trainer))}: a generate stage trains nothing; it takes n, temperature, "
                        "top_p, max_new_tokens, batch_size, limit, rewards, keep and the keep options.")
    if stage["keep"] not in KEEP:
        raise UserError(f"{where}.keep={stage['keep']!r}: choose one of {', '.join(KEEP)}.")
    if stage["reward_errors"] not in ("zero", "raise"):
        raise UserError(f"{where}.reward_errors={stage['reward_errors']!r}: use `zero` or `raise`.")
    if not stage["rewards"]:
        raise UserError(f"{where}: a generate stage scores its samples with `rewards:`, e.g. "
                        "`[{name: think_format, weight: 0.5}, {name: math_accuracy, weight: 0.5}]`.")
    RewardStack(stage["rewards"], stage["reward_errors"], f"{where}.rewards")
    band = stage["pass_rate"]
    if len(band) != 2 or not 0 <= band[0] <= band[1] <= 1:
        raise UserError(f"{where}.pass_rate={band}: give [low, high] with 0 <= low <= high <= 1.")
    if stage["chosen"] not in ("sample", "reference"):
        raise UserError(f"{where}.chosen={stage['chosen']!r}: use `sample` (the best correct sample) or `reference` "
                        "(the row's SFT target); it applies to keep: pairs.")
    if stage["keep"] == "pairs" and stage["n"] < 2 and stage["chosen"] == "sample":
        raise UserError(f"{where}.n={stage['n']}: keep: pairs needs at least 2 samples per prompt.")


@dataclass
class Generate:
    """The part of a trainer the curriculum uses (train, state, save_final) for a stage that writes data."""

    plan: StagePlan
    state: Any = field(default_factory=lambda: SimpleNamespace(global_step=0))
    rows: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    @property
    def args(self):
        return self.plan.args

    def train(self, resume_from_checkpoint=None):
        from r1kit.rewards.stack import RewardStack

        plan, stage = self.plan, self.plan.stage
        examples = plan.train_dataset
        if stage["limit"]:
            examples = examples.select(range(min(stage["limit"], len(examples))))
        started = time.perf_counter()
        mine = list(range(ranks.rank(), len(examples), ranks.world()))  # each process samples its share
        texts = self._sample(examples.select(mine)) if mine else []
        texts = [t for share in ranks.gather(list(zip(mine, texts))) for t in share]
        texts = [group for _, group in sorted(texts)]
        seconds = time.perf_counter() - started
        stack = RewardStack(stage["rewards"], stage["reward_errors"], f"{plan.where}.rewards")
        rows = examples.to_list()
        rewards = score(stack, rows, texts)
        self.rows, kept_prompts = keep(stage, rows, texts, rewards)
        self.summary = summarize(stage, rows, texts, rewards, self.rows, kept_prompts, seconds)
        self.state.global_step = 1
        if ranks.is_main():
            append_metrics(plan.metrics_file, plan.name, 1, {f"generate/{k}": v for k, v in self.summary.items()
                                                            if isinstance(v, (int, float))})
        if not self.rows:
            raise UserError(f"{plan.where}: keep: {stage['keep']} kept nothing from {len(rows)} prompts x {stage['n']} "
                            f"samples (mean reward {self.summary['mean_reward']:.3f}, correct means >= "
                            f"{stage['correct_threshold']}). Lower correct_threshold, raise n or max_new_tokens, or "
                            "widen pass_rate.")

    def _sample(self, examples) -> list[list[str]]:
        """n completions per prompt; ZeRO-3-sharded weights are gathered for the duration (the model fits one device)."""
        from contextlib import nullcontext

        from r1kit.models.generation import generate_transformers, prompts_with_images

        stage, model = self.plan.stage, self.plan.model
        sharded = [p for p in model.parameters() if hasattr(p, "ds_id")]
        if sharded:
            import deepspeed

            gathered = deepspeed.zero.GatheredParameters(sharded)
        else:
            gathered = nullcontext()
        model.to(ranks.state().device)
        with gathered:
            groups = generate_transformers(model, self.plan.processing_class, prompts_with_images(examples), n=stage["n"],
                                           max_new_tokens=stage["max_new_tokens"], batch_size=stage["batch_size"],
                                           temperature=stage["temperature"], top_p=stage["top_p"],
                                           label=f"generate {self.plan.name}", show_progress=ranks.is_main())
        return [[c.text for c in group] for group in groups]

    def save_final(self, path):
        if ranks.is_main():
            write_generated(path, self.rows, self.summary)
        ranks.barrier()


def score(stack, rows: list[dict], texts: list[list[str]]) -> list[list[float]]:
    """The stack's weighted reward of every sample, the rewards called as TRL calls them (columns as kwargs)."""
    flat = [(i, t) for i, group in enumerate(texts) for t in group]
    columns = reward_columns(rows, [i for i, _ in flat])
    total = [0.0] * len(flat)
    for fn, weight in zip(stack.functions, stack.weights):
        for j, value in enumerate(fn([t for _, t in flat], **columns)):
            total[j] += weight * (value or 0.0)
    out, j = [], 0
    for group in texts:
        out.append(total[j : j + len(group)])
        j += len(group)
    return out


def keep(stage: dict, rows: list[dict], texts: list[list[str]], rewards: list[list[float]]) -> tuple[list[dict], int]:
    """The rows `keep:` selects, and how many prompts contributed one."""
    mode, threshold = stage["keep"], stage["correct_threshold"]
    kept, prompts = [], 0
    for row, group, scores in zip(rows, texts, rewards):
        base = {k: v for k, v in row.items() if k != "messages"}
        correct = [(s, len(t), t) for t, s in zip(group, scores) if s >= threshold]
        if mode == "pass_rate":
            rate = len(correct) / len(group)
            chosen = [{**row, "pass_rate": rate}] if stage["pass_rate"][0] <= rate <= stage["pass_rate"][1] else []
        elif mode == "pairs":
            wrong = [(s, len(t), t) for t, s in zip(group, scores) if s < threshold]
            if stage["chosen"] == "reference":
                correct = [(None, 0, row["messages"][-1]["content"])]
            chosen = []
            if correct and wrong:
                best = max(correct, key=lambda c: (c[0] or 0, -c[1]))
                worst = min(wrong, key=lambda c: (c[0], c[1]))
                chosen = [{**base, "chosen": [_assistant(best[2])], "rejected": [_assistant(worst[2])],
                           "chosen_reward": best[0], "rejected_reward": worst[0]}]
        elif mode == "all":
            chosen = [_sft_row(base, t, s) for t, s in zip(group, scores)]
        else:
            distinct = list({t: (s, n, t) for s, n, t in sorted(correct, key=lambda c: c[1])}.values())
            if mode == "shortest_correct":
                distinct = distinct[:1]
            elif stage["max_per_prompt"]:
                distinct = distinct[: stage["max_per_prompt"]]
            chosen = [_sft_row(base, t, s) for s, _, t in distinct]
        kept += chosen
        prompts += bool(chosen)
    return kept, prompts


def _assistant(text: str, parts: bool = False) -> dict:
    """An assistant turn; as a list of parts when the prompt's turns are (a vision-language row)."""
    return {"role": "assistant", "content": [{"type": "text", "text": text}] if parts else text}


def _sft_row(base: dict, text: str, reward: float) -> dict:
    parts = not isinstance(base["prompt"][-1]["content"], str)
    return {**base, "messages": list(base["prompt"]) + [_assistant(text, parts)], "completion": text, "reward": reward}


def summarize(stage, rows, texts, rewards, kept, kept_prompts, seconds) -> dict:
    flat = [s for group in rewards for s in group]
    rates = [sum(s >= stage["correct_threshold"] for s in group) / len(group) for group in rewards]
    samples = len(flat)
    return {
        "keep": stage["keep"], "prompts": len(rows), "samples": samples, "rows_kept": len(kept),
        "prompts_kept": kept_prompts, "mean_reward": sum(flat) / max(samples, 1),
        "correct_rate": sum(rates) / max(len(rates), 1),
        "all_correct_prompts": sum(r == 1 for r in rates), "none_correct_prompts": sum(r == 0 for r in rates),
        "mean_completion_chars": sum(len(t) for group in texts for t in group) / max(samples, 1),
        "seconds": round(seconds, 1), "samples_per_second": round(samples / max(seconds, 1e-9), 2),
        "settings": {k: stage[k] for k in ("n", "temperature", "top_p", "max_new_tokens", "correct_threshold",
                                           "pass_rate", "max_per_prompt", "limit")},
    }


def build(plan: StagePlan):
    columns = plan.train_dataset.column_names
    if "prompt" not in columns:
        raise UserError(f"{plan.where}: a generate stage samples from prompts, but dataset {plan.stage['data']!r} has "
                        f"columns {columns}.")
    if plan.stage["keep"] == "pairs" and plan.stage["chosen"] == "reference" and "messages" not in columns:
        raise UserError(f"{plan.where}.chosen=reference: the chosen answer is each row's SFT target, but dataset "
                        f"{plan.stage['data']!r} has none (columns {columns}); give it a `solution` column, or use "
                        "chosen: sample.")
    return Generate(plan)


KIND = StageKind("generate", GenerateStageSchema, TrainingArguments, check, build, policy=False, makes_data=True)
