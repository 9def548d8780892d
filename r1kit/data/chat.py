"""The `chat_sft` adapter: conversations (OpenAI `role/content` or ShareGPT `from/value`) as SFT rows."""

from collections.abc import Mapping

from r1kit.data.adapters import Adapter

ROLE_ALIASES = {"human": "user", "gpt": "assistant", "bot": "assistant", "model": "assistant"}


def role_of(message: Mapping):
    """A message's role in OpenAI terms, whichever format names it."""
    role = message.get("role", message.get("from"))
    return ROLE_ALIASES.get(role, role)


class ChatSFT(Adapter):
    """Conversations (OpenAI `role/content` or ShareGPT `from/value`) to SFT rows."""

    name = "chat_sft"
    required = ("messages",)

    def example(self, row):
        raw = self.get(row, "messages")
        if not isinstance(raw, list) or not raw:
            raise ValueError(f"column {self.columns['messages']!r} is not a non-empty list of messages")
        messages = []
        for m in raw:
            if not isinstance(m, Mapping):
                raise TypeError(f"message {m!r} is not a mapping")
            role, content = role_of(m), m.get("content", m.get("value"))
            if role not in ("system", "user", "assistant") or not isinstance(content, str):
                raise ValueError(f"message {dict(m)!r} needs a role (system/user/assistant) and text content")
            messages.append({"role": role, "content": content})
        if self.system_prompt and messages[0]["role"] != "system":
            messages.insert(0, {"role": "system", "content": self.system_prompt})
        if messages[-1]["role"] != "assistant":
            raise ValueError("the conversation does not end with an assistant message")
        prompt = messages[:-1]
        return {"messages": messages, "prompt": prompt, "answer": messages[-1]["content"], "task": self.name}
