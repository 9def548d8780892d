"""Environments a GRPO stage (or `r1kit eval`) runs each rollout in: TRL's `environment_factory`, named in YAML.

An environment is a class: `reset(**row)` starts an episode from a dataset row (and may return text that
is appended to the prompt), each public method is a tool the model may call (type hints and a docstring
with `Args:`, as for any tool), and an optional `get_reward()` scores the episode. TRL makes one instance
per concurrent rollout and resets it for each row. A stage names one as

    environment: python_session                        # a registered name
    environment: {name: search, corpus: data/wiki.jsonl}  # with constructor keyword arguments
    environment: {_target_: my_pkg.MyEnv, size: 3}     # any class by dotted path
    environment: {code: python_session, web: {name: search, corpus: data/wiki.jsonl}}  # per row: its `environment` column

Every instance is guarded (guard.py): its tools get the tool guard's time limit and reply cap, and a
reset or get_reward that raises is counted instead of stopping training.
"""

import inspect
from collections.abc import Mapping
from typing import Any

from r1kit.components import Registry
from r1kit.errors import UserError

ENVIRONMENTS = Registry("environment", {
    "python_session": "r1kit.environments.python_session.PythonSession",
    "search": "r1kit.environments.search.Search",
    "function_calling": "r1kit.environments.function_calling.FunctionCalling",
    "file_tree": "r1kit.environments.file_tree.FileTree",
})
CONTROL = ("reset", "get_reward")  # methods TRL calls itself; every other public method is a tool


def is_per_row(spec: Any) -> bool:
    """A mapping without `name`/`_target_` maps each row's `environment` value to a spec."""
    return isinstance(spec, Mapping) and "name" not in spec and "_target_" not in spec


def tool_methods(cls) -> list[str]:
    """The tools an instance exposes, found the way TRL finds them: functions on the class, public, not CONTROL."""
    return [name for name, _ in inspect.getmembers(cls, predicate=inspect.isfunction)
            if name not in CONTROL and not name.startswith("_")]


def environment_class(spec: Any, where: str) -> tuple[type, dict]:
    """(class, constructor options) of one spec, checked: a class with `reset`, options its constructor takes, and
    a JSON schema for every tool method. Imports the class; builds nothing."""
    from transformers.utils import get_json_schema

    cls, options = ENVIRONMENTS.resolve(spec, where)
    if not inspect.isclass(cls):
        raise UserError(f"{where}: {spec!r} is not a class. An environment is a class with `reset(**row)`, tool "
                        "methods and an optional `get_reward()` (docs/tools.md).")
    if not callable(getattr(cls, "reset", None)):
        raise UserError(f"{where}: {cls.__name__} has no `reset` method; TRL calls `reset(**row)` before each "
                        "rollout (it may return text that is appended to the prompt).")
    try:
        inspect.signature(cls).bind(**options)
    except TypeError as err:
        raise UserError(f"{where}: {cls.__name__} does not take these options ({err}); the keys beside "
                        "`name`/`_target_` are its constructor's keyword arguments.") from None
    methods = tool_methods(cls)
    if not methods:
        raise UserError(f"{where}: {cls.__name__} has no public methods, so the model has no tools to call.")
    for name in methods:
        try:
            get_json_schema(getattr(cls, name))
        except Exception as err:  # noqa: BLE001 - transformers raises its own errors for each missing piece
            raise UserError(f"{where}: the model cannot be shown how to call {cls.__name__}.{name}: {err}. A tool "
                            "method needs type hints and a docstring with an `Args:` section (or a leading `_` "
                            "to keep it from the model).") from None
    return cls, options


def resolve_environment(spec: Any, where: str):
    """TRL's `environment_factory` for a spec: a zero-argument callable making guarded instances, or, for a per-row
    mapping, a dict of them keyed by the values of the rows' `environment` column. None when spec is empty."""
    from r1kit.environments.guard import GuardedFactory

    if not spec:
        return None
    if is_per_row(spec):
        return {str(key): GuardedFactory(*environment_class(entry, f"{where}.{key}"))
                for key, entry in spec.items()}
    return GuardedFactory(*environment_class(spec, where))


def check_rows(factory, columns: list[str], values, where: str, data: str):
    """A per-row mapping needs every row to name one of its environments in an `environment` column."""
    if not isinstance(factory, dict):
        return
    keys = sorted(factory)
    if "environment" not in columns:
        raise UserError(f"{where}.environment maps rows to environments ({', '.join(keys)}), but dataset {data!r} "
                        f"has no `environment` column (columns: {columns}). Add one whose values are those keys, "
                        "or give a single environment.")
    unknown = sorted({str(v) for v in values} - set(keys))
    if unknown:
        raise UserError(f"{where}.environment: dataset {data!r} has rows with environment {unknown}, which "
                        f"{where}.environment does not name (it has: {', '.join(keys)}).")


def tool_names(factory) -> set[str]:
    """Every tool name the environment(s) expose, for clash checks with a stage's `tools:`."""
    factories = factory.values() if isinstance(factory, dict) else [factory] if factory else []
    return {name for f in factories for name in tool_methods(f.cls)}


def has_reward(factory) -> bool:
    factories = factory.values() if isinstance(factory, dict) else [factory] if factory else []
    return any(callable(getattr(f.cls, "get_reward", None)) for f in factories)


def episodes(factory, rows: list[dict], where: str, data: str) -> tuple[list, list[dict]]:
    """For evaluation, as TRL does in training: each row's factory and the keyword arguments its `reset` gets (the
    whole row; with a per-row mapping, the row less its `environment` column, which picks the factory)."""
    if not isinstance(factory, dict):
        return [factory] * len(rows), rows
    check_rows(factory, list(rows[0]) if rows else ["environment"], [r["environment"] for r in rows], where, data)
    return ([factory[str(r["environment"])] for r in rows],
            [{k: v for k, v in r.items() if k != "environment"} for r in rows])
