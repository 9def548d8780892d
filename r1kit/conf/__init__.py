"""r1kit's Hydra config groups (model/, data/, stage/, algorithm/...): data that Hydra reads, listed by name here."""

from pathlib import Path

CONF_DIR = Path(__file__).resolve().parent


def group_options(group: str) -> list[str]:
    """The options of a config group: the names of its YAML files, sorted."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))
