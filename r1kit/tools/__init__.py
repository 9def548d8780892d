"""Tools a GRPO stage's model may call during its rollouts (TRL's tool loop), by registered name or dotted path.

A tool is a plain function with type hints and a Google-style docstring (its `Args:`): TRL
renders its JSON schema into the prompt (transformers' `get_json_schema`) and calls it with the
arguments the model wrote. What it returns is shown to the model as the tool's reply.
"""

from r1kit.components import Registry
from r1kit.errors import UserError

TOOLS = Registry("tool", {"calculator": "r1kit.tools.calculator.calculator", "python": "r1kit.tools.python.python"})


def resolve_tools(entries: list, where: str) -> list:
    """The tools a stage (or `r1kit eval`) names, as guarded functions, each with the JSON schema the chat template
    renders (checked here, before any model loads: transformers' get_json_schema needs type hints and a docstring
    with `Args:`)."""
    from transformers.utils import get_json_schema

    from r1kit.tools.guard import guarded

    tools = []
    for i, entry in enumerate(entries):
        fn, options = TOOLS.resolve(entry, f"{where}[{i}]")
        if options:
            raise UserError(f"{where}[{i}]: a tool takes no options ({sorted(options)}); give `name` or `_target_`.")
        if not callable(fn):
            raise UserError(f"{where}[{i}]: {entry!r} is not a function.")
        try:
            get_json_schema(fn)
        except Exception as err:  # noqa: BLE001 - transformers raises its own TypeErrors for each missing piece
            raise UserError(f"{where}[{i}]: the model cannot be shown how to call {getattr(fn, '__name__', fn)!r}: "
                            f"{err}. A tool needs type hints and a docstring with an `Args:` section.") from None
        tools.append(guarded(fn))  # a time limit and a reply cap (r1kit/tools/guard.py)
    names = [t.__name__ for t in tools]
    if len(set(names)) != len(names):
        raise UserError(f"{where}: two tools are named alike ({names}); the model calls them by name.")
    return tools


def ready_for_tools(processing_class, where: str):
    """The chat template must render tool calls and the tokenizer must parse them: r1kit's chatml_tools gets TRL's
    Qwen parser (chatml_tools_tiny too); a hub model's template is left to TRL, which knows Qwen, Llama 3 and others."""
    from trl.chat_template_utils import supports_tool_calling

    from r1kit.models.chat_template import CHATML_TOOLS, CHATML_TOOLS_TINY

    tokenizer = getattr(processing_class, "tokenizer", processing_class)
    if not supports_tool_calling(processing_class):
        raise UserError(f"{where}: the model's chat template cannot render tool calls. Set "
                        "model.chat_template=chatml_tools (ChatML with Qwen-style <tool_call> blocks), or use a "
                        "model whose template supports tools.")
    if getattr(tokenizer, "response_template", None) is not None or getattr(tokenizer, "response_schema", None):
        return
    if tokenizer.chat_template in (CHATML_TOOLS, CHATML_TOOLS_TINY):
        from trl.chat_template_utils import qwen3_template

        tokenizer.response_template = qwen3_template
        return
    from trl.chat_template_utils import add_response_schema

    try:  # what GRPOTrainer does itself; r1kit's eval tool loop parses replies with the same template
        add_response_schema(processing_class)
    except ValueError:
        raise UserError(f"{where}: the model's chat template renders tool calls, but TRL knows no parser for its "
                        "replies (it knows Qwen 2.5/3, Llama 3.1/3.2, GLM-4, GPT-OSS and others). Set "
                        "model.chat_template=chatml_tools, or set the tokenizer's `response_template`.") from None
