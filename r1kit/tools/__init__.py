"""Tools a GRPO stage's model may call during its rollouts (TRL's tool loop), by registered name or dotted path.

A tool is a plain function with type hints and a Google-style docstring (its `Args:`): TRL
renders its JSON schema into the prompt (transformers' `get_json_schema`) and calls it with the
arguments the model wrote. What it returns is shown to the model as the tool's reply.
"""

from r1kit.components import Registry

TOOLS = Registry("tool", {"calculator": "r1kit.tools.calculator.calculator", "python": "r1kit.tools.python.python"})
