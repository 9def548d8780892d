"""Reading TRL's batch arguments: per-row dataset columns and completion lengths.

TRL passes every dataset column as a list with one value per completion. A reward must
still answer when a column is missing or has an odd shape, so these helpers never raise.
"""

from r1kit.errors import UserError
from r1kit.rewards.text import completion_text


def column(values, n: int) -> list:
    """`values` as a list of `n` per-row values; all None when the column is absent or misshapen."""
    if isinstance(values, (list, tuple)) and len(values) == n:
        return list(values)
    return [None] * n


def reward_columns(rows: list[dict], row_of: list[int]) -> dict:
    """The keyword arguments of a reward call, as TRL builds them: every example column but the prompt and the SFT
    `messages`, one value per completion, plus `prompts`; completion j belongs to example `row_of[j]`."""
    columns = {key: [rows[i][key] for i in row_of] for key in rows[0] if key not in ("prompt", "messages")}
    columns["prompts"] = [rows[i]["prompt"] for i in row_of]
    return columns


def lengths(completions, completion_ids=None, unit: str = "chars") -> list[int]:
    """Length of each completion, in characters, or in tokens when `unit="tokens"`.

    Token lengths come from TRL's `completion_ids`; without them (a direct call) the
    characters are counted instead.
    """
    if unit not in ("chars", "tokens"):
        raise UserError(f"reward option unit={unit!r} must be 'chars' or 'tokens'")
    n = len(completions)
    if unit == "tokens":
        ids = column(completion_ids, n)
        if all(_has_len(row) for row in ids):
            return [len(row) for row in ids]
    return [len(completion_text(c)) for c in completions]


def _has_len(value) -> bool:
    try:
        len(value)
    except TypeError:
        return False
    return not isinstance(value, str)


def prompt_groups(prompts, n: int, keep=None) -> list[list[int]]:
    """Indices of the completions that share a prompt, TRL's groups (no prompts: the batch is one group);
    `keep(i)` False leaves completion i out."""
    groups: dict[str, list[int]] = {}
    for i, prompt in enumerate(column(prompts, n)):
        if keep is None or keep(i):
            groups.setdefault(repr(prompt), []).append(i)
    return list(groups.values())
