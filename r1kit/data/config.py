"""A recipe's `datasets:` entries, checked before any model loads: keys, types, source, adapter and generator."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import MISSING

from r1kit.checks import looks_local, typed
from r1kit.data.adapters import get_adapter_class
from r1kit.data.load import GENERATORS
from r1kit.errors import UserError


@dataclass
class DatasetSchema:
    """One dataset: rows from a file, a hub id or a generator, turned into examples by an adapter."""

    adapter: str = MISSING  # registry name or dotted path
    path: str | None = None  # local jsonl/json/parquet file or folder, or a hub id
    generator: Any = None  # {name|_target_, **kwargs} producing rows in code
    subset: str | None = None  # hub dataset config name
    split: str = "train"
    columns: dict[str, str] = field(default_factory=dict)  # adapter column -> dataset column
    options: dict[str, Any] = field(default_factory=dict)  # adapter keyword arguments
    limit: int | None = None


def check_dataset(name: str, spec, where: str | None = None) -> dict:
    """The dataset `name` with every default filled in, or a UserError naming the key at fault."""
    where = where or f"datasets.{name}"
    if not isinstance(spec, dict):
        raise UserError(f"{where} must be a mapping with at least `adapter:`, got {spec!r}.")
    data = typed(DatasetSchema, spec, where)
    if data["path"] and data["generator"]:
        raise UserError(f"{where}: give `path` or `generator`, not both.")
    path = data["path"]
    if path and looks_local(path) and not Path(path).expanduser().exists():
        raise UserError(f"{where}.path: {path} does not exist. Give a jsonl/json/parquet file or folder, or a hub id.")
    get_adapter_class(data["adapter"], where=f"{where}.adapter")
    if data["generator"]:  # import it now, so a typo fails before any model loads
        GENERATORS.resolve(data["generator"], f"{where}.generator")
    return data

