"""Reasoning-step reward: encourage reasoning written out as a few explicit steps."""

import re

from r1kit.rewards.registry import register
from r1kit.rewards.text import completion_text

# open-r1's pattern as it is: without re.MULTILINE, `^\d+\.` matches only at the very start.
STEP_PATTERN = re.compile(r"(Step \d+:|^\d+\.|\n-|\n\*|First,|Second,|Next,|Finally,)")
STEPS_FOR_FULL_REWARD = 3


@register("reasoning_steps")
def reasoning_steps(completions, **kwargs) -> list[float]:
    """Step markers / 3, capped at 1.0: "Step 1:", "First,", "Next,", a "-" or "*" bullet line...

    Source: open-r1's `reasoning_steps_reward` (`src/open_r1/rewards.py`): counts matches of
    `(Step \\d+:|^\\d+\\.|\\n-|\\n\\*|First,|Second,|Next,|Finally,)` and returns
    min(1, count / 3), three steps being its "magic number". The pattern is open-r1's
    unchanged, so its quirks stay: it is case-sensitive, a numbered list counts only when
    the text starts with "1." (no MULTILINE, so `^` is the start of the text; later "2."
    lines do not count), and a bullet needs a newline before it. It rewards the look of
    steps, not their content; pair it with an accuracy reward.
    """
    return [
        min(1.0, len(STEP_PATTERN.findall(completion_text(c))) / STEPS_FOR_FULL_REWARD) for c in completions
    ]
