"""Test rewards for the launcher's 1-process vs 2-process comparison (tests/integration/test_launch_deepspeed.py).

Sampled completions differ between the runs (each rank draws from its own RNG stream),
but the prompts of each step must not: `prompt_probe` ignores the completion, so its
per-step mean is the same exactly when the global batches hold the same rows.
`digit_share` is a dense signal in which an untrained model's samples differ, so the
GRPO stage really updates the weights (format and correctness rewards are all 0 there).
"""

from r1kit.rewards.text import completion_text


def prompt_probe(completions, answer, **_):
    return [float(a) for a in answer]


def digit_share(completions, **_):
    texts = [completion_text(c) for c in completions]
    return [sum(ch.isdigit() for ch in t) / max(len(t), 1) for t in texts]
