"""Build the components a config names, one way for all of them.

Every pluggable piece (dataset adapter, generator, reward, model builder; tools and
environments later) is named the same way in YAML: a registered name, or a mapping
with `name` (registered) or `_target_` (any dotted path) and its options beside it:

    generator: {name: addition, n: 200, digits: 3}
    build: {_target_: my_pkg.models.build_mine, hidden_size: 64}

Each kind of component has one `Registry`. Entries are dotted paths imported on first
use, so `r1kit ls` and `--help` stay instant; decorators may add objects directly.
The owner of a section (the reward stack, a dataset) takes out its own keys (`weight`,
`schedule`...) before handing the rest here.
"""

import difflib
import importlib
from collections.abc import Callable, Iterable, Mapping
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


class Registry:
    """Components of one kind by name: a dotted path (imported when first asked for) or the object itself."""

    def __init__(self, what: str, entries: Mapping[str, Any] | None = None):
        self.what = what
        self._entries: dict[str, Any] = dict(entries or {})

    def register(self, name: str) -> Callable[[Any], Any]:
        """Decorator: make the decorated object available as `name`."""

        def decorator(obj):
            if name in self._entries:
                raise ValueError(f"{self.what} {name!r} is registered twice")
            self._entries[name] = obj
            return obj

        return decorator

    def names(self) -> list[str]:
        """Every name, sorted."""
        return sorted(self._entries)

    def __contains__(self, name) -> bool:
        return name in self._entries

    def get(self, name: str, where: str | None = None) -> Any:
        """The component called `name` (a dotted path works too), or a UserError with close matches.

        `where` names the config key in messages (`datasets.train.generator`); default: the kind.
        """
        where = where or self.what
        if name in self._entries:
            entry = self._entries[name]
            if isinstance(entry, str):
                entry = self._entries[name] = import_target(entry, where)
            return entry
        if isinstance(name, str) and "." in name:
            return import_target(name, where)
        close = difflib.get_close_matches(str(name), self.names(), n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UserError(f"unknown {where} {name!r}.{hint} Known: {', '.join(self.names())}. "
                        "Run `r1kit ls` to list them, or give a dotted path to your own (`_target_:`).")

    def items(self) -> Iterable[tuple[str, Any]]:
        """(name, component) for every entry, importing each (for listings)."""
        return [(name, self.get(name)) for name in self.names()]

    def resolve(self, spec: Any, where: str | None = None) -> tuple[Any, dict]:
        """Split a spec into (component, options): a name, or `{name | _target_, **options}`."""
        where = where or self.what
        if isinstance(spec, str):
            return self.get(spec, where), {}
        if not isinstance(spec, Mapping):
            raise UserError(f"{where} must be a name or a mapping with `name` or `_target_`, got {spec!r}.")
        options = dict(spec)
        target, name = options.pop("_target_", None), options.pop("name", None)
        if target and name:
            raise UserError(f"{where} has both `name: {name}` and `_target_: {target}`; keep one.")
        if not (target or name):
            raise UserError(f"{where} {dict(spec)!r} needs `name` (see `r1kit ls`) or `_target_` (a dotted path).")
        return (import_target(target, where) if target else self.get(name, where)), options

