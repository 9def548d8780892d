"""Resolve components named in configs: by registry name or by dotted path (`_target_`).

Every pluggable piece (dataset adapters, generators, rewards, model builders) goes
through here, so a user's own component needs no change to r1kit.
"""

import difflib
import importlib
from collections.abc import Callable, Mapping
from typing import Any

from r1kit.errors import UserError


def import_target(path: str, what: str = "component") -> Any:
    """Import `pkg.module.attr` and return the attribute, or raise a UserError naming the path."""
    module_name, _, attr = path.rpartition(".")
    if not module_name:
        raise UserError(f"{what} `_target_: {path}` is not a dotted path like `my_pkg.my_module.my_function`.")
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # ImportError, or the module's own failure while importing
        raise UserError(f"{what} `_target_: {path}`: cannot import module `{module_name}` "
                        f"({type(err).__name__}: {err}).") from err
    try:
        return getattr(module, attr)
    except AttributeError:
        raise UserError(f"{what} `_target_: {path}`: module `{module_name}` has no attribute `{attr}`.") from None


def lookup(name: str, registry: Mapping[str, Any], what: str) -> Any:
    """Find `name` in a registry, or raise a UserError with close matches and where to look."""
    if name in registry:
        return registry[name]
    if "." in name:  # a dotted path given where a name was expected works too
        return import_target(name, what)
    close = difflib.get_close_matches(name, list(registry), n=3)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UserError(
        f"unknown {what} {name!r}.{hint} Known: {', '.join(sorted(registry))}. "
        f"Run `r1kit ls` to list them, or give a dotted path to your own."
    )


def resolve(spec: Any, registry: Mapping[str, Any], what: str, name_key: str = "name") -> tuple[Callable, dict]:
    """Split a component spec into (callable, kwargs).

    A spec is a name (`"math_qa"`), or a mapping with `name` or `_target_` and kwargs.
    """
    if isinstance(spec, str):
        return lookup(spec, registry, what), {}
    if not isinstance(spec, Mapping):
        raise UserError(f"{what} must be a name or a mapping with `{name_key}` or `_target_`, got {spec!r}.")
    kwargs = dict(spec)
    target = kwargs.pop("_target_", None)
    name = kwargs.pop(name_key, None)
    if target and name:
        raise UserError(f"{what} has both `{name_key}: {name}` and `_target_: {target}`; keep one.")
    if target:
        return import_target(target, what), kwargs
    if name:
        return lookup(name, registry, what), kwargs
    raise UserError(f"{what} {dict(spec)!r} needs `{name_key}` or `_target_`.")
