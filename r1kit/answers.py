"""Find the final answer in text: tagged spans, `\\boxed{}`, GSM8K's `####`.

One set of rules for both sides of a comparison: rewards and evaluation read a model's
prediction with them, dataset adapters read the gold answer with them. They are linear
in the length of the text, so hostile model output (nested or repeated tags, 100k
characters) cannot make a reward slow. This module imports nothing of r1kit, so data,
rewards and evaluation can all depend on it.
"""

import re


def open_tag(tag: str) -> str:
    return f"<{tag}>"


def close_tag(tag: str) -> str:
    return f"</{tag}>"


def _tag_events(text: str, tag: str) -> list[tuple[int, bool]]:
    """Positions of every opening (True) and closing (False) `tag`, in order."""
    events = [(m.start(), True) for m in re.finditer(re.escape(open_tag(tag)), text)]
    events += [(m.start(), False) for m in re.finditer(re.escape(close_tag(tag)), text)]
    events.sort()
    return events


def tag_blocks(text: str, tag: str) -> list[str]:
    """Contents of every `<tag>…</tag>` block, matched like the non-greedy regex
    `<tag>(.*?)</tag>`: an opening tag inside an open block is just text."""
    blocks, start = [], None
    for pos, is_open in _tag_events(text, tag):
        if is_open and start is None:
            start = pos + len(open_tag(tag))
        elif not is_open and start is not None:
            blocks.append(text[start:pos])
            start = None
    return blocks


def last_tag_block(text: str, tag: str) -> str | None:
    """The content of the last complete `<tag>…</tag>` block, or None if there is none."""
    blocks = tag_blocks(text, tag)
    return blocks[-1] if blocks else None


def outside_tag(text: str, tag: str) -> str:
    """The text with every `<tag>…</tag>` block removed: what the model said outside its reasoning.

    An unclosed `<tag>` hides everything after it (the reasoning never ended). A stray
    `</tag>` with no opening hides everything before it (a chat template that prefills
    `<think>`, or a nested block), so only what follows the reasoning counts.
    """
    pieces, start, inside = [], 0, False
    for pos, is_open in _tag_events(text, tag):
        if inside:
            if not is_open:
                inside, start = False, pos + len(close_tag(tag))
        elif is_open:
            pieces.append(text[start:pos])
            inside = True
        else:
            pieces, start = [], pos + len(close_tag(tag))
    if not inside:
        pieces.append(text[start:])
    return "".join(pieces)


def answer_span(text: str, *, think_tag: str = "think", answer_tag: str = "answer") -> str | None:
    """The content of the last `<answer>` block outside the reasoning, or None if there is none."""
    return last_tag_block(outside_tag(text, think_tag), answer_tag)


_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")


def last_boxed(text: str, max_chars: int = 1000, max_tries: int = 10) -> str | None:
    """The content of the last well-formed `\\boxed{…}` (or `\\fbox{…}`), or None.

    Braces are matched; a box whose content runs past `max_chars` counts as malformed,
    and so does one never closed: the box before it is tried. Only the last `max_tries`
    boxes are tried, which keeps this fast on hostile text.
    """
    starts = [m.end() for m in _BOXED.finditer(text)]
    for start in reversed(starts[-max_tries:]):
        depth = 1
        for i in range(start, min(len(text), start + max_chars + 1)):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    return text[start:i]
    return None


def gold_answer(answer) -> str:
    """The gold answer in a reference: after GSM8K's `####` (thousands commas dropped), else
    the last `\\boxed{}` of a MATH-style solution, else the whole text, stripped.

    The box is read by the same rules as a prediction's, without the length cap that
    guards against hostile model output (a reference is trusted).
    """
    text = str(answer).strip()
    if "####" in text:
        return text.rsplit("####", 1)[1].strip().replace(",", "")
    boxed = last_boxed(text, max_chars=len(text))
    return boxed if boxed is not None else text
