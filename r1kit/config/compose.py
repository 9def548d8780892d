"""Find a recipe and compose it with Hydra: config groups, stage kinds, algorithm presets, overrides.

A recipe is a Hydra config whose `defaults:` pick groups shipped in `r1kit/conf` (model/,
data/, logger/...). r1kit composes it inside a small primary config of its own, built
from the recipe's stages, so that Hydra itself merges, in this order (later wins):

    the recipe schema (ConfigStore)  <  each stage's kind defaults (stage/<kind>)
      <  its algorithm preset (algorithm/<name>)  <  the recipe  <  the command line

On the command line `group=option` swaps a group (model=smollm2, launcher=zero3) and
`key=value` sets a key whether or not the recipe spells it out (Hydra's `++key=value`):
which keys exist is decided by validation, which knows the schema and TRL's options.
"""

import itertools
import os
from pathlib import Path

from r1kit.conf import CONF_DIR, group_options
from r1kit.errors import UserError

PACKAGE_CONF = "pkg://r1kit.conf"
DEFAULT_RECIPE = "quickstart"
RECIPE_SCHEMA = "r1kit_recipe_schema"
RUN_CONFIG = "r1kit_run"


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


def check_recipe_file(path: Path):
    """A recipe file must be UTF-8 YAML holding a mapping, with `stages:` a mapping of names (said before Hydra reads it)."""
    import yaml

    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"recipe {path}: not UTF-8 text (byte {err.object[err.start]:#x} at position {err.start}). "
                        "Save the file as UTF-8.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise UserError(f"recipe {path} is not valid YAML: {' '.join(str(err).split())}") from None
    if not isinstance(data, dict):
        raise UserError(f"recipe {path}: a recipe is a YAML mapping of keys (name:, model:, datasets:, stages: ...), "
                        f"but this file holds {type(data).__name__ if data is not None else 'nothing'}.")
    if "stages" in data and not isinstance(data["stages"], dict | None):
        raise UserError(f"recipe {path}: `stages:` is a mapping from stage names to stages, not a "
                        f"{type(data['stages']).__name__}; write it as\n  stages:\n    sft: {{kind: sft, data: train}}\n"
                        "    grpo: {kind: grpo, data: problems}\n(stages run in the order written).")


def split_recipe(overrides: list[str], default: str | None) -> tuple[str | None, list[str]]:
    """Take `recipe=...` out of the overrides (it picks the primary config, it is not a key)."""
    recipe, rest = default, []
    for o in overrides:
        if o.startswith("recipe="):
            recipe = o.split("=", 1)[1]
        else:
            rest.append(o)
    return recipe, rest


def group_names() -> set[str]:
    """The config groups r1kit ships (model, data, reward, stage, algorithm, launcher, logger)."""
    return {p.name for p in CONF_DIR.iterdir() if p.is_dir() and not p.name.startswith("_")}


def compose(config_name: str | None, overrides: list[str], recipe: str | None = None, schema=None) -> dict:
    """Compose a recipe file (or a package config such as `sft`) with overrides into a plain dict.

    `schema` (a dataclass) is merged first, through Hydra's ConfigStore, so that Hydra checks
    the recipe's keys and types as it composes.
    """
    from hydra import initialize_config_dir, initialize_config_module
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    if recipe is not None:
        path = find_recipe(recipe)
        check_recipe_file(path)
        context = lambda: initialize_config_dir(str(path.parent), version_base="1.3")
        name, search = path.stem, [f"hydra.searchpath=[{PACKAGE_CONF}]"]
    else:
        context = lambda: initialize_config_module("r1kit.conf", version_base="1.3")
        name, search = config_name, []
    try:
        parsed = _parse(overrides)
        with context():
            cfg = _compose_run(name, schema, search, parsed)
        data = OmegaConf.to_container(cfg, resolve=True)
    except (HydraException, OmegaConfBaseException) as err:
        raise UserError(_message(err, schema)) from err
    except Exception as err:  # yaml syntax errors surface as plain exceptions
        if type(err).__module__.startswith("yaml"):
            raise UserError(f"recipe {recipe or config_name} is not valid YAML: {err}") from err
        raise
    data.pop("hydra", None)
    if recipe is not None and data.get("name") in (None, "???"):
        data["name"] = Path(recipe).stem
    return data


def _parse(overrides: list[str]):
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create().parse_overrides(list(overrides))


def _compose_run(name: str, schema, search: list[str], parsed):
    """Compose `name` once as written to learn its groups and stages, then inside r1kit's primary config."""
    from hydra import compose as hydra_compose
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf, open_dict

    first = hydra_compose(name, overrides=search, return_hydra_config=True)
    choices = dict(first.hydra.runtime.choices)
    stages = OmegaConf.to_container(first.get("stages") or {}, resolve=False) if "stages" in first else {}
    overrides = [_as_hydra_override(o, choices, schema) if _stage_group(o) is None
                 else "++stages.{}.{}={}".format(*_stage_group(o), o.value()) for o in parsed]
    defaults = [RECIPE_SCHEMA] if schema is not None else []
    defaults += _stage_defaults(stages, parsed)
    defaults += [name, "_self_"]
    store = ConfigStore.instance()
    if schema is not None:
        store.store(name=RECIPE_SCHEMA, node=schema)
    store.store(name=RUN_CONFIG, node={"defaults": defaults})
    cfg = hydra_compose(RUN_CONFIG, overrides=search + overrides)
    with open_dict(cfg):
        cfg.pop("hydra", None)
    return cfg


def _as_hydra_override(o, choices: dict, schema=None) -> str:
    """The override as Hydra should see it: keys are set or added (`++`), groups are swapped or added.

    A key of the schema always exists, so deleting it (`~model.build`) resets it to null, and
    adding it (`+model.build=...`) sets it.
    """
    line = o.input_line
    key = o.key_or_group
    if o.package is not None or key in group_names() or key in choices:
        if o.is_add() or o.is_force_add() or o.is_delete() or o.package is not None or key in choices:
            return line
        packaged = [c for c in choices if c.startswith(f"{key}@")]
        if len(packaged) == 1:  # `data=x` where the recipe picks `data@datasets.train`
            return f"{packaged[0]}={line.split('=', 1)[1]}"
        return "+" + line  # a group the recipe does not list yet (launcher=zero3)
    if o.is_delete():
        return f"++{key}=null" if _schema_field(schema, key) else line
    if o.is_force_add():
        return line
    return "++" + line.removeprefix("+")


def _schema_field(schema, key: str) -> bool:
    """Whether the dotted `key` names a field of the (nested) dataclass `schema`."""
    import dataclasses

    node = schema
    for part in key.split("."):
        if not dataclasses.is_dataclass(node):
            return False
        fields = {f.name: f.type for f in dataclasses.fields(node)}
        if part not in fields:
            return False
        node = fields[part]
    return True


def _stage_defaults(stages: dict, parsed) -> list[dict]:
    """Defaults-list entries that merge each stage's kind defaults and algorithm preset under the recipe."""
    plan = {name: {"kind": (spec or {}).get("kind"), "algorithm": (spec or {}).get("algorithm")}
            for name, spec in (stages or {}).items() if isinstance(spec, dict)}
    for o in parsed:  # the command line may add a stage, or change a stage's kind or algorithm
        if _stage_group(o):  # the group form, `algorithm@stages.rl=dapo`: merged in the same place
            stage, key = _stage_group(o)
            plan.setdefault(stage, {"kind": None, "algorithm": None})[key] = o.value()
            continue
        parts = o.key_or_group.split(".")
        if parts[0] != "stages" or o.package is not None:
            continue
        if len(parts) == 2 and o.is_delete():
            plan.pop(parts[1], None)
        elif len(parts) == 3 and parts[2] in ("kind", "algorithm") and not o.is_delete():
            plan.setdefault(parts[1], {"kind": None, "algorithm": None})[parts[2]] = o.value()
    kinds, algorithms = group_options("stage"), group_options("algorithm")
    entries = []
    for stage, picks in plan.items():
        if picks["kind"] in kinds:
            entries.append({f"stage@stages.{stage}": picks["kind"]})
            if picks["kind"] == "grpo" and picks["algorithm"] in algorithms:
                entries.append({f"algorithm@stages.{stage}": picks["algorithm"]})
    return entries


def _stage_group(o) -> tuple[str, str] | None:
    """(stage, "kind" | "algorithm") for `stage@stages.<name>=...` and `algorithm@stages.<name>=...`."""
    if o.key_or_group in ("stage", "algorithm") and (o.package or "").startswith("stages.") and not o.is_delete():
        return o.package.split(".", 1)[1], "kind" if o.key_or_group == "stage" else "algorithm"
    return None


def _message(err: Exception, schema) -> str:
    """One line for a composition error: the key and the fix when the schema refused it, else Hydra's text."""
    from omegaconf.errors import ConfigKeyError, ValidationError

    from r1kit.checks import schema_error

    cause = err
    while cause is not None and not isinstance(cause, (ConfigKeyError, ValidationError)):
        cause = cause.__cause__
    if cause is not None and schema is not None and getattr(cause, "full_key", None):
        return schema_error(cause, schema, "")
    text = str(err).split("\nConfig search path:")[0].strip()
    if err.__cause__ is not None and str(err.__cause__) and str(err.__cause__) not in text:
        text += f"\n{err.__cause__}"
    return text


def expand_sweeps(overrides: list[str]) -> list[list[str]]:
    """`-m a=1,2 b=x,y` -> one override list per combination (Hydra's basic sweeper semantics)."""
    from hydra.errors import HydraException

    try:
        parsed = _parse(overrides)
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


def compose_recipe(config_name: str | None, overrides: list[str], recipe: str | None = None) -> dict:
    """A training recipe composed on its schema (RecipeSchema), as `r1kit train` and `r1kit sft` do."""
    from r1kit.config.schema import RecipeSchema

    return compose(config_name, overrides, recipe=recipe, schema=RecipeSchema)
