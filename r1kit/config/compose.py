"""Find a recipe and compose it with Hydra: config groups, `key=value`, `+key=value`, `-m` sweeps.

A recipe is the primary config; the groups shipped in `r1kit/conf` (model/, data/,
logger/...) are on the search path, so a recipe's `defaults:` can name them and the
command line can swap them (`model=smollm2`).
"""

import itertools
import os
import re
from pathlib import Path

from r1kit.errors import UserError

PACKAGE_CONF = "pkg://r1kit.conf"
DEFAULT_RECIPE = "quickstart"


def recipe_dirs() -> list[Path]:
    """Where named recipes live: $R1KIT_RECIPES (os.pathsep-separated), the repo's recipes/, the packaged copy."""
    dirs = [Path(p) for p in os.environ.get("R1KIT_RECIPES", "").split(os.pathsep) if p]
    package = Path(__file__).resolve().parents[1]
    dirs += [package.parent / "recipes", package / "_recipes"]
    return [d for d in dirs if d.is_dir()]


def list_recipes() -> dict[str, Path]:
    """Recipe name -> file, earlier directories winning."""
    found: dict[str, Path] = {}
    for d in recipe_dirs():
        for f in sorted(d.glob("*.yaml")):
            found.setdefault(f.stem, f)
    return found


def find_recipe(recipe: str) -> Path:
    """A recipe by name (`quickstart`) or by path (`path/to/mine.yaml`)."""
    as_path = Path(recipe).expanduser()
    if recipe.endswith((".yaml", ".yml")) or os.sep in recipe:
        if not as_path.is_file():
            raise UserError(f"recipe={recipe}: no such file. Give a recipe name (see `r1kit ls`) or a .yaml path.")
        return as_path.resolve()
    recipes = list_recipes()
    if recipe not in recipes:
        import difflib

        close = difflib.get_close_matches(recipe, list(recipes), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UserError(f"recipe={recipe}: unknown recipe.{hint} Known: {', '.join(recipes)}. "
                        "Or give the path of your own .yaml file.")
    return recipes[recipe]


def split_recipe(overrides: list[str], default: str | None) -> tuple[str | None, list[str]]:
    """Take `recipe=...` out of the overrides (it picks the primary config, it is not a key)."""
    recipe, rest = default, []
    for o in overrides:
        if o.startswith("recipe="):
            recipe = o.split("=", 1)[1]
        else:
            rest.append(o)
    return recipe, rest


def compose(config_name: str | None, overrides: list[str], recipe: str | None = None) -> dict:
    """Compose a recipe file (or a package config such as `sft`) with overrides into a plain dict."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir, initialize_config_module
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    try:
        if recipe is not None:
            path = find_recipe(recipe)
            context = initialize_config_dir(str(path.parent), version_base="1.3")
            name, search = path.stem, [f"hydra.searchpath=[{PACKAGE_CONF}]"]
        else:
            context = initialize_config_module("r1kit.conf", version_base="1.3")
            name, search = config_name, []
        with context:
            cfg = _compose_known(hydra_compose, name, search, list(overrides))
        data = OmegaConf.to_container(cfg, resolve=True)
    except (HydraException, OmegaConfBaseException) as err:
        raise UserError(_hydra_message(err)) from err
    except Exception as err:  # yaml syntax errors surface as plain exceptions
        if type(err).__module__.startswith("yaml"):
            raise UserError(f"recipe {recipe or config_name} is not valid YAML: {err}") from err
        raise
    if recipe is not None:
        data.setdefault("name", Path(recipe).stem)
    return data


def _compose_known(hydra_compose, name: str, search: list[str], overrides: list[str]):
    """Hydra's compose, with `key=value` also setting keys the recipe leaves to r1kit's defaults.

    Hydra only overrides keys present in the composed YAML, but a recipe need not spell
    out every schema default (`output_dir`, `model.dtype`, a stage's `max_steps`...).
    Such an override is retried as `++key=value` and validation judges the key; a group
    given without its package (`data=x` for `data@datasets.train`) gets the package
    Hydra suggests, and a group the recipe's defaults do not list (`launcher=zero3`) is
    added as `+launcher=zero3`.
    """
    from hydra.errors import ConfigCompositionException

    for _ in range(len(overrides) + 1):
        try:
            return hydra_compose(name, overrides=search + overrides)
        except ConfigCompositionException as err:
            fixed = _retry_override(err, overrides)
            if fixed is None:
                raise
            overrides = fixed
    return hydra_compose(name, overrides=search + overrides)


def _retry_override(err, overrides: list[str]) -> list[str] | None:
    """The overrides with the one Hydra refused rewritten, or None when it cannot be rewritten.

    Validation, not Hydra, decides which keys exist (it knows the schema, the stage
    defaults and TRL's options, and suggests fixes), so a refused `key=value` becomes
    `++key=value` and is checked there.
    """
    match = re.match(r"Could not override '([^']+)'\.", str(err))
    if not match:
        return None
    key = match.group(1)
    for i, o in enumerate(overrides):
        if o.startswith(("+", "~")) or o.split("=", 1)[0] != key:
            continue
        package = re.search(rf"Did you mean to override ({re.escape(key)}@[\w.]+)\?", str(err))
        if package and "." not in key:
            return overrides[:i] + [f"{package.group(1)}={o.split('=', 1)[1]}"] + overrides[i + 1:]
        if (Path(__file__).resolve().parents[1] / "conf" / key).is_dir():  # a group the recipe does not list
            return overrides[:i] + ["+" + o] + overrides[i + 1:]
        return overrides[:i] + ["++" + o] + overrides[i + 1:]
    return None


def _hydra_message(err: Exception) -> str:
    text = str(err).split("\nConfig search path:")[0].strip()
    cause = err.__cause__
    if cause is not None and str(cause) and str(cause) not in text:
        text += f"\n{cause}"
    return text


def expand_sweeps(overrides: list[str]) -> list[list[str]]:
    """`-m a=1,2 b=x,y` -> one override list per combination (Hydra's basic sweeper semantics)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException as err:
        raise UserError(str(err)) from err
    choices = []
    for o in parsed:
        if o.is_sweep_override():
            key = o.get_key_element()
            choices.append([f"{key}={v}" for v in o.sweep_string_iterator()])
        else:
            choices.append([o.input_line])
    return [list(combo) for combo in itertools.product(*choices)]
