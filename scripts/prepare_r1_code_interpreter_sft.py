"""R1-Code-Interpreter's multi-turn SFT trajectories as chat_sft rows whose code runs through a `python` tool call.

R1-Code-Interpreter's model writes its code in the text as a ```python block; the runner executes it
and sends back a turn that opens with "Code Execution Results:"; the reply ends with <<<answer>>>.
TRL's tool loop (which the recipe's GRPO stage runs in) calls tools through the chat template's tool
calls instead, so `convert` rewrites each trajectory in that form: an assistant turn's last ```python
block becomes a call `python(code)` (the text before it stays the turn's content), and the next
"Code Execution Results:" turn becomes the tool's reply. Rows are `messages` (OpenAI role/content) or
`conversations` (ShareGPT from/value); the answer of the last turn is kept for the held-out check.

    python scripts/prepare_r1_code_interpreter_sft.py --source <trajectories.json> --out data/r1_code_interpreter_sft.jsonl
"""

import re
from collections.abc import Iterable, Iterator

from prepare_common import prepare_main  # scripts/prepare_common.py

RESULTS = "Code Execution Results:"
CODE = re.compile(r"```python\s*\n(.*?)```", re.DOTALL)
ANSWER = re.compile(r"<<<(.*?)>>>", re.DOTALL)
ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}


def _turn(message, where: str) -> dict:
    role = ROLES.get(str(message.get("role", message.get("from", ""))).lower())
    content = message.get("content", message.get("value"))
    if role is None or not isinstance(content, str):
        raise ValueError(f"{where}: message {message!r} needs a role (user/assistant/system) and text content")
    return {"role": role, "content": content}


def as_tool_calls(turns: list[dict], where: str) -> list[dict]:
    """The trajectory with each code block + its results turn as an assistant tool call + a tool message."""
    out = []
    for i, turn in enumerate(turns):
        if turn["role"] == "user" and turn["content"].lstrip().startswith(RESULTS):
            previous = out[-1] if out else None
            if previous is None or not previous.get("tool_calls"):
                raise ValueError(f"{where}: turn {i} gives code results, but the turn before it runs no code")
            out.append({"role": "tool", "name": "python", "content": turn["content"].lstrip()[len(RESULTS):].strip()})
            continue
        if turn["role"] == "assistant" and i + 1 < len(turns) and turns[i + 1]["content"].lstrip().startswith(RESULTS):
            blocks = list(CODE.finditer(turn["content"]))
            if not blocks:
                raise ValueError(f"{where}: turn {i} is followed by code results but holds no ```python block")
            code = blocks[-1]
            call = {"type": "function", "function": {"name": "python", "arguments": {"code": code.group(1).strip()}}}
            out.append({"role": "assistant", "content": turn["content"][: code.start()].rstrip(), "tool_calls": [call]})
            continue
        out.append(dict(turn))
    return out


def convert(rows: Iterable[dict]) -> Iterator[dict]:
    """Trajectories (messages or conversations) -> chat_sft rows: messages with python tool calls, and the answer."""
    for i, row in enumerate(rows):
        where = f"row {i}"
        raw = row.get("messages", row.get("conversations"))
        if not isinstance(raw, list) or not raw:
            raise ValueError(f"{where}: no `messages` (or `conversations`) list")
        messages = as_tool_calls([_turn(m, where) for m in raw], where)
        if messages[-1]["role"] != "assistant":
            raise ValueError(f"{where}: the trajectory does not end with the model's answer")
        answers = ANSWER.findall(messages[-1]["content"])
        yield {"messages": messages, **({"answer": answers[-1].strip()} if answers else {})}


def main(argv=None):
    prepare_main(convert, __doc__, "data/r1_code_interpreter_sft.jsonl",
                 "the SFT trajectories: a local json/jsonl/parquet file, or a hub id", argv=argv)


if __name__ == "__main__":
    main()
