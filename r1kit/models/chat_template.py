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

# ChatML with tool calling in Qwen2.5's call format (calls as <tool_call> JSON, results as <tool_response> in a user
# turn). The system turn lists each tool as one line, `name(arg: type, ...): description`, rather than Qwen's JSON
# schemas and instructions, with no default system text: a small character-level model reads every character.
# TRL's tool loop parses the calls with its Qwen response template (r1kit.tools.ready_for_tools sets it), and the
# whole assistant turn, calls included, is in {% generation %} so multi-turn SFT trains on the model's own turns only.
CHATML_TOOLS = (
    "{%- if tools -%}"
    "{{- '<|im_start|>system\\n' -}}"
    "{%- if messages and messages[0]['role'] == 'system' -%}{{- messages[0]['content'] + '\\n\\n' -}}{%- endif -%}"
    "{{- 'Tools:' -}}"
    "{%- for tool in tools -%}"
    "{%- set fn = tool['function'] if tool['function'] is defined else tool -%}"
    "{{- '\\n' + fn['name'] + '(' -}}"
    "{%- for arg, spec in (fn['parameters']['properties'] | default({})).items() -%}"
    "{{- (', ' if not loop.first else '') + arg + ': ' + (spec['type'] | default('any')) -}}"
    "{%- endfor -%}"
    "{{- '): ' + (fn['description'] | default('')) -}}"
    "{%- endfor -%}"
    "{{- '\\nCall one as <tool_call>\\n{\"name\": <name>, \"arguments\": <JSON object>}\\n</tool_call>"
    "<|im_end|>\\n' -}}"
    "{%- elif messages and messages[0]['role'] == 'system' -%}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{- '<|im_start|>assistant\\n' -}}"
    "{%- generation -%}"
    "{{- message['content'] or '' -}}"
    "{%- for call in message['tool_calls'] or [] -%}"
    "{%- set fn = call['function'] if call['function'] is defined else call -%}"
    "{%- set args = fn['arguments'] if fn['arguments'] is string else (fn['arguments'] | tojson) -%}"
    "{{- ('\\n' if (message['content'] or not loop.first) else '') + '<tool_call>\\n{\"name\": \"' + fn['name'] "
    "+ '\", \"arguments\": ' + args + '}\\n</tool_call>' -}}"
    "{%- endfor -%}"
    "{{- '<|im_end|>' -}}"
    "{%- endgeneration -%}"
    "{{- '\\n' -}}"
    "{%- elif message['role'] == 'tool' -%}"
    "{%- if loop.first or messages[loop.index0 - 1]['role'] != 'tool' -%}{{- '<|im_start|>user' -}}{%- endif -%}"
    "{{- '\\n<tool_response>\\n' + message['content'] + '\\n</tool_response>' -}}"
    "{%- if loop.last or messages[loop.index0 + 1]['role'] != 'tool' -%}{{- '<|im_end|>\\n' -}}{%- endif -%}"
    "{%- elif not (loop.first and message['role'] == 'system') -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)

# chatml_tools for a tiny model trained from scratch (the tools quickstart): the same turns and the same Qwen call
# format TRL's parser reads, in as few characters as it allows. The system turn is one line, `Tools: name(arg, ...)`
# (no descriptions, no instructions: the cold start teaches the format), a call is compact JSON with no newlines
# around it, `<tool_call>{"name":"calculator","arguments":{"expression": "1+2"}}</tool_call>`, and a reply is
# `<tool_response>3</tool_response>`. With the tiny tokenizer's tool-call tokens a 6-digit addition's calculator
# trajectory is 161-169 tokens (chatml_tools: 278-286; ~350 before those tokens). The chat_sft adapter passes the
# arguments as a JSON string, rendered as given; the arguments of a parsed call (a dict, in rollouts) go through
# `tojson`, whose separators are json.dumps's, as the adapter's string is: the context of the answer turn is then the
# same in rollouts as in the cold start (with compact separators here, a rollout's call was one token shorter than
# the one the model wrote, and the tiny model's copy of the reply into its answer slipped by a digit).
CHATML_TOOLS_TINY = (
    "{%- if tools -%}"
    "{{- '<|im_start|>system\\n' -}}"
    "{%- if messages and messages[0]['role'] == 'system' -%}{{- messages[0]['content'] + '\\n' -}}{%- endif -%}"
    "{{- 'Tools: ' -}}"
    "{%- for tool in tools -%}"
    "{%- set fn = tool['function'] if tool['function'] is defined else tool -%}"
    "{{- ('; ' if not loop.first else '') + fn['name'] + '(' + "
    "((fn['parameters']['properties'] | default({})).keys() | join(', ')) + ')' -}}"
    "{%- endfor -%}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- elif messages and messages[0]['role'] == 'system' -%}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{- '<|im_start|>assistant\\n' -}}"
    "{%- generation -%}"
    "{{- message['content'] or '' -}}"
    "{%- for call in message['tool_calls'] or [] -%}"
    "{%- set fn = call['function'] if call['function'] is defined else call -%}"
    "{%- set args = fn['arguments'] if fn['arguments'] is string else (fn['arguments'] | tojson) -%}"
    "{{- '<tool_call>{\"name\":\"' + fn['name'] + '\",\"arguments\":' + args + '}</tool_call>' -}}"
    "{%- endfor -%}"
    "{{- '<|im_end|>' -}}"
    "{%- endgeneration -%}"
    "{{- '\\n' -}}"
    "{%- elif message['role'] == 'tool' -%}"
    "{%- if loop.first or messages[loop.index0 - 1]['role'] != 'tool' -%}{{- '<|im_start|>user\\n' -}}{%- endif -%}"
    "{{- '<tool_response>' + message['content'] + '</tool_response>' -}}"
    "{%- if loop.last or messages[loop.index0 + 1]['role'] != 'tool' -%}{{- '<|im_end|>\\n' -}}{%- endif -%}"
    "{%- elif not (loop.first and message['role'] == 'system') -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)

TEMPLATES = {"chatml": CHATML, "chatml_vl": CHATML_VL, "chatml_tools": CHATML_TOOLS, "chatml_tools_tiny": CHATML_TOOLS_TINY}

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
