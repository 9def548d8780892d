"""Length shaping: rewards that make the model say as much as it needs and no more."""

import math

from r1kit.errors import UserError
from r1kit.rewards.batch import lengths, prompt_groups
from r1kit.rewards.compose import accuracy_reward
from r1kit.rewards.registry import register


def _correctness(completions, correctness: str, correctness_kwargs: dict | None, kwargs: dict) -> list[bool | None]:
    """Whether each completion is right, by the accuracy reward `correctness` (>= 1 is right)."""
    reward = accuracy_reward(correctness, correctness_kwargs, option="correctness")
    return [None if score is None else score >= 1.0 for score in reward(completions, **kwargs)]


@register("cosine_length")
def cosine_length(
    completions,
    *,
    completion_ids=None,
    correctness: str = "math_accuracy",
    correctness_kwargs: dict | None = None,
    unit: str = "chars",
    max_len: int = 1000,
    min_value_wrong: float = -1.0,
    max_value_wrong: float = -0.5,
    min_value_correct: float = 0.5,
    max_value_correct: float = 1.0,
    **kwargs,
) -> list[float | None]:
    """Cosine length scaling of correctness: short right answers score highest, short wrong ones lowest.

    Source: Yeo et al. 2025, "Demystifying Long Chain-of-Thought Reasoning in LLMs"
    (Appendix C.1), as in open-r1's `get_cosine_scaled_reward`. With L = length / max_len
    (clamped to 1, as TRL does; open-r1 does not clamp, so its curve climbs back past
    max_len):
        r = v_min + (v_max - v_min) * (1 + cos(pi * L)) / 2
    Right: (v_min, v_max) = (min_value_correct, max_value_correct), so 1.0 at length 0,
    0.5 at max_len. Wrong: (v_min, v_max) = (max_value_wrong, min_value_wrong), so -1.0 at
    length 0, -0.5 at max_len: a long wrong answer is punished less, which keeps the
    model exploring. Length in characters (open-r1), or tokens with `unit="tokens"` (the
    paper, TRL). None where correctness does not apply.
    """
    if not isinstance(max_len, (int, float)) or max_len <= 0:
        raise UserError(f"cosine_length option max_len={max_len!r} must be a positive number")
    correct = _correctness(completions, correctness, correctness_kwargs, {**kwargs, "completion_ids": completion_ids})
    rewards = []
    for right, length in zip(correct, lengths(completions, completion_ids, unit), strict=True):
        if right is None:
            rewards.append(None)
            continue
        low, high = (min_value_correct, max_value_correct) if right else (max_value_wrong, min_value_wrong)
        progress = min(length / max_len, 1.0)
        rewards.append(low + 0.5 * (high - low) * (1.0 + math.cos(math.pi * progress)))
    return rewards


@register("kimi_length")
def kimi_length(
    completions,
    *,
    prompts=None,
    completion_ids=None,
    correctness: str = "math_accuracy",
    correctness_kwargs: dict | None = None,
    unit: str = "chars",
    **kwargs,
) -> list[float | None]:
    """Kimi k1.5 length reward within each prompt's group: lam = 0.5 - (len - min)/(max - min).

    Source: Kimi k1.5 (Kimi Team 2025), "length penalty", as in open-r1's `len_reward`.
    Within the completions of one prompt, lam = 0.5 - (len - min_len) / (max_len - min_len),
    or 0 for all when every length is equal. A right answer gets lam; a wrong one
    min(0, lam), so length is never rewarded for being wrong. Groups are completions with
    identical prompts (TRL's `prompts`); without prompts, the batch is one group. Length in
    characters (open-r1), or tokens with `unit="tokens"`. None where correctness does not
    apply.
    """
    n = len(completions)
    correct = _correctness(completions, correctness, correctness_kwargs,
                           {**kwargs, "prompts": prompts, "completion_ids": completion_ids})
    sizes = lengths(completions, completion_ids, unit)
    groups = prompt_groups(prompts, n)
    rewards: list[float | None] = [None] * n
    for members in groups:
        shortest, longest = min(sizes[i] for i in members), max(sizes[i] for i in members)
        for i in members:
            if correct[i] is None:
                continue
            lam = 0.0 if longest == shortest else 0.5 - (sizes[i] - shortest) / (longest - shortest)
            rewards[i] = lam if correct[i] else min(0.0, lam)
    return rewards


@register("concise_bonus")
def concise_bonus(
    completions,
    *,
    prompts=None,
    completion_ids=None,
    correctness: str = "math_accuracy",
    correctness_kwargs: dict | None = None,
    unit: str = "tokens",
    min_length: int = 100,
    **kwargs,
) -> list[float | None]:
    """Observe-R1 bonus: 1.0 for the shortest right answer of each prompt's group if it is over min_length, else 0.0.

    Source: Observe-R1 (zrguo/Observe-R1@f09c1e4, openrlhf/trainer/ppo_utils/experience_maker.py:537-544, options
    `--bonus_reward_coef 0.2`, `--bonus_constraint 100` in openrlhf/cli/train_ppo_ray.py:355-356): among the
    completions of one prompt that are right, the one with the fewest tokens gets the bonus (the first of them on
    a tie), provided it has more than `min_length` tokens, so the bonus goes to the most concise full reasoning,
    not to a bare answer. Observe-R1 adds 0.2 (use `weight: 0.2`). Its code also gives the bonus to the first
    completion of a group with no right answer (the minimum of all-infinite lengths is taken at index 0 and
    passes the length check); here such a group gets none. Groups are completions with identical prompts, as in
    `kimi_length`. None where correctness does not apply.
    """
    if isinstance(min_length, bool) or not isinstance(min_length, int) or min_length < 0:
        raise UserError(f"concise_bonus option min_length={min_length!r} must be a whole number >= 0")
    n = len(completions)
    correct = _correctness(completions, correctness, correctness_kwargs,
                           {**kwargs, "prompts": prompts, "completion_ids": completion_ids})
    sizes = lengths(completions, completion_ids, unit)
    groups = prompt_groups(prompts, n)
    rewards: list[float | None] = [None if right is None else 0.0 for right in correct]
    for members in groups:
        right = [i for i in members if correct[i]]
        if right:
            shortest = min(right, key=lambda i: sizes[i])
            if sizes[shortest] > min_length:
                rewards[shortest] = 1.0
    return rewards


@register("soft_overlong")
def soft_overlong(
    completions,
    *,
    completion_ids=None,
    max_completion_length: int = 1024,
    cache_length: int = 256,
    **kwargs,
) -> list[float]:
    """DAPO soft overlong punishment: 0 up to L_max - L_cache, a linear ramp to -1 at L_max, -1 beyond.

    Source: DAPO (Yu et al. 2025), Eq. 13, as in TRL's `get_soft_overlong_punishment`.
    With L_max = max_completion_length and L_cache = cache_length:
        0                                 if len <= L_max - L_cache
        (L_max - L_cache - len) / L_cache if L_max - L_cache < len <= L_max
        -1                                if len > L_max
    Length in tokens from TRL's `completion_ids`; in characters when they are not given
    (a direct call), which is only meaningful with L_max in characters too. Set
    max_completion_length to the trainer's value: a completion TRL cut off then has
    exactly L_max tokens and scores -1. The defaults are r1kit's (open-r1 uses
    16384/4096, `trl grpo` 1280/256).
    """
    if not isinstance(max_completion_length, int) or not isinstance(cache_length, int):
        raise UserError("soft_overlong options max_completion_length and cache_length must be whole numbers")
    if not 0 <= cache_length <= max_completion_length:
        raise UserError(
            f"soft_overlong option cache_length={cache_length} must be between 0 and "
            f"max_completion_length={max_completion_length}"
        )
    unit = "tokens" if completion_ids is not None else "chars"
    free = max_completion_length - cache_length
    rewards = []
    for length in lengths(completions, completion_ids, unit):
        if length <= free:
            rewards.append(0.0)
        elif length <= max_completion_length:
            rewards.append((free - length) / cache_length)
        else:
            rewards.append(-1.0)
    return rewards
