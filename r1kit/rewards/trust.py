"""Trust-GRPO's thinking reward: a judge's score of the reasoning, weighted per group by how far it can be trusted.

SophiaVL-R1 (Fan et al. 2025, arXiv 2505.17018) adds a thinking reward model's score to the
outcome reward, but a reward model of reasoning can be wrong. Within each prompt's group of
completions, Trust-GRPO compares the thinking scores of right and wrong answers: when right
answers think worse on average than wrong ones, the thinking reward is not to be trusted there
and its weight shrinks. Put it beside the outcome reward(s) in a stack, with its weight (and
its annealing schedule) on this entry:

    rewards:
      - {name: math_accuracy, weight: 1.0}
      - name: trust_thinking
        weight: 0.3
        schedule: {to: 0.0, steps: 12000, shape: exp}
        judge: {name: judge_thinking, url: http://localhost:80/v1, model: thinking-reward-model}
        outcome: {name: math_accuracy}
"""

import json
import math
from collections.abc import Mapping

from r1kit.errors import UserError
from r1kit.rewards.batch import prompt_groups
from r1kit.rewards.registry import register

_BUILT: dict[str, object] = {}


def _entries(spec, option: str) -> list:
    """`spec` as a list of reward entries ({name | _target_, domains, **options}), built once per process."""
    specs = list(spec) if isinstance(spec, (list, tuple)) else [spec]
    if not specs or not all(isinstance(s, (str, Mapping)) for s in specs):
        raise UserError(f"trust_thinking option {option} must be a reward entry {{name, **options}} or a list of "
                        f"them, got {spec!r}")
    key = json.dumps([option, specs], sort_keys=True, default=str)
    if key not in _BUILT:
        from r1kit.rewards.stack import RewardStack  # the stack's own resolution: names, options, `domains:`

        built = []
        for i, entry in enumerate(specs):
            entry = {"name": entry} if isinstance(entry, str) else dict(entry)
            if {"weight", "schedule"} & set(entry):
                raise UserError(f"trust_thinking option {option}[{i}]: weight and schedule belong on the "
                                "trust_thinking entry itself")
            built.append(RewardStack._resolve(entry, f"trust_thinking.{option}[{i}]")[0])
        _BUILT[key] = built
    return _BUILT[key]


def _subset(columns: dict, keep: list[int], n: int) -> dict:
    return {k: [v[i] for i in keep] if isinstance(v, list) and len(v) == n else v for k, v in columns.items()}


@register("trust_thinking")
def trust_thinking(
    completions,
    *,
    prompts=None,
    judge=None,
    outcome=None,
    judge_from: float = 0.2,
    right_from: float = 0.5,
    solved_from: float = 0.9,
    failed_below: float = 0.1,
    **kwargs,
) -> list[float | None]:
    """Trust-GRPO (SophiaVL-R1): the judge's thinking score, trust-weighted within each prompt's group.

    Source: kxfan2002/SophiaVL-R1@a818494, verl/workers/reward/custom.py:296-346. Per group
    (completions with identical prompts, as `kimi_length`), with o the `outcome` score (the first
    of its entries that applies to the row) and t the `judge` score:
    - a group whose outcomes are all >= `solved_from` (0.9) or all <= `failed_below` (0.1) scores
      0 (no judge is asked: the thinking reward would only blur a clear outcome signal);
    - otherwise the judge scores the completions with o >= `judge_from` (0.2), the others get t = 0;
    - right answers are o >= `right_from` (0.5); if their mean t is below the wrong answers'
      mean t (and there is a right answer), the group's scores are t x exp(mean_right - mean_wrong),
      else t.
    SophiaVL-R1 multiplies its annealed weight by that factor; here the factor is in the score
    and the weight (with its schedule) on the entry, which is the same sum. `judge` is a reward
    entry (`judge_thinking` with `url`/`model`, any judge or `reward_model`); `outcome` one entry
    or a list of them with `domains:` (the first that applies to a row counts). Rows no outcome
    reward applies to score None and are left out of their group. Logs `trust_thinking/trust`,
    the mean factor over the groups that were judged.
    """
    for name, value in (("judge_from", judge_from), ("right_from", right_from), ("solved_from", solved_from),
                        ("failed_below", failed_below)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UserError(f"trust_thinking option {name}={value!r} must be a number")
    if judge is None or outcome is None:
        raise UserError("trust_thinking needs `judge` (a reward entry, e.g. {name: judge_thinking, url: ..., "
                        "model: ...}) and `outcome` (the outcome reward entry or entries it trusts the judge by)")
    if isinstance(judge, (list, tuple)):
        raise UserError("trust_thinking option judge is one reward entry, not a list")
    (judged,) = _entries(judge, "judge")
    outcomes = _entries(outcome, "outcome")
    n = len(completions)
    if n == 0:
        return []
    columns = {**kwargs, "prompts": prompts}
    score_lists = [fn(completions, **columns) for fn in outcomes]
    o = [next((s[i] for s in score_lists if s[i] is not None), None) for i in range(n)]
    mixed = [m for m in prompt_groups(prompts, n, keep=lambda i: o[i] is not None)
             if not (all(o[i] >= solved_from for i in m) or all(o[i] <= failed_below for i in m))]
    ask = [i for m in mixed for i in m if o[i] >= judge_from]
    t = [0.0] * n
    if ask:
        for i, score in zip(ask, judged([completions[i] for i in ask], **_subset(columns, ask, n)), strict=True):
            t[i] = float(score) if score is not None else 0.0
    rewards: list[float | None] = [None if x is None else 0.0 for x in o]
    factors = []
    for members in mixed:
        right = [t[i] for i in members if o[i] >= right_from]
        wrong = [t[i] for i in members if o[i] < right_from]
        right_mean = sum(right) / len(right) if right else 0.0
        wrong_mean = sum(wrong) / len(wrong) if wrong else 0.0
        factor = math.exp(right_mean - wrong_mean) if right and right_mean < wrong_mean else 1.0
        factors.append(factor)
        for i in members:
            rewards[i] = factor * t[i]
    log_metric = kwargs.get("log_metric")
    if callable(log_metric) and factors:
        log_metric("trust_thinking/trust", sum(factors) / len(factors))
    return rewards
