"""Reading model output: the completion's text, whatever shape TRL gave it, and the tags a recipe names.

Every reward reads completions through `completion_text`, so that malformed output (None
content, odd message lists) is handled in one place; the answer inside the text is found
with `r1kit.answers`, the rules dataset adapters also read gold answers with.
"""

from r1kit.answers import close_tag, open_tag
from r1kit.errors import UserError


def completion_text(completion) -> str:
    """The text of one completion, whatever shape TRL gave it; "" for anything unreadable.

    TRL passes a plain string for standard prompts and a list of messages
    (`[{"role": "assistant", "content": ...}]`) for conversational ones. With several
    messages (tool calls), the assistant messages are joined in order, each with its parsed
    `reasoning_content` back in <think> tags. Content given as a
    list of parts (`{"type": "text", "text": ...}`) is joined too.
    """
    if isinstance(completion, str):
        return completion
    if isinstance(completion, dict):
        return _with_reasoning(completion)
    if isinstance(completion, (list, tuple)):
        texts = [
            _with_reasoning(message)
            for message in completion
            if isinstance(message, dict) and message.get("role", "assistant") == "assistant"
        ]
        return "\n".join(text for text in texts if text)
    return ""


def _with_reasoning(message: dict) -> str:
    """An assistant message's text, its `reasoning_content` put back in <think> tags: TRL's tool loop parses a reply
    into reasoning and content (Qwen's parser), and the format rewards must still see the <think> block."""
    text = _content_text(message.get("content"))
    reasoning = message.get("reasoning_content")
    return f"<think>{reasoning}</think>{text}" if isinstance(reasoning, str) and reasoning else text


def _content_text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        parts = [part.get("text") for part in content if isinstance(part, dict)]
        return "".join(part for part in parts if isinstance(part, str))
    return ""


def single_tags(text: str, think_tag: str, answer_tag: str) -> list[int] | None:
    """Where `<think>`, `</think>`, `<answer>`, `</answer>` start, in that order of tags, when
    each occurs exactly once; None otherwise. The first step of every strict format check."""
    tags = (open_tag(think_tag), close_tag(think_tag), open_tag(answer_tag), close_tag(answer_tag))
    if any(text.count(tag) != 1 for tag in tags):
        return None
    return [text.find(tag) for tag in tags]


def check_tag(option: str, tag) -> None:
    """Refuse a tag name that cannot be written as `<tag>` (a recipe mistake, not model output)."""
    if not isinstance(tag, str) or not tag or any(ch in tag for ch in "<>/") or tag != tag.strip():
        raise UserError(f"reward option {option}={tag!r} must be a tag name such as 'think' (no <, >, / or spaces)")
