"""Check a composed recipe before any model loads, and fill in every default.

Each section is checked by the package that owns it (models, data, launch, each stage
kind, the algorithm hooks); this module only walks the recipe in order and checks what
ties sections together (a stage's data and init_from, the eval data). Each mistake
becomes one UserError naming the key and how to fix it.
"""

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

from r1kit.checks import did_you_mean, typed
from r1kit.config.repeat import expand_repeat
from r1kit.config.schema import RecipeSchema
from r1kit.data.config import check_dataset
from r1kit.errors import UserError
from r1kit.launch.options import check_launcher, world_size
from r1kit.models.config import check_model
from r1kit.stages import STAGE_KINDS

LOGGERS = {"none", "wandb", "tensorboard"}


def validate(raw: dict) -> dict:
    """Return the recipe with defaults filled in, or raise UserError on the first mistake found."""
    recipe = typed(RecipeSchema, raw, "")
    _check_output_dir(recipe)
    check_model(recipe["model"])
    check_launcher(recipe["launcher"], recipe)
    recipe["datasets"] = {name: check_dataset(name, spec) for name, spec in (recipe["datasets"] or {}).items()}
    if not recipe["stages"]:
        raise UserError("the recipe has no `stages:`. Add at least one, e.g. `stages: {sft: {kind: sft, data: train}}`.")
    recipe["stages"] = expand_repeat(recipe)
    context = {"world": world_size(recipe["launcher"]), "recipe": recipe}
    stages = {}
    for name, spec in recipe["stages"].items():
        stages[name] = check_stage(name, spec, recipe, list(stages), context)
    recipe["stages"] = stages
    _check_eval(recipe)
    if recipe["logger"]["backend"] not in LOGGERS:
        raise UserError(f"logger.backend={recipe['logger']['backend']!r}: choose one of {', '.join(sorted(LOGGERS))}.")
    return recipe


def own_keys(kind) -> set[str]:
    return {f.name for f in dataclasses.fields(kind.schema)}


def split_stage(stage: dict) -> tuple[dict, dict]:
    """(r1kit's own keys, TRL options) of a validated stage."""
    kind = STAGE_KINDS.get(stage["kind"])
    own = own_keys(kind)
    return ({k: v for k, v in stage.items() if k in own},
            {k: v for k, v in stage.items() if k not in own and k != "name"})


def check_stage(name: str, spec, recipe: dict, earlier: list[str], context: dict) -> dict:
    """One stage: its kind's schema and checks, TRL's options, and its links to datasets and earlier stages."""
    where = f"stages.{name}"
    if not isinstance(spec, dict):
        raise UserError(f"{where} must be a mapping with `kind` and `data`, got {spec!r}.")
    kind_name = spec.get("kind")
    if kind_name is None:
        others = [s for s in recipe["stages"] if s != name]
        raise UserError(f"{where} has no `kind`. If you meant an existing stage, check the name "
                        f"(this recipe's stages: {', '.join(others) or 'none'}){did_you_mean(name, others)}; "
                        f"a new stage needs a `kind` ({', '.join(STAGE_KINDS.names())}) and `data:`.")
    if kind_name not in STAGE_KINDS and "." not in str(kind_name):
        raise UserError(f"{where}.kind={kind_name!r}: choose one of {', '.join(STAGE_KINDS.names())}, "
                        "or give the dotted path of your own kind.")
    kind = STAGE_KINDS.get(kind_name, f"{where}.kind")
    spec = _without_other_kinds_keys(where, kind, spec)
    own = own_keys(kind)
    _check_mappings(where, kind, spec)
    stage = typed(kind.schema, {k: v for k, v in spec.items() if k in own}, where)
    trainer = {k: v for k, v in spec.items() if k not in own}
    _check_links(where, stage, recipe, earlier)
    from r1kit.stages.common import check_trainer_options

    check_trainer_options(where, kind.name, kind.config_class, own, trainer)
    kind.check(where, stage, trainer, context)
    return {**stage, **trainer}


def _without_other_kinds_keys(where: str, kind, spec: dict) -> dict:
    """Refuse keys that only another kind takes (rewards on an sft stage); drop them where they are left unset."""
    from r1kit.stages.common import trainer_fields

    own = own_keys(kind) | set(trainer_fields(kind.config_class))  # a grpo stage's temperature is TRL's
    takers: dict[str, list[str]] = {}
    for other in STAGE_KINDS.names():
        for key in own_keys(STAGE_KINDS.get(other)) - own:
            takers.setdefault(key, []).append(other)
    for key, kinds in takers.items():
        if key not in spec:
            continue
        value = spec[key]
        if value in (None, [], {}) or (isinstance(value, Mapping) and not value.get("enabled", True)):
            spec = {k: v for k, v in spec.items() if k != key}
            continue
        verb = {"rewards": "use rewards", "algorithm": "take an RL algorithm"}.get(key, f"take `{key}`")
        main = "grpo" if "grpo" in kinds else kinds[0]
        raise UserError(f"{where}.{key}: only {' or '.join(kinds)} stages {verb}; remove it or make it `kind: {main}`.")
    return spec


def _check_mappings(where: str, kind, spec: dict):
    """A key whose schema is a group of options (dynamic_sampling) given a plain value gets a hint, not a type error."""
    for f in dataclasses.fields(kind.schema):
        if dataclasses.is_dataclass(f.type) and f.name in spec and not isinstance(spec[f.name], Mapping):
            raise UserError(f"{where}.{f.name}={spec[f.name]!r}: this is a mapping, e.g. `{f.name}: {{enabled: true}}` "
                            f"(on the command line: {where}.{f.name}.enabled=true).")


def _check_links(where: str, stage: dict, recipe: dict, earlier: list[str]):
    needs_data, data = STAGE_KINDS.get(stage["kind"]).needs_data, stage["data"]
    names = [] if data is None and not needs_data else data if isinstance(data, list) else [data]
    if (needs_data or data is not None) and (not names or not all(isinstance(n, str) for n in names)):
        raise UserError(f"{where}.data={stage['data']!r}: name a dataset of `datasets:`, or a list of them.")
    makers = [s for s in earlier if _kind_of(recipe, s).makes_data]
    for data in names:
        if data.startswith(STAGE_REF):
            if data[len(STAGE_REF):] not in makers:
                raise UserError(f"{where}.data={data!r}: `stage:<name>` in `data:` must name an earlier generate "
                                f"stage, whose dataset it reads (earlier ones: {', '.join(makers) or 'none'}).")
        elif data not in recipe["datasets"]:
            raise UserError(f"{where}.data={data!r} is not a dataset of this recipe. "
                            f"Define it under `datasets:` (known: {', '.join(recipe['datasets']) or 'none'}).")
    for ref in stage_refs({k: v for k, v in stage.items() if k != "data"}):
        if ref not in earlier:
            raise UserError(f"{where}: `stage:{ref}` must name an earlier stage, whose final model it stands for "
                            f"(earlier stages: {', '.join(earlier) or 'none'}).{did_you_mean(ref, earlier)}")
        if ref in makers:
            raise UserError(f"{where}: `stage:{ref}` is a dataset (a generate stage's), not a model; name it in "
                            "`data:`.")
    init = stage["init_from"]
    if init in makers:
        raise UserError(f"{where}.init_from={init!r}: that stage writes a dataset, not weights; start from the stage "
                        "that generated it (`previous` skips generate stages).")
    if init not in ("previous", "base") and init not in earlier and not Path(init).expanduser().exists():
        raise UserError(f"{where}.init_from={init!r}: use `previous`, `base`, the name of an earlier stage "
                        f"({', '.join(earlier) or 'none yet'}) or the folder of a saved model.")


STAGE_REF = "stage:"


def _kind_of(recipe: dict, stage: str):
    return STAGE_KINDS.get(recipe["stages"][stage]["kind"])


def stage_refs(value) -> list[str]:
    """The stage names a stage's options refer to as `stage:<name>` (a later stage's reward model, say)."""
    if isinstance(value, str):
        return [value[len(STAGE_REF):]] if value.startswith(STAGE_REF) else []
    if isinstance(value, Mapping):
        return [ref for v in value.values() for ref in stage_refs(v)]
    if isinstance(value, (list, tuple)):
        return [ref for v in value for ref in stage_refs(v)]
    return []


def _check_output_dir(recipe: dict):
    """The run directory can be made and written: said now, not as an OSError after the model loaded."""
    key, out = ("output_dir", recipe["output_dir"]) if recipe["output_dir"] else ("name", f"runs/{recipe['name']}")
    path = Path(out).expanduser()
    what = f"output_dir={out}" if key == "output_dir" else f"the run directory {out} (from name={recipe['name']})"
    if path.exists() and not path.is_dir():
        raise UserError(f"{what} is a file, not a folder. Give output_dir= a folder (new or existing).")
    parent = path
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UserError(f"{what} is under {parent}, which is a file, not a folder. Give output_dir= another place.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"{what}: {parent} is not writable by this user. Give output_dir= a folder you can write.")


def _check_eval(recipe: dict):
    if recipe["eval"]["tools"]:
        from r1kit.tools import resolve_tools

        resolve_tools(recipe["eval"]["tools"], "eval.tools")
    if recipe["eval"]["environment"]:
        from r1kit.environments import resolve_environment

        resolve_environment(recipe["eval"]["environment"], "eval.environment")
    data = recipe["eval"]["data"]
    if data is not None and data not in recipe["datasets"]:
        raise UserError(f"eval.data={data!r} is not a dataset of this recipe "
                        f"(known: {', '.join(recipe['datasets']) or 'none'}).")
