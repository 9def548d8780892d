"""Dataset adapters: raw rows in, example rows out (the example-row contract), and the registry that names them.

Every example has `prompt` (chat messages), `answer` (what rewards read) and `task`;
an adapter that can also build a cold-start target adds `messages` (the prompt plus
the assistant's reasoning) for SFT. Adapters check their columns up front and name
the row on bad data.
"""

from collections.abc import Mapping

from r1kit.components import Registry
from r1kit.errors import UserError

ADAPTERS = Registry("dataset adapter", {
    "math_qa": "r1kit.data.math_qa.MathQA",
    "addition": "r1kit.data.addition.Addition",
    "chat_sft": "r1kit.data.chat.ChatSFT",
    "rerank": "r1kit.data.text_adapters.Rerank",
    "translation": "r1kit.data.text_adapters.Translation",
    "preference": "r1kit.data.text_adapters.Preference",
    "preference_pairs": "r1kit.data.pairs.PreferencePairs",
    "mm_math": "r1kit.data.visual.MMMath",
    "classification": "r1kit.data.visual.Classification",
    "grounding": "r1kit.data.boxes.Grounding",
    "detection": "r1kit.data.boxes.Detection",
    "grounded_vqa": "r1kit.data.boxes.GroundedVQA",
    "gui_action": "r1kit.data.gui.GuiAction",
    "jigsaw": "r1kit.data.jigsaw.Jigsaw",
    "reasoning_gym": "r1kit.data.reasoning_gym.ReasoningGym",
    "code": "r1kit.data.code_tasks.Code",
    "temporal": "r1kit.data.temporal.Temporal",
    "environment_task": "r1kit.data.env_tasks.EnvironmentTask",
})

R1_SYSTEM_PROMPT = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
    "The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. "
    "The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, "
    "respectively, i.e., <think> reasoning process here </think><answer> answer here </answer>"
)


def get_adapter_class(name: str, where: str | None = None) -> type["Adapter"]:
    """The adapter class a dataset names (registered name or dotted path); errors name `where`, the key."""
    return ADAPTERS.resolve(name, where)[0]


def few_shot_turns(examples, adapter: str) -> list[dict]:
    """`few_shot: [{user: ..., assistant: ...}, ...]` as chat turns placed before every question.

    Worked examples in the prompt are how a small model that ignores a format instruction is shown the
    format (SmolLM2-135M answers bare numbers after two of them and never after the instruction alone).
    """
    if not examples:
        return []
    if not isinstance(examples, (list, tuple)) or not all(
            isinstance(e, Mapping) and set(e) == {"user", "assistant"}
            and all(isinstance(v, str) and v.strip() for v in e.values()) for e in examples):
        raise UserError(f"adapter {adapter}: `few_shot` must be a list of {{user: <text>, assistant: <text>}} "
                        f"examples, got {examples!r}")
    return [{"role": role, "content": e[role]} for e in examples for role in ("user", "assistant")]


class Adapter:
    """Base class: subclasses set `name`, `required`/`optional` columns and implement `example`."""

    name = "adapter"
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    metric: str | None = None  # the reward that scores held-out answers
    default_generator: dict | None = None  # rows made in code when a dataset gives no path

    def __init__(self, columns: Mapping[str, str] | None = None, system_prompt: str | None = None,
                 few_shot: list | None = None, **options):
        unknown = set(columns or {}) - set(self.required) - set(self.optional)
        if unknown:
            raise UserError(f"adapter {self.name}: unknown column role(s) {sorted(unknown)} in `columns`; "
                            f"it reads {', '.join(self.required + self.optional)}.")
        if options:  # a typo in `options:` must not be ignored; subclasses name their own options as parameters
            raise TypeError(f"the `{self.name}` adapter got unexpected keyword argument(s) {sorted(options)}; "
                            "it takes `system_prompt`, `few_shot` and the options its class defines")
        self.columns = {**{c: c for c in self.required + self.optional}, **(columns or {})}
        self.system_prompt = system_prompt
        self.few_shot = few_shot_turns(few_shot, self.name)

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
        return messages + self.few_shot + [{"role": "user", "content": user_text}]

    def example(self, row: Mapping) -> dict:
        raise NotImplementedError
