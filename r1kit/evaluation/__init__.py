"""Evaluation: generate answers for held-out prompts and score them."""
