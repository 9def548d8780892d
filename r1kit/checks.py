"""Schema checks every section owner shares: merge onto a dataclass, name the key on a mistake.

The recipe's sections (model, datasets, stages, launcher...) are each checked by the
package that owns them; these helpers turn OmegaConf's errors into one-line UserErrors
that name the full key and suggest the closest known one.
"""

import dataclasses
import difflib

from omegaconf import OmegaConf
from omegaconf.errors import ConfigKeyError, ValidationError

from r1kit.errors import UserError


def structured(schema, data, where: str):
    """Merge data onto a dataclass schema, turning OmegaConf's errors into one-line messages."""
    try:
        return OmegaConf.merge(OmegaConf.structured(schema), data)
    except (ConfigKeyError, ValidationError) as err:
        raise UserError(schema_error(err, schema, where)) from None


def schema_error(err, schema, where: str) -> str:
    """The message for OmegaConf refusing a key or a value of `schema` (at `where`, a dotted prefix)."""
    key = _full_key(err, where)
    if isinstance(err, ConfigKeyError):
        known = _fields_at(schema, getattr(err, "full_key", "") or "")
        return f"{key}: unknown key.{did_you_mean(key.rsplit('.', 1)[-1], known)} Known keys here: {', '.join(known)}."
    return f"{key}: {str(err).splitlines()[0]}. Fix the value in the recipe or on the command line."


def check_missing(cfg, where: str):
    """UserError for the first required key (`???`) left unset."""
    for key in OmegaConf.missing_keys(cfg):
        full = f"{where}.{key}" if where else key
        raise UserError(f"{full} is required but missing. Set it in the recipe or with `{full}=...`.")


def typed(schema, data, where: str) -> dict:
    """`data` merged onto `schema`, checked and resolved to plain containers with every default filled in."""
    cfg = structured(schema, data, where)
    check_missing(cfg, where)
    values = OmegaConf.to_container(cfg, resolve=True)
    check_ranges(schema, values, where)
    return values


def at_least(low, **more) -> dict:
    """Field metadata: the value must be >= low (and whatever `more` adds: gt, lt, le, ne)."""
    return {"ge": low, **more}


def above(low, **more) -> dict:
    """Field metadata: the value must be > low."""
    return {"gt": low, **more}


_BOUNDS = {"ge": (lambda v, b: v >= b, "must be at least {}"), "gt": (lambda v, b: v > b, "must be greater than {}"),
           "le": (lambda v, b: v <= b, "must be at most {}"), "lt": (lambda v, b: v < b, "must be less than {}"),
           "ne": (lambda v, b: v != b, "must not be {}")}


def bound_error(value, bounds: dict) -> str | None:
    """What `value` breaks of `bounds` ({"ge": 1, "ne": 0, ...}), or None; null and non-numbers pass (types are checked elsewhere)."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if all(ok(value, bounds[name]) for name, (ok, _) in _BOUNDS.items() if name in bounds):
        return None
    return " and ".join(text.format(bounds[name]) for name, (_, text) in _BOUNDS.items() if name in bounds)


def check_value(key: str, value, bounds: dict):
    """UserError naming `key` when `value` is out of `bounds`."""
    error = bound_error(value, bounds)
    if error:
        raise UserError(f"{key}={value}: {error}.")


def check_ranges(schema, values: dict, where: str):
    """Enforce the numeric bounds a dataclass's fields carry as metadata (ge, gt, le, lt, ne), nested ones too."""
    for f in dataclasses.fields(schema):
        key = f"{where}.{f.name}" if where else f.name
        value = values.get(f.name) if isinstance(values, dict) else None
        if dataclasses.is_dataclass(f.type) and isinstance(value, dict):
            check_ranges(f.type, value, key)
        elif f.metadata:
            check_value(key, value, f.metadata)


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=2, cutoff=0.6)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _fields_at(schema, key: str) -> list[str]:
    """The field names of the dataclass that holds `key` (a dotted path from `schema`)."""
    node = schema
    for part in key.split(".")[:-1]:
        types = {f.name: f.type for f in dataclasses.fields(node)}
        if not dataclasses.is_dataclass(types.get(part)):
            break
        node = types[part]
    return [f.name for f in dataclasses.fields(node)]


def _full_key(err, where: str) -> str:
    key = getattr(err, "full_key", None) or "?"
    return f"{where}.{key}" if where else key


def looks_local(path: str) -> bool:
    """Whether a `path` value means a file or folder here (so it must exist) rather than a hub id."""
    from pathlib import Path

    return path.startswith(("/", "./", "../", "~")) or Path(path).suffix in {".jsonl", ".json", ".parquet", ".csv"}
