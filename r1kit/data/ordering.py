"""Datasets in a chosen order: easy to hard, for a difficulty curriculum within a stage.

`by_difficulty` concatenates the rows of several generators, easiest first, and tags
each row with its `difficulty`. A GRPO stage with `shuffle_dataset: false` then sees
the easy prompts first and switches to the next level after that part's rows, which is
how Jigsaw-R1 switches grid size after N prompts and SATURN goes from easy to hard.
"""

from r1kit.data.load import generate_rows
from r1kit.errors import UserError


def by_difficulty(parts: list) -> list[dict]:
    """Rows of each part in order; a part is a generator spec `{name|_target_, difficulty?, **options}`."""
    if not isinstance(parts, list) or not parts:
        raise UserError("generator by_difficulty: `parts` must be a non-empty list of generator specs, easiest first.")
    rows = []
    for level, part in enumerate(parts):
        if not isinstance(part, dict):
            raise UserError(f"generator by_difficulty: parts[{level}] must be a mapping, got {part!r}.")
        part = dict(part)
        difficulty = part.pop("difficulty", None)
        for row in generate_rows(part, f"by_difficulty.parts[{level}]"):
            row["difficulty"] = difficulty if difficulty is not None else row.get("difficulty", level)
            rows.append(row)
    return rows
