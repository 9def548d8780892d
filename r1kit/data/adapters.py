"""Dataset adapters: raw rows in, example rows out (the example-row contract).

Every example has `prompt` (chat messages), `answer` (what rewards read) and `task`;
an adapter that can also build a cold-start target adds `messages` (the prompt plus
the assistant's reasoning) for SFT. Adapters check their columns up front and name
the row on bad data.
"""

from collections.abc import Mapping
from typing import ClassVar

from r1kit.components import lookup
from r1kit.errors import UserError

ADAPTERS: dict[str, type["Adapter"]] = {}

R1_SYSTEM_PROMPT = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
    "The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. "
    "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, "
    "respectively, i.e., <think> reasoning process here </think><answer> answer here </answer>"
)


def register(name: str):
    def deco(cls):
        cls.name = name
        ADAPTERS[name] = cls
        return cls

    return deco


def get_adapter_class(name: str, where: str = "adapter") -> type["Adapter"]:
    return lookup(name, ADAPTERS, f"dataset adapter ({where})")


class Adapter:
    """Base class: subclasses set `required`/`optional` columns and implement `example`."""

    name = "adapter"
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    metric: str | None = None  # the reward that scores held-out answers
    default_generator: dict | None = None  # rows made in code when a dataset gives no path

    def __init__(self, columns: Mapping[str, str] | None = None, system_prompt: str | None = None, **options):
        unknown = set(columns or {}) - set(self.required) - set(self.optional)
        if unknown:
            raise UserError(f"adapter {self.name}: unknown column role(s) {sorted(unknown)} in `columns`; "
                            f"it reads {', '.join(self.required + self.optional)}.")
        if options:  # a typo in `options:` must not be ignored; subclasses name their own options as parameters
            raise TypeError(f"the `{self.name}` adapter got unexpected keyword argument(s) {sorted(options)}; "
                            "it takes `system_prompt` and the options its class defines")
        self.columns = {**{c: c for c in self.required + self.optional}, **(columns or {})}
        self.system_prompt = system_prompt

    def check_columns(self, available: list[str], source: str):
        missing = [f"{role} (column {self.columns[role]!r})" for role in self.required
                   if self.columns[role] not in available]
        if missing:
            raise UserError(f"{source}: the `{self.name}` adapter needs {', '.join(missing)}, but the data has "
                            f"columns {available}. Map yours with `columns: {{{self.required[0]}: <your column>}}`.")

    def get(self, row: Mapping, role: str):
        return row.get(self.columns[role])

    def prompt(self, user_text: str) -> list[dict]:
        messages = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        return messages + [{"role": "user", "content": user_text}]

    def example(self, row: Mapping) -> dict:
        raise NotImplementedError


def extract_gold(answer: str) -> str:
    """Gold answer from GSM8K (`... #### 72`) or MATH (`... \\boxed{72}`) style text; else the text itself."""
    text = str(answer).strip()
    if "####" in text:
        return text.rsplit("####", 1)[1].strip().replace(",", "")
    boxed = last_boxed(text)
    return boxed if boxed is not None else text


def last_boxed(text: str) -> str | None:
    """Content of the last `\\boxed{...}`, braces balanced."""
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    depth, i = 0, start + len("\\boxed")
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i + 1 : j]
    return None


@register("math_qa")
class MathQA(Adapter):
    """Question -> answer, scored with math-verify. An optional `solution` column gives SFT targets."""

    required = ("question",)
    optional = ("answer", "solution")
    metric = "math_accuracy"

    def __init__(self, columns=None, system_prompt: str | None = R1_SYSTEM_PROMPT, **options):
        super().__init__(columns, system_prompt, **options)

    def check_columns(self, available, source):
        super().check_columns(available, source)
        if self.columns["answer"] not in available and self.columns["solution"] not in available:
            raise UserError(f"{source}: the `{self.name}` adapter needs an answer: a column "
                            f"{self.columns['answer']!r} or a solution {self.columns['solution']!r} with \\boxed{{}}, "
                            f"but the data has columns {available}. Map yours with `columns: {{answer: <column>}}`.")

    def example(self, row):
        question, answer, solution = self.get(row, "question"), self.get(row, "answer"), self.get(row, "solution")
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"column {self.columns['question']!r} is empty")
        raw = answer if answer not in (None, "") else solution
        if raw in (None, ""):
            raise ValueError(f"no answer in {self.columns['answer']!r} or {self.columns['solution']!r}")
        gold = extract_gold(raw)
        out = {"prompt": self.prompt(question), "answer": gold, "task": self.name}
        if solution:
            out["messages"] = out["prompt"] + [{"role": "assistant", "content": self.target(str(solution), gold)}]
        elif isinstance(answer, str) and "####" in answer:  # GSM8K carries its reasoning before ####
            out["messages"] = out["prompt"] + [
                {"role": "assistant", "content": self.target(answer.rsplit("####", 1)[0], gold)}]
        return out

    @staticmethod
    def target(reasoning: str, gold: str) -> str:
        """A cold-start target: the reasoning in <think>, the gold in <answer> (kept if already tagged)."""
        if "<think>" in reasoning and "<answer>" in reasoning:
            return reasoning.strip()
        return f"<think>{reasoning.strip()}</think><answer>{gold}</answer>"


@register("addition")
class Addition(MathQA):
    """The quickstart's synthetic task: multi-digit addition with column-by-column carry traces."""

    metric = "exact_match"
    default_generator: ClassVar[dict] = {"name": "addition"}

    def __init__(self, columns=None, system_prompt: str | None = None, **options):
        super().__init__(columns, system_prompt, **options)


ROLE_ALIASES = {"human": "user", "gpt": "assistant", "bot": "assistant", "model": "assistant"}


@register("chat_sft")
class ChatSFT(Adapter):
    """Conversations (OpenAI `role/content` or ShareGPT `from/value`) to SFT rows."""

    required = ("messages",)

    def example(self, row):
        raw = self.get(row, "messages")
        if not isinstance(raw, list) or not raw:
            raise ValueError(f"column {self.columns['messages']!r} is not a non-empty list of messages")
        messages = []
        for m in raw:
            if not isinstance(m, Mapping):
                raise TypeError(f"message {m!r} is not a mapping")
            role = m.get("role", m.get("from"))
            content = m.get("content", m.get("value"))
            role = ROLE_ALIASES.get(role, role)
            if role not in ("system", "user", "assistant") or not isinstance(content, str):
                raise ValueError(f"message {dict(m)!r} needs a role (system/user/assistant) and text content")
            messages.append({"role": role, "content": content})
        if self.system_prompt and messages[0]["role"] != "system":
            messages.insert(0, {"role": "system", "content": self.system_prompt})
        if messages[-1]["role"] != "assistant":
            raise ValueError("the conversation does not end with an assistant message")
        prompt = messages[:-1]
        return {"messages": messages, "prompt": prompt, "answer": messages[-1]["content"], "task": self.name}
