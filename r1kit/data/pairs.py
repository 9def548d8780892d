"""Preference pairs as a trainer reads them: a chat prompt, the chosen and the rejected assistant turn.

The `dpo` stage (TRL's DPOTrainer) trains on these rows as they are. The `preference`
adapter, by contrast, turns the same pairs into a judge's prompt for RL (RM-R1).
"""

from collections.abc import Mapping

from r1kit.data.adapters import Adapter
from r1kit.data.text_adapters import _response_text, _text


class PreferencePairs(Adapter):
    """Prompt + chosen + rejected -> `prompt` (chat messages), `chosen` and `rejected` (one assistant message each).

    The prompt may be text or a conversation; each response text, or a conversation whose
    last assistant message is the response. `answer` is the chosen response, for the eye.
    """

    name = "preference_pairs"
    required = ("prompt", "chosen", "rejected")

    def example(self, row):
        prompt = self.get(row, "prompt")
        if isinstance(prompt, (list, tuple)):
            messages = [dict(m) for m in prompt if isinstance(m, Mapping)]
            if len(messages) != len(prompt) or not messages:
                raise TypeError(f"column {self.columns['prompt']!r}: a conversation must be a non-empty list of "
                                "messages with `role` and `content`")
            if self.system_prompt and messages[0].get("role") != "system":
                messages.insert(0, {"role": "system", "content": self.system_prompt})
        else:
            messages = self.prompt(_text(prompt, f"column {self.columns['prompt']!r}"))
        chosen = _response_text(self.get(row, "chosen"), f"column {self.columns['chosen']!r}")
        rejected = _response_text(self.get(row, "rejected"), f"column {self.columns['rejected']!r}")
        if chosen == rejected:
            raise ValueError("the chosen and rejected responses are identical, so neither can be preferred")
        return {"prompt": messages, "chosen": [{"role": "assistant", "content": chosen}],
                "rejected": [{"role": "assistant", "content": rejected}], "answer": chosen, "task": self.name}
