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

# ChatML for vision-language models: a message's content is a string or a list of parts,
# and each `{"type": "image"}` part becomes Qwen's vision placeholder, which the processor
# expands to one `<|image_pad|>` per merged image patch.
_VL_CONTENT = (
    "{%- if message['content'] is string -%}{{ message['content'] }}"
    "{%- else -%}{%- for part in message['content'] -%}"
    "{%- if part['type'] == 'image' or 'image' in part -%}{{ '<|vision_start|><|image_pad|><|vision_end|>' }}"
    "{%- elif part['type'] == 'text' -%}{{ part['text'] }}{%- endif -%}"
    "{%- endfor -%}{%- endif -%}"
)
CHATML_VL = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{ '<|im_start|>assistant\\n' }}"
    "{%- generation -%}" + _VL_CONTENT + "{{ '<|im_end|>' }}{%- endgeneration -%}"
    "{{ '\\n' }}"
    "{%- else -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' }}" + _VL_CONTENT + "{{ '<|im_end|>\\n' }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)

TEMPLATES = {"chatml": CHATML, "chatml_vl": CHATML_VL}

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
