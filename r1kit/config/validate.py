"""Check a composed recipe before any model loads, and fill in every default.

Each mistake becomes one UserError naming the key and how to fix it: unknown keys
(with a suggestion), wrong types, missing fields, dangling references between
sections, and batch sizes GRPO cannot split into groups.
"""

import dataclasses
import difflib
import types
import typing
from functools import cache
from pathlib import Path

from omegaconf import OmegaConf
from omegaconf.errors import ConfigKeyError, ValidationError

from r1kit.config.schema import STAGE_KINDS, DatasetSchema, RecipeSchema, StageSchema
from r1kit.errors import UserError
from r1kit.launch.options import check_launcher, world_size

CONF = Path(__file__).resolve().parents[1] / "conf"
# TRL options r1kit sets itself: the run directory, logging and the seed come from the recipe.
MANAGED = {"output_dir", "report_to", "run_name", "resume_from_checkpoint", "disable_tqdm"}
STAGE_KEYS = {f.name for f in dataclasses.fields(StageSchema)}
GRPO_ONLY = ("rewards", "reward_errors", "algorithm", "dynamic_sampling", "stable_reinforce", "domain_sampling")
# Loss types whose objective is the clipped importance ratio, the one StableReinforce clamps.
RATIO_LOSSES = ("grpo", "bnpo", "dr_grpo", "dapo", "luspo")
DTYPES = {"auto", "float32", "fp32", "bfloat16", "bf16", "float16", "fp16"}
LOGGERS = {"none", "wandb", "tensorboard"}


def validate(raw: dict) -> dict:
    """Return the recipe with defaults filled in, or raise UserError on the first mistake found."""
    cfg = structured(RecipeSchema, raw, "")
    check_missing(cfg, "")
    recipe = OmegaConf.to_container(cfg, resolve=True)
    check_model(recipe["model"])
    check_launcher(recipe["launcher"], recipe)
    recipe["datasets"] = {name: check_dataset(name, spec) for name, spec in (recipe["datasets"] or {}).items()}
    if not recipe["stages"]:
        raise UserError("the recipe has no `stages:`. Add at least one, e.g. `stages: {sft: {kind: sft, data: train}}`.")
    stages = {}
    for name, spec in recipe["stages"].items():
        stages[name] = _check_stage(name, spec, recipe, list(stages), world_size(recipe["launcher"]))
    recipe["stages"] = stages
    _check_eval(recipe)
    if recipe["logger"]["backend"] not in LOGGERS:
        raise UserError(f"logger.backend={recipe['logger']['backend']!r}: choose one of {', '.join(sorted(LOGGERS))}.")
    return recipe


def structured(schema, data, where: str):
    """Merge data onto a dataclass schema, turning OmegaConf's errors into one-line messages."""
    try:
        return OmegaConf.merge(OmegaConf.structured(schema), data)
    except ConfigKeyError as err:
        key = _full_key(err, where)
        known = _fields_at(schema, getattr(err, "full_key", "") or "")
        raise UserError(f"{key}: unknown key.{_did_you_mean(key.rsplit('.', 1)[-1], known)} "
                        f"Known keys here: {', '.join(known)}.") from None
    except ValidationError as err:
        key = _full_key(err, where)
        raise UserError(f"{key}: {str(err).splitlines()[0]}. Fix the value in the recipe or on the command line.") from None


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


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=2, cutoff=0.6)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def check_missing(cfg, where: str):
    for key in OmegaConf.missing_keys(cfg):
        full = f"{where}.{key}" if where else key
        raise UserError(f"{full} is required but missing. Set it in the recipe or with `{full}=...`.")


def check_model(model: dict):
    sources = [k for k in ("path", "gguf_file", "build") if model.get(k)]
    if not sources:
        raise UserError("model: say where the weights come from: `model.path` (hub id or folder), "
                        "`model.gguf_file`, or `model.build` (e.g. `model=tiny`).")
    if model.get("build") and len(sources) > 1:
        raise UserError(f"model: `build` cannot be combined with {', '.join(s for s in sources if s != 'build')}; "
                        "keep one source.")
    if model.get("build"):
        _check_builder(model["build"])
    if model["dtype"] not in DTYPES:
        raise UserError(f"model.dtype={model['dtype']!r}: choose one of {', '.join(sorted(DTYPES))}.")
    if model.get("gguf_file"):
        gguf = Path(model["gguf_file"]).expanduser()
        if model.get("path") and not gguf.is_absolute():
            gguf = Path(model["path"]) / gguf
        if not gguf.is_file():
            raise UserError(f"model.gguf_file: {gguf} does not exist. Give the path of a .gguf file.")
    elif model.get("path") and _looks_local(model["path"]) and not Path(model["path"]).expanduser().exists():
        raise UserError(f"model.path: {model['path']} does not exist. Give a model folder or a hub id.")


def _check_builder(build):
    """Resolve `model.build` (a builder name or `{name|_target_, **kwargs}`) without building anything."""
    from r1kit.components import import_target, resolve
    from r1kit.models.load import BUILDERS

    spec = {"name": build} if isinstance(build, str) else build
    resolve(spec, {k: import_target(v) for k, v in BUILDERS.items()}, "model.build")


def _looks_local(path: str) -> bool:
    return path.startswith(("/", "./", "../", "~")) or Path(path).suffix in {".jsonl", ".json", ".parquet", ".csv"}


def check_dataset(name: str, spec, where: str | None = None) -> dict:
    where = where or f"datasets.{name}"
    if not isinstance(spec, dict):
        raise UserError(f"{where} must be a mapping with at least `adapter:`, got {spec!r}.")
    cfg = structured(DatasetSchema, spec, where)
    check_missing(cfg, where)
    data = OmegaConf.to_container(cfg, resolve=True)
    if data["path"] and data["generator"]:
        raise UserError(f"{where}: give `path` or `generator`, not both.")
    path = data["path"]
    if path and _looks_local(path) and not Path(path).expanduser().exists():
        raise UserError(f"{where}.path: {path} does not exist. Give a jsonl/json/parquet file or folder, or a hub id.")
    from r1kit.data.adapters import get_adapter_class

    get_adapter_class(data["adapter"], where=f"{where}.adapter")
    if data["generator"]:  # import it now, so a typo fails before any model loads
        from r1kit.components import import_target, resolve
        from r1kit.data.load import GENERATORS

        resolve(data["generator"], {k: import_target(v) for k, v in GENERATORS.items()}, f"{where}.generator")
    return data


def _check_stage(name: str, spec, recipe: dict, earlier: list[str], world: int) -> dict:
    where = f"stages.{name}"
    if not isinstance(spec, dict):
        raise UserError(f"{where} must be a mapping with `kind` and `data`, got {spec!r}.")
    kind = spec.get("kind")
    if kind is None:
        others = [s for s in recipe["stages"] if s != name]
        raise UserError(f"{where} has no `kind`. If you meant an existing stage, check the name "
                        f"(this recipe's stages: {', '.join(others) or 'none'}){_did_you_mean(name, others)}; "
                        f"a new stage needs `kind: sft` or `kind: grpo` and `data:`.")
    if kind not in STAGE_KINDS:
        raise UserError(f"{where}.kind={kind!r}: choose one of {', '.join(STAGE_KINDS)}.")
    defaults = OmegaConf.to_container(OmegaConf.load(CONF / "stage" / f"{kind}.yaml"))
    merged = {**defaults, **_with_algorithm(where, kind, spec)}
    own = {k: v for k, v in merged.items() if k in STAGE_KEYS}
    trainer = {k: v for k, v in merged.items() if k not in STAGE_KEYS}
    cfg = structured(StageSchema, own, where)
    check_missing(cfg, where)
    stage = OmegaConf.to_container(cfg, resolve=True)
    names = stage["data"] if isinstance(stage["data"], list) else [stage["data"]]
    if not names or not all(isinstance(n, str) for n in names):
        raise UserError(f"{where}.data={stage['data']!r}: name a dataset of `datasets:`, or a list of them.")
    for data in names:
        if data not in recipe["datasets"]:
            raise UserError(f"{where}.data={data!r} is not a dataset of this recipe. "
                            f"Define it under `datasets:` (known: {', '.join(recipe['datasets']) or 'none'}).")
    sampling = stage["domain_sampling"]
    if sampling["enabled"] and (sampling["temperature"] <= 0 or not 0 <= sampling["uniform_mix"] <= 1
                                or not 0 <= sampling["ema"] < 1):
        raise UserError(f"{where}.domain_sampling: temperature must be > 0, uniform_mix in [0, 1], ema in [0, 1).")
    init = stage["init_from"]
    if init not in ("previous", "base") and init not in earlier and not Path(init).expanduser().exists():
        raise UserError(f"{where}.init_from={init!r}: use `previous`, `base`, the name of an earlier stage "
                        f"({', '.join(earlier) or 'none yet'}) or the folder of a saved model.")
    if stage["reward_errors"] not in ("zero", "raise"):
        raise UserError(f"{where}.reward_errors={stage['reward_errors']!r}: use `zero` or `raise`.")
    if kind == "grpo" and not stage["rewards"]:
        raise UserError(f"{where}: a grpo stage needs `rewards:`, e.g. `[{{name: think_format}}, {{name: math_accuracy}}]`.")
    _check_trainer_options(where, kind, trainer)
    if kind == "grpo":
        _check_group_batch(where, trainer, world)
        _check_rewards(where, stage, trainer)
        _check_algorithm_options(where, stage, trainer, world)
    if kind != "grpo" and stage["rewards"]:
        raise UserError(f"{where}.rewards: only grpo stages use rewards; remove them or make it `kind: grpo`.")
    for key in ("dynamic_sampling", "stable_reinforce", "domain_sampling"):
        if kind != "grpo" and stage[key]["enabled"]:
            raise UserError(f"{where}.{key}: only grpo stages sample and score completions; remove it or make it "
                            "`kind: grpo`.")
    if kind != "grpo":
        for key in GRPO_ONLY:
            stage.pop(key)
    return {**stage, **trainer}


def _algorithm_names() -> list[str]:
    return sorted(p.stem for p in (CONF / "algorithm").glob("*.yaml"))


def _with_algorithm(where: str, kind: str, spec: dict) -> dict:
    """The stage with its `algorithm:` entry (r1kit/conf/algorithm/NAME.yaml) merged under the stage's own keys."""
    for key in ("dynamic_sampling", "stable_reinforce", "domain_sampling"):
        if key in spec and not isinstance(spec[key], dict):
            raise UserError(f"{where}.{key}={spec[key]!r}: this is a mapping, e.g. `{key}: {{enabled: true}}` "
                            f"(on the command line: {where}.{key}.enabled=true).")
    name = spec.get("algorithm")
    if name is None:
        return spec
    if kind != "grpo":
        raise UserError(f"{where}.algorithm: only grpo stages take an RL algorithm; remove it or make it `kind: grpo`.")
    known = _algorithm_names()
    if name not in known:
        raise UserError(f"{where}.algorithm={name!r}: unknown algorithm.{_did_you_mean(str(name), known)} "
                        f"Known: {', '.join(known)} (see docs/algorithms.md).")
    return OmegaConf.to_container(OmegaConf.merge(OmegaConf.load(CONF / "algorithm" / f"{name}.yaml"), spec))


def _check_algorithm_options(where: str, stage: dict, trainer: dict, world: int):
    """StableReinforce and dynamic sampling settings that could only fail inside the trainer."""
    stable, dynamic = stage["stable_reinforce"], stage["dynamic_sampling"]
    if stable["enabled"]:
        loss = trainer.get("loss_type")
        if loss not in RATIO_LOSSES:
            raise UserError(f"{where}.stable_reinforce: StableReinforce clamps the importance ratio of the clipped "
                            f"objective, which loss_type={loss!r} does not use. Use loss_type "
                            f"{', '.join(RATIO_LOSSES)}, or set stable_reinforce.enabled=false.")
        if not stable["max_ratio"] > 1:
            raise UserError(f"{where}.stable_reinforce.max_ratio={stable['max_ratio']}: the ratio is kept within "
                            "[1/max_ratio, max_ratio], so it must be above 1 (R1-Reward uses 1000).")
        if not stable["advantage_sigmas"] > 0:
            raise UserError(f"{where}.stable_reinforce.advantage_sigmas={stable['advantage_sigmas']}: use a positive "
                            "number of standard deviations (R1-Reward uses 3).")
    if dynamic["enabled"]:
        if dynamic["max_retries"] < 1:
            raise UserError(f"{where}.dynamic_sampling.max_retries={dynamic['max_retries']}: use at least 1 "
                            "(0 never resamples; set dynamic_sampling.enabled=false instead).")
        g = trainer.get("num_generations") or 8
        steps = trainer.get("steps_per_generation") or trainer.get("gradient_accumulation_steps", 1)
        local = (trainer["generation_batch_size"] // world if trainer.get("generation_batch_size")
                 else trainer.get("per_device_train_batch_size", 8) * steps)
        if local % g:
            raise UserError(f"{where}.dynamic_sampling: each process keeps or drops whole groups, but its generation "
                            f"batch ({local} completions) is not divisible by num_generations={g}. Make "
                            f"per_device_train_batch_size x steps_per_generation a multiple of {g}.")


def _check_rewards(where: str, stage: dict, trainer: dict):
    """Resolve every reward now (names, dotted paths, options) so a typo fails before a model loads."""
    from r1kit.rewards.stack import RewardStack

    if trainer.get("reward_weights") is not None:
        raise UserError(f"{where}.reward_weights: give each reward its `weight:` in `rewards:` instead.")
    RewardStack(stage["rewards"], stage["reward_errors"], f"{where}.rewards")


def trainer_options(stage: dict) -> dict:
    """The TRL options of a validated stage: every key that is not r1kit's own."""
    return {k: v for k, v in stage.items() if k not in STAGE_KEYS and k != "name"}


@cache
def _trainer_fields(kind: str) -> dict:
    from trl import GRPOConfig, SFTConfig

    config = {"sft": SFTConfig, "grpo": GRPOConfig}[kind]
    return {f.name: f for f in dataclasses.fields(config) if f.init}


def _check_trainer_options(where: str, kind: str, options: dict):
    fields = _trainer_fields(kind)
    for key, value in options.items():
        if key in MANAGED:
            raise UserError(f"{where}.{key} is set by r1kit (run directory and logger); remove it from the stage.")
        if key not in fields:
            hint = _did_you_mean(key, list(fields) + list(STAGE_KEYS))
            raise UserError(f"{where}.{key}: unknown key for a {kind} stage.{hint} A stage takes r1kit's keys "
                            f"({', '.join(sorted(STAGE_KEYS))}) and the options of trl.{kind.upper()}Config.")
        expected = _type_mismatch(fields[key].type, value)
        if expected:
            raise UserError(f"{where}.{key}={value!r}: expected {expected}.")


def _type_mismatch(annotation, value) -> str | None:
    """Name the expected type when `value` clearly does not fit a simple annotation, else None."""
    simple = {int: "an integer", float: "a number", bool: "true or false", str: "a string",
              list: "a list", dict: "a mapping", type(None): "null"}
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) or \
        typing.get_origin(annotation) is typing.Union else (annotation,)
    kinds = [typing.get_origin(a) or a for a in args]
    if any(k not in simple for k in kinds):
        return None  # enums and other rich types are left to TRL
    for k in kinds:
        if k is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return None
        if k is int and isinstance(value, int) and not isinstance(value, bool):
            return None
        if k not in (int, float) and isinstance(value, k):
            return None
    return " or ".join(simple[k] for k in kinds)


def _check_group_batch(where: str, trainer: dict, world: int):
    """GRPO splits each generation batch over `world` processes and into groups of `num_generations`."""
    g = trainer.get("num_generations") or 8
    per_device = trainer.get("per_device_train_batch_size", 8)
    steps = trainer.get("steps_per_generation") or trainer.get("gradient_accumulation_steps", 1)
    if g < 2:
        raise UserError(f"{where}.num_generations={g}: GRPO compares completions within a group; use at least 2.")
    batch = trainer.get("generation_batch_size")
    if batch and batch % (per_device * world):
        raise UserError(
            f"{where}.generation_batch_size={batch} is not divisible by per_device_train_batch_size {per_device} x "
            f"{world} process(es) = {per_device * world}. Make it a multiple of {per_device * world}, or change "
            "launcher.gpus / launcher.nodes.")
    if batch and batch % g:
        raise UserError(f"{where}.generation_batch_size={batch} is not divisible by num_generations={g}.")
    batch = batch or per_device * world * steps
    if batch % g:
        raise UserError(
            f"{where}: the generation batch ({batch} = per_device_train_batch_size {per_device} x {world} process(es)"
            f" x steps_per_generation {steps}) is not divisible by num_generations={g}. "
            f"Make per_device_train_batch_size a multiple of {g}, change num_generations, or run on a number of "
            "processes (launcher.gpus x launcher.nodes) that makes it divide.")


def _check_eval(recipe: dict):
    data = recipe["eval"]["data"]
    if data is not None and data not in recipe["datasets"]:
        raise UserError(f"eval.data={data!r} is not a dataset of this recipe "
                        f"(known: {', '.join(recipe['datasets']) or 'none'}).")
