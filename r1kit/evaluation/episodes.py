"""Answers with tools or in an environment, for `r1kit eval` and the held-out check: r1kit's tool loop set up once.

The loop is generate_with_tools (r1kit/models/generation.py); an environment runs as in a GRPO stage:
one instance per answer, reset with the row (less `messages`, as the grpo stage hands TRL its rows), its
methods as tools, its get_reward() as the answer's `environment_reward` (`success_rate` in the figures).
"""

from r1kit.environments import episodes, resolve_environment
from r1kit.tools import ready_for_tools, resolve_tools


def uses_tools(cfg: dict) -> bool:
    return bool(cfg.get("tools") or cfg.get("environment"))


def tool_sampler(cfg: dict, processing_class, prefix: str, data: str):
    """`sample(model, prompts, rows, **options)`: completions from the tool loop with cfg's tools and environment.

    `prefix` names the config section in messages (`eval.` for a recipe's, empty for `r1kit eval`)."""
    from r1kit.models.generation import generate_with_tools

    tools = resolve_tools(cfg.get("tools") or [], f"{prefix}tools")
    factory = resolve_environment(cfg.get("environment"), f"{prefix}environment")
    ready_for_tools(processing_class, f"{prefix}{'environment' if factory else 'tools'}")

    def sample(model, prompts, rows, **options):
        if factory is None:
            return generate_with_tools(model, processing_class, prompts, tools, max_rounds=cfg["max_tool_rounds"],
                                       **options)
        rows = [{k: v for k, v in row.items() if k != "messages"} for row in rows]
        makers, resets = episodes(factory, rows, f"{prefix}environment", data)
        return generate_with_tools(model, processing_class, prompts, tools, max_rounds=cfg["max_tool_rounds"],
                                   environments=makers, resets=resets, **options)

    return sample
