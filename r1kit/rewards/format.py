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


@register("observe_format")
def observe_format(completions, *, observe_tag: str = "observe", think_tag: str = "think", answer_tag: str = "answer",
                   **kwargs) -> list[float]:
    """Observe-first format: 1.0 iff <observe>…</observe> comes before or inside <think>…</think>, then <answer>…</answer>.

    Source: Observe-R1 (zrguo/Observe-R1@f09c1e4, scripts/reward_func.py:107-121 `format_reward_func_mm`): each of
    the six tags exactly once, and either `<observe>…</observe> <think>…</think> <answer>…</answer>` or the
    observation inside the reasoning, `<think>…<observe>…</observe>…</think> <answer>…</answer>`; only whitespace
    between the blocks, none of them empty (around a nested observation, the reasoning needs text on both sides).
    Observe-R1 scores it 0.5 (use `weight: 0.5`). As there, text may come before the first block and after the
    answer (a regex search, not a fullmatch). Observe-R1's second layout skips its once-only lookaheads (they sit
    in the first alternative of the pattern only); here both layouts need every tag once.
    """
    for option, tag in (("observe_tag", observe_tag), ("think_tag", think_tag), ("answer_tag", answer_tag)):
        check_tag(option, tag)
    return [1.0 if _is_observe_first(completion_text(c), observe_tag, think_tag, answer_tag) else 0.0
            for c in completions]


def _is_observe_first(text: str, observe_tag: str, think_tag: str, answer_tag: str) -> bool:
    think = single_tags(text, think_tag, answer_tag)
    observe = single_tags(text, observe_tag, observe_tag)  # [<o>, </o>, <o>, </o>] when each occurs once
    if think is None or observe is None:
        return False
    t_open, t_close, a_open, a_close = think
    o_open, o_close = observe[0], observe[1]
    t_len, o_len = len(open_tag(think_tag)), len(open_tag(observe_tag))
    if not (t_close < a_open < a_close and text[t_close + len(close_tag(think_tag)):a_open].strip() == ""
            and text[a_open + len(open_tag(answer_tag)):a_close]):
        return False
    if o_close < t_open:  # <observe>…</observe> <think>…</think>
        return (o_open < o_close and text[o_open + o_len:o_close] != ""
                and text[o_close + len(close_tag(observe_tag)):t_open].strip() == ""
                and text[t_open + t_len:t_close] != "")
    # <think>…<observe>…</observe>…</think>
    return (t_open < o_open < o_close < t_close and text[t_open + t_len:o_open] != ""
            and text[o_open + o_len:o_close] != "" and text[o_close + len(close_tag(observe_tag)):t_close] != "")
