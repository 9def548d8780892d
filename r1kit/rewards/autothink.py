"""AutoThink's stage-wise reward: correctness by thinking mode, shaped per stage by length and batch balance.

AutoThink (Tu et al. 2025, arXiv 2505.10832) opens every reply with an ellipsis prompt, `<think>\\n...\\n`,
so the model may close the reasoning at once (no-think) or go on thinking. One reward serves its three
stages; the stage's options change the shaping. Source: TU2021/AutoThink@be0bcb0,
deepscaler/rewards/math_reward.py (base reward), deepscaler/rewards/reward_types.py (constants) and
verl/verl/trainer/main_ppo.py:51-133 (`_reweight_rewards`).
"""

import math
from itertools import pairwise
from statistics import mean, stdev

from r1kit.answers import last_boxed
from r1kit.errors import UserError
from r1kit.rewards.batch import lengths, prompt_groups
from r1kit.rewards.math_accuracy import math_accuracy
from r1kit.rewards.registry import register
from r1kit.rewards.text import completion_text

THINK_END = "</think>"
# (right, wrong) by mode: reward_types.py:15-22; an unreadable answer scores 0 in either mode
BASE = {True: (1.0, 0.0), False: (2.0, -1.0)}
# the targets the batch-balance shaping pulls an over-represented mode towards (main_ppo.py:105-124)
BALANCE_TARGETS = {True: (0.0, -1.0), False: (1.0, -2.0)}
DEGENERATE = -2.0  # math_reward.py:195-201


def degenerate(text: str, repeats: int = 10, max_ngram: int = 30, long_word: int = 120) -> bool:
    """A reply stuck in a loop: some n-gram (n <= 30 words) repeated `repeats` times in a row, counted over
    non-overlapping chunks, or a "word" of `long_word` characters (math_reward.py:111-201)."""
    words = text.split()
    if any(len(w) >= long_word for w in words):
        return True
    for n in range(1, min(max_ngram, len(words)) + 1):
        chunks = [tuple(words[i:i + n]) for i in range(0, len(words) - n + 1, n)]
        run = 1
        for previous, current in pairwise(chunks):
            run = run + 1 if current == previous else 1
            if run >= repeats:
                return True
    return False


def _z_scores(values: list[float]) -> list[float]:
    spread = max(stdev(values), 1e-6)  # unbiased, clamped as torch's std(unbiased=True).clamp_min(1e-6)
    centre = mean(values)
    return [(v - centre) / spread for v in values]


def _number(name: str, value, low: float, high: float = math.inf):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise UserError(f"autothink option {name}={value!r} must be a number in [{low}, {high}]")


@register("autothink")
def autothink(
    completions,
    *,
    answer=None,
    prompts=None,
    completion_ids=None,
    balance_rate: float = 1.0,
    penalty_slope: float = 2.0,
    alpha: float = 0.0,
    beta: float = 0.0,
    unit: str = "tokens",
    **kwargs,
) -> list[float | None]:
    """AutoThink: 1 right / 0 wrong when thinking, 2 / -1 without (-2 if looping), shaped by stage options.

    A completion that opens with `</think>` took the no-think path of the ellipsis prompt. The answer is
    the last `\\boxed{}` between the first `</think>` and any second one, checked by math-verify; none
    there scores 0 in either mode. Then, per prompt's group (stage 3: `alpha`, `beta` > 0), each right
    reply gains exp(-alpha z) - 1 and each wrong one 1 - exp(-beta z), z its length's z-score among the
    group's right (wrong) replies, when there are two or more: short right replies gain, long wrong ones
    lose less. Then, over the batch (stage 1: `balance_rate` 0.5), a mode whose share exceeds
    `balance_rate` has its rewards pulled towards 0 / -1 (think, right / wrong) or 1 / -2 (no-think) by
    f = clip(penalty_slope x (share - balance_rate), 0, 1). `balance_rate` 1 and alpha = beta = 0
    leave the base reward (stage 2).

    Differs from AutoThink: the batch is the completions one process scores (verl's is the whole
    rollout); the mode test reads `</think>` alone (AutoThink also wants the two newlines after it);
    the loop test reads the completion, not prompt + completion. None where the gold answer is missing.
    """
    _number("balance_rate", balance_rate, 0.0, 1.0)
    _number("penalty_slope", penalty_slope, 0.0)
    _number("alpha", alpha, 0.0)
    _number("beta", beta, 0.0)
    n = len(completions)
    texts = [completion_text(c) for c in completions]
    thinks = [not t.startswith(THINK_END) for t in texts]
    solutions = [t.split(THINK_END)[1] if THINK_END in t else "" for t in texts]
    scores = math_accuracy(solutions, answer=answer, mode="boxed", **kwargs)
    rights: list[bool] = []
    rewards: list[float | None] = []
    for text, think, solution, score in zip(texts, thinks, solutions, scores, strict=True):
        right = bool(score) and score >= 1.0
        rights.append(right)
        if score is None:
            rewards.append(None)
        elif last_boxed(solution) is None:  # no `</think>`, or no answer after it: a format error
            rewards.append(0.0)
        else:
            reward = BASE[think][0 if right else 1]
            rewards.append(DEGENERATE if reward < 0 and degenerate(text) else reward)

    if alpha or beta:
        sizes = lengths(completions, completion_ids, unit)
        for members in prompt_groups(prompts, n, keep=lambda i: rewards[i] is not None):
            for right, rate, sign in ((True, alpha, -1.0), (False, beta, 1.0)):
                side = [i for i in members if rights[i] == right]
                if len(side) > 1 and rate:
                    for i, z in zip(side, _z_scores([sizes[i] for i in side]), strict=True):
                        rewards[i] += sign * (1.0 - math.exp(-rate * z))

    scored = [i for i in range(n) if rewards[i] is not None]
    for mode in (True, False):
        share = sum(thinks[i] == mode for i in scored) / len(scored) if scored else 0.0
        if share > balance_rate:
            f = min(1.0, max(0.0, (share - balance_rate) * penalty_slope))
            for i in scored:
                if thinks[i] == mode:
                    target = BALANCE_TARGETS[mode][0 if rights[i] else 1]
                    rewards[i] = (1 - f) * rewards[i] + f * target
    return rewards

