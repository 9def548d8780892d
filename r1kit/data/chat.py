"""The `chat_sft` adapter: conversations (OpenAI `role/content` or ShareGPT `from/value`) as SFT rows.

Tool-use trajectories too: assistant turns with `tool_calls` and `tool` turns with the tools'
replies (OpenAI's form). The chat template renders them, and the SFT loss covers the
assistant turns only, calls included, never the tools' replies.
"""

import json
from collections.abc import Mapping

from r1kit.data.adapters import Adapter
from r1kit.errors import UserError

ROLE_ALIASES = {"human": "user", "gpt": "assistant", "bot": "assistant", "model": "assistant"}


def role_of(message: Mapping):
    """A message's role in OpenAI terms, whichever format names it."""
    role = message.get("role", message.get("from"))
    return ROLE_ALIASES.get(role, role)


class ChatSFT(Adapter):
    """Conversations (OpenAI `role/content` or ShareGPT `from/value`) to SFT rows.

    `tools: [calculator, ...]` (registered names or {_target_: ...}) puts those tools' JSON
    schemas in a `tools` column, which the chat template renders as a GRPO stage with the same
    `tools:` does, so the cold start and the RL see the same prompt. `environment:` (a spec as a
    GRPO stage names one) adds its tool methods' schemas after them, in TRL's order.
    """

    name = "chat_sft"
    required = ("messages",)
    optional = ("answer",)  # the gold answer rewards compare with; default: the last assistant message

    def __init__(self, columns=None, system_prompt: str | None = None, tools: list | None = None,
                 environment=None, metric: str | None = None, **options):
        super().__init__(columns, system_prompt, **options)
        schemas = tool_schemas(tools or [], f"adapter {self.name}: tools")
        schemas += environment_schemas(environment, f"adapter {self.name}: environment")
        self.tools = json.dumps(schemas) if schemas else None
        self.metric = metric  # the reward that scores held-out answers (e.g. exact_match against `answer`)

    def example(self, row):
        raw = self.get(row, "messages")
        if not isinstance(raw, list) or not raw:
            raise ValueError(f"column {self.columns['messages']!r} is not a non-empty list of messages")
        messages = [_message(m) for m in raw]
        if self.system_prompt and messages[0]["role"] != "system":
            messages.insert(0, {"role": "system", "content": self.system_prompt})
        if messages[-1]["role"] != "assistant" or messages[-1].get("tool_calls"):
            raise ValueError("the conversation does not end with an assistant message that answers")
        first_answer = next(i for i, m in enumerate(messages) if m["role"] == "assistant")
        # a tool-use trajectory's prompt is the task (up to its first assistant turn), the rest is the model's to write
        prompt = messages[:first_answer] if any(m["role"] == "tool" for m in messages) else messages[:-1]
        gold = self.get(row, "answer")
        out = {"messages": messages, "prompt": prompt, "task": self.name,
               "answer": str(gold) if gold is not None else messages[-1]["content"]}
        if self.tools:
            out["tools"] = self.tools
        return out


def _message(m) -> dict:
    if not isinstance(m, Mapping):
        raise TypeError(f"message {m!r} is not a mapping")
    role, content = role_of(m), m.get("content", m.get("value"))
    calls = m.get("tool_calls")
    if role == "assistant" and calls:
        return {"role": role, "content": content or "", "tool_calls": [_tool_call(c) for c in calls]}
    if role not in ("system", "user", "assistant", "tool") or not isinstance(content, str):
        raise ValueError(f"message {dict(m)!r} needs a role (system/user/assistant/tool) and text content")
    return {"role": role, "content": content, **({"name": str(m["name"])} if role == "tool" and m.get("name") else {})}


def _tool_call(call) -> dict:
    """One call in OpenAI's form, its arguments kept as JSON text (one column type, whatever each tool takes)."""
    fn = call.get("function", call) if isinstance(call, Mapping) else None
    if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str):
        raise TypeError(f"tool call {call!r} needs a function `name` and `arguments`")
    args = fn.get("arguments", {})
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            raise ValueError(f"tool call {fn['name']!r}: arguments {args!r} are not JSON") from None
    # json.dumps as chat templates' `tojson` writes it (transformers': ensure_ascii off), so a template renders the same
    # text from this string as from the parsed dict of a rollout's call
    return {"type": "function", "function": {"name": fn["name"], "arguments": json.dumps(args, ensure_ascii=False)}}


def tool_schemas(entries: list, where: str) -> list[dict]:
    """The JSON schemas of tools named as a GRPO stage names them (what the chat template renders)."""
    from transformers.utils import get_json_schema

    from r1kit.tools import TOOLS

    schemas = []
    for i, entry in enumerate(entries):
        fn, _ = TOOLS.resolve(entry, f"{where}[{i}]")
        try:
            schemas.append(get_json_schema(fn))
        except Exception as err:  # noqa: BLE001 - transformers raises its own TypeErrors
            raise UserError(f"{where}[{i}]: no schema for {entry!r}: {err}") from None
    return schemas


def environment_schemas(spec, where: str) -> list[dict]:
    """The JSON schemas of an environment's tool methods, in the order TRL shows them (after the stage's tools)."""
    if not spec:
        return []
    from transformers.utils import get_json_schema

    from r1kit.environments import environment_class, is_per_row, tool_methods

    if is_per_row(spec):
        raise UserError(f"{where}: name one environment (a per-row mapping gives each row other tools).")
    cls, _ = environment_class(spec, where)
    return [get_json_schema(getattr(cls, name)) for name in tool_methods(cls)]
