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
    return OmegaConf.to_container(cfg, resolve=True)


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
