"""Reading model output: the completion's text and the tagged spans inside it.

Every reward reads completions through these helpers, so that malformed output (None
content, nested or repeated tags, 100k characters) is handled in one place. They are
linear in the length of the text: a hostile completion must not make a reward slow.
"""

import re

from r1kit.errors import UserError


def completion_text(completion) -> str:
    """The text of one completion, whatever shape TRL gave it; "" for anything unreadable.

    TRL passes a plain string for standard prompts and a list of messages
    (`[{"role": "assistant", "content": ...}]`) for conversational ones. With several
    messages (tool calls), the assistant messages are joined in order. Content given as a
    list of parts (`{"type": "text", "text": ...}`) is joined too.
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return _content_text(completion.get("content"))
    if isinstance(completion, (list, tuple)):
        texts = [
            _content_text(message.get("content"))
            for message in completion
            if isinstance(message, dict) and message.get("role", "assistant") == "assistant"
        ]
        return "\n".join(text for text in texts if text)
    return ""


def _content_text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        parts = [part.get("text") for part in content if isinstance(part, dict)]
        return "".join(part for part in parts if isinstance(part, str))
    return ""


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


_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")


def last_boxed(text: str, max_chars: int = 1000, max_tries: int = 10) -> str | None:
    """The content of the last well-formed `\\boxed{…}` (or `\\fbox{…}`), or None.

    Braces are matched; a box whose content runs past `max_chars` counts as malformed.
    Only the last `max_tries` boxes are tried, which keeps this fast on hostile text.
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


def answer_span(text: str, *, think_tag: str = "think", answer_tag: str = "answer") -> str | None:
    """The content of the last `<answer>` block outside the reasoning, or None if there is none."""
    return last_tag_block(outside_tag(text, think_tag), answer_tag)


def check_tag(option: str, tag) -> None:
    """Refuse a tag name that cannot be written as `<tag>` (a recipe mistake, not model output)."""
    if not isinstance(tag, str) or not tag or any(ch in tag for ch in "<>/") or tag != tag.strip():
        raise UserError(f"reward option {option}={tag!r} must be a tag name such as 'think' (no <, >, / or spaces)")
