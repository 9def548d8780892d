"""A reward for generate-stage tests: right for about half of a random model's samples, the same on every run."""

from r1kit.rewards.text import completion_text


def even_length(completions, **kwargs):
    return [1.0 if len(completion_text(c)) % 2 == 0 else 0.0 for c in completions]
