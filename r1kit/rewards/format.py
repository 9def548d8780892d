"""Format rewards: did the model write `<think>…</think>` then `<answer>…</answer>`?"""

from r1kit.answers import close_tag, open_tag
from r1kit.errors import UserError
from r1kit.rewards.registry import register
from r1kit.rewards.text import check_tag, completion_text, single_tags


@register("think_format")
def think_format(completions, *, think_tag: str = "think", answer_tag: str = "answer", layout: str = "strict",
                 prefix: str = "", **kwargs) -> list[float]:
    """Strict format: 1.0 iff the whole completion is <think>…</think> then <answer>…</answer>, else 0.0.

    Source: R1-V fullmatches the completion against
    `<think>.*?</think>\\s*<answer>.*?</answer>`; LMM-R1 (`math_verifier.py`) also requires
    each of the four tags exactly once. open-r1's `format_reward` is not a fullmatch: it
    uses `re.match` with `^…</answer>$` under MULTILINE, where `$` also matches at the end
    of any line, so text on the lines after `</answer>` (a second answer, say) still
    scores 1. r1kit does what R1-V's fullmatch does: surrounding whitespace is stripped,
    each tag must occur exactly once, the text must start with `<think>` and end with
    `</answer>`, and only whitespace may separate `</think>` from `<answer>`. Nothing may
    follow the answer: the prompt asks for it last, and trailing text could hold another
    answer for a reader to take instead. Newlines inside the blocks are allowed but not
    required (open-r1's `format` requires them; R1-V's does not).

    `layout: ordered` is RuleReasoner's looser check (verl/utils/reward_score/mix.py:format_reward,
    0 or -1 there, the same advantages up to that constant): the first `</think>` comes after the
    first `<think>` (or there is none), the first `<answer>` after the first `</think>`, and the
    first `</answer>` after that; text may surround the blocks and tags may repeat.

    `prefix` is what the chat template already wrote of the reply (ReCode's prompt ends with
    "Let me solve this step by step.\n<think>"): it is put back in front of the completion before
    the check, as ReCode's `format_reward` does with "<think>".
    """
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    if layout not in ("strict", "ordered"):
        raise UserError(f"think_format: layout={layout!r}: use `strict` (R1-V's fullmatch) or `ordered` (RuleReasoner)")
    if not isinstance(prefix, str):
        raise UserError(f"think_format: prefix={prefix!r} must be text (the part of the reply the prompt wrote)")
    check = _is_strict if layout == "strict" else _is_ordered
    return [1.0 if check(prefix + completion_text(c), think_tag, answer_tag) else 0.0 for c in completions]


def _is_ordered(text: str, think_tag: str, answer_tag: str) -> bool:
    """RuleReasoner's order of first occurrences, a missing tag at -1, as its format_reward compares them."""
    a, b, c, d = (text.find(tag) for tag in (open_tag(think_tag), close_tag(think_tag), open_tag(answer_tag),
                                              close_tag(answer_tag)))
    return a < b and c < d and b < c


def _is_strict(text: str, think_tag: str, answer_tag: str) -> bool:
    text = text.strip()
    positions = single_tags(text, think_tag, answer_tag)
    if positions is None or not (text.startswith(open_tag(think_tag)) and text.endswith(close_tag(answer_tag))):
        return False
    _, i, j, _ = positions
    # Each tag occurs once, so the order think-close < answer-open with only whitespace
    # between them fixes the whole layout.
    return len(open_tag(think_tag)) <= i < j and text[i + len(close_tag(think_tag)) : j].strip() == ""


@register("think_format_soft")
def think_format_soft(completions, *, think_tag: str = "think", answer_tag: str = "answer", **kwargs) -> list[float]:
    """Soft format: +0.25 for each of <think>, </think>, <answer>, </answer> that appears exactly once.

    Source: open-r1 `tag_count` (PR #418), a denser signal than the strict format early
    in training. open-r1 counts the tags with the newlines its strict format demands
    (`"<think>\\n"`, `"\\n</think>\\n"`, ...); `think_format` here demands none, so the bare
    tags are counted. Order is not checked: that is `think_format`'s job.
    """
    check_tag("think_tag", think_tag)
    check_tag("answer_tag", answer_tag)
    tags = (open_tag(think_tag), close_tag(think_tag), open_tag(answer_tag), close_tag(answer_tag))
    rewards = []
    for c in completions:
        text = completion_text(c)
        rewards.append(0.25 * sum(1 for tag in tags if text.count(tag) == 1))
    return rewards


@register("think_only_format")
def think_only_format(completions, *, think_tag: str = "think", **kwargs) -> list[float]:
    """Think-only format: 1.0 iff the completion opens with one <think>…</think> block, whatever follows; else 0.0.

    Source: TRL's `think_format_reward` (`trl/rewards/format_rewards.py`), for models whose
    answer follows the reasoning untagged (Qwen3, DeepSeek-R1's chat format): it matches
    `^<think>(?!.*<think>)(.*?)</think>.*$` with DOTALL, so the text must start with
    `<think>`, contain no second `<think>`, and close the block; any text may follow, and
    a stray extra `</think>` is allowed. No answer tags are required. Here leading
    whitespace is stripped first, as `think_format` does (TRL's `^` refuses it).
    """
    check_tag("think_tag", think_tag)
    opening, closing = open_tag(think_tag), close_tag(think_tag)
    rewards = []
    for c in completions:
        text = completion_text(c).lstrip()
        ok = text.startswith(opening) and text.count(opening) == 1 and closing in text[len(opening) :]
        rewards.append(1.0 if ok else 0.0)
    return rewards
