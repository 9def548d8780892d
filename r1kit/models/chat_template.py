"""Chat templates r1kit ships, and the checks it runs on a model's own template.

The ChatML template wraps the assistant turn in `{% generation %}` markers so TRL's
assistant-only SFT loss can find the tokens to train on.
"""

import re

CHATML = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{ '<|im_start|>assistant\\n' }}"
    "{%- generation -%}"
    "{{ message['content'] + '<|im_end|>' }}"
    "{%- endgeneration -%}"
    "{{ '\\n' }}"
    "{%- else -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)

TEMPLATES = {"chatml": CHATML}

_THINK_PREFILL = re.compile(r"add_generation_prompt[\s\S]{0,400}?<think>")


def prefills_think(template: str | None) -> bool:
    """True when the generation prompt opens a `<think>` block for the model.

    Such templates (DeepSeek-R1 distills, some Qwen3 variants) put `<think>` in the
    prompt, so completions never contain it and strict format rewards score 0.
    """
    if not template:
        return False
    return bool(_THINK_PREFILL.search(template))


def has_generation_markers(template: str | None) -> bool:
    """True when the template marks assistant content with `{% generation %}`."""
    return bool(template) and re.search(r"\{%-?\s*generation\s*-?%\}", template) is not None
