"""`r1kit eval`: score models, or every stage of a run, on a dataset with its metric and rewards.

`model=` is a hub id, a model folder, a .gguf file, a model config name (`model=smollm2`)
or a run directory; a run directory stands for each of its finished stages (and the
base model when the recipe loads one), so one table shows what each stage did.
`compare=` adds more models or runs to the same table. Every evaluated model writes
`<name>.json` (figures and config) and `<name>.samples.jsonl` (every sample, scored).
"""

import gc
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from r1kit.config.schema import EvalCommandSchema, ModelSchema
from r1kit.errors import UserError
from r1kit.run.rundir import is_run_dir, newest_run

CONF = Path(__file__).resolve().parents[1] / "conf"
GROUPS = ("model", "data", "reward")
HUB_ID = re.compile(r"^[\w.-]+(/[\w.-]+)?$")


@dataclass
class Target:
    """One model to evaluate: its label in the table, its model config, and the weights to load."""

    label: str
    model: dict
    weights: str | None = None  # a saved folder loaded instead of the config's source
    run: Path | None = None
    recipe: dict | None = None


def group_options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


def split_overrides(overrides: list[str]) -> tuple[list[str], dict]:
    """Hydra overrides, and the values of `model`/`data`/`compare` that are not config names.

    `model=smollm2` selects a config group; `model=runs/x` is a path, which Hydra would
    take for a missing group option, so it is kept aside and set after composition.
    """
    hydra, plain = [], {"compare": []}
    for o in overrides:
        key, eq, value = o.partition("=")
        if key == "compare" and eq:
            plain["compare"] += [v for v in value.strip("[]").split(",") if v]
        elif key in GROUPS and eq:
            if value in group_options(key):
                hydra.append(f"+{key}={value}")
                plain[f"{key}_name"] = value
            elif key == "reward":
                raise UserError(f"reward={value}: unknown reward stack. Known: {', '.join(group_options('reward'))}"
                                " (r1kit/conf/reward/); single rewards are listed by `r1kit ls`.")
            else:
                plain[key] = value
        else:
            hydra.append(o)
    return hydra, plain


def compose_eval(overrides: list[str], compare: list[str] = ()) -> dict:
    """The validated `r1kit eval` config as a plain dict."""
    from omegaconf import OmegaConf

    from r1kit.config.compose import compose
    from r1kit.config.validate import check_missing, structured

    hydra, plain = split_overrides(overrides)
    raw = compose("eval", hydra)
    for key in ("model", "data"):
        if key in plain:
            raw[key] = plain[key]
    raw["compare"] = list(raw.get("compare") or []) + plain["compare"] + list(compare)
    names = {k: plain.get(f"{k}_name") for k in GROUPS}
    cfg = structured(EvalCommandSchema, raw, "")
    check_missing(cfg, "")
    config = OmegaConf.to_container(cfg, resolve=True)
    config["_names"] = names
    _check_numbers(config)
    return config


def _check_numbers(cfg: dict):
    n = cfg["n"]
    if n < 1:
        raise UserError(f"n={n}: the number of samples per prompt must be at least 1.")
    ks = cfg["k"] if cfg["k"] is not None else sorted({1, n})
    ks = [ks] if isinstance(ks, int) else ks
    if not isinstance(ks, list) or not all(isinstance(k, int) and not isinstance(k, bool) for k in ks):
        raise UserError(f"k={cfg['k']!r}: give an integer or a list of integers, such as k=4 or k=[1,4,8].")
    for k in ks:
        if not 1 <= k <= n:
            raise UserError(f"k={k} with n={n}: pass@k and maj@k need 1 <= k <= n samples per prompt. "
                            f"Raise n (n={max(ks)}) or lower k.")
    cfg["k"] = sorted(set(ks))
    if cfg["temperature"] is None:
        cfg["temperature"] = 0.0 if n == 1 else 1.0
    if cfg["temperature"] < 0:
        raise UserError(f"temperature={cfg['temperature']}: must be >= 0 (0 is greedy decoding).")
    if n > 1 and cfg["temperature"] == 0:
        raise UserError(f"n={n} with temperature=0: greedy decoding gives {n} identical samples. "
                        "Set temperature>0 (e.g. temperature=0.7) or n=1.")
    from r1kit.evaluation.generation import BACKENDS

    if cfg["backend"] not in BACKENDS:
        raise UserError(f"backend={cfg['backend']!r}: choose one of {', '.join(BACKENDS)}.")
    for key in ("batch_size", "max_new_tokens", "limit"):
        if cfg[key] is not None and cfg[key] < 1:
            raise UserError(f"{key}={cfg[key]}: must be a positive integer.")


# ---------------------------------------------------------------- what to evaluate


def resolve_targets(spec, where: str = "model", cfg: dict | None = None) -> list[Target]:
    """The models a `model=`/`compare=` value stands for."""
    if isinstance(spec, dict):  # model=smollm2: a model config
        name = (cfg or {}).get("_names", {}).get("model") or "model"
        return [Target(name, _model_config(spec, where))]
    path = Path(str(spec)).expanduser()
    if not (path / "config.json").is_file():  # a model folder is never a folder of runs
        path = newest_run(path)
    if is_run_dir(path):
        return _run_targets(path, where)
    if path.is_dir():
        return [Target(path.name, _model_config({"path": str(path)}, where))]
    if path.is_file() and path.suffix == ".gguf":
        return [Target(path.stem, _model_config({"gguf_file": str(path.resolve())}, where))]
    if path.exists():
        raise UserError(f"{where}={spec}: not a model folder, a .gguf file or a run directory.")
    if not HUB_ID.match(str(spec)) or str(spec).startswith((".", "~")):
        raise UserError(f"{where}={spec}: no such file or directory. Give a model folder, a run directory "
                        "(runs/<recipe>/<time>), a .gguf file, a model config name or a hub id.")
    return [Target(str(spec).rsplit("/", 1)[-1], _model_config({"path": str(spec)}, where))]


def _model_config(spec: dict, where: str) -> dict:
    from omegaconf import OmegaConf

    from r1kit.config.validate import check_model, structured

    model = OmegaConf.to_container(structured(ModelSchema, spec, where), resolve=True)
    check_model(model)
    return model


def _run_targets(run: Path, where: str) -> list[Target]:
    recipe = yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))
    state = json.loads((run / "state.json").read_text(encoding="utf-8"))
    targets = []
    if recipe["model"].get("path") or recipe["model"].get("gguf_file"):
        targets.append(Target("base", recipe["model"], None, run, recipe))
    for name in recipe["stages"]:
        record = state.get("stages", {}).get(name, {})
        final = run / record.get("final", "-")
        if record.get("status") == "done" and final.is_dir():
            targets.append(Target(name, recipe["model"], str(final), run, recipe))
    if not any(t.weights for t in targets):
        raise UserError(f"{where}={run}: this run has no finished stage yet (see {run / 'state.json'}).")
    return targets


def _unique_labels(targets: list[Target]):
    """Prefix labels that clash (two runs' `sft`, two folders named `final`) with the run or parent folder."""
    def clashes():
        labels = [t.label for t in targets]
        return [t for t in targets if labels.count(t.label) > 1]

    for t in clashes():
        origin = t.run or Path(t.weights or t.model.get("path") or ".").resolve().parent
        t.label = f"{origin.name}/{t.label}"
    for i, t in enumerate(clashes()):
        t.label = f"{t.label}#{i}"


def resolve_data(cfg: dict, first: Target) -> tuple[dict, str]:
    """The dataset spec to evaluate on and its display name."""
    from r1kit.config.validate import check_dataset

    data, recipe = cfg["data"], first.recipe
    if isinstance(data, dict):
        return check_dataset("data", data, "data"), cfg["_names"].get("data") or "data"
    if recipe is None:
        if data is None:
            raise UserError(f"data=... is required: a data config ({', '.join(group_options('data'))}) "
                            "with data.path=... for your file.")
        raise UserError(f"data={data}: unknown data config. Known: {', '.join(group_options('data'))}. "
                        "(A dataset name of a run's recipe works when model= is a run directory.)")
    name = data or recipe["eval"]["data"]
    if name is None:
        raise UserError(f"model={first.run}: its recipe has no eval.data; choose data=... "
                        f"({', '.join(group_options('data'))} or one of {', '.join(recipe['datasets'])}).")
    if name not in recipe["datasets"]:
        raise UserError(f"data={name}: neither a data config ({', '.join(group_options('data'))}) nor a dataset "
                        f"of the run's recipe ({', '.join(recipe['datasets'])}).")
    return recipe["datasets"][name], name


def resolve_rewards(cfg: dict, first: Target):
    """The reward stack entries: reward=<stack>, else the run's last grpo stage's, else none."""
    if cfg["reward"] is not None:
        return cfg["reward"].get("rewards") if isinstance(cfg["reward"], dict) else cfg["reward"]
    if first.recipe:
        grpo = [s for s in first.recipe["stages"].values() if s.get("kind") == "grpo" and s.get("rewards")]
        if grpo:
            return grpo[-1]["rewards"]
    return None


# ---------------------------------------------------------------- running it


def run_eval(cfg: dict, console=None) -> list[dict]:
    """Evaluate every target; write the JSON and samples files; print one table. Returns the results."""
    from rich.console import Console

    from r1kit.curriculum import quiet_libraries
    from r1kit.data.load import build_examples
    from r1kit.rewards.stack import RewardStack

    console = console or Console()
    targets = resolve_targets(cfg["model"], "model", cfg)
    for other in cfg["compare"]:
        targets += resolve_targets(other, "compare")
    _unique_labels(targets)
    data_spec, data_name = resolve_data(cfg, targets[0])
    entries = resolve_rewards(cfg, targets[0])
    stack = RewardStack(entries, "zero", "reward") if entries else None
    recipe_eval = (targets[0].recipe or {}).get("eval", {})
    limit = cfg["limit"] or recipe_eval.get("limit")
    max_new_tokens = cfg["max_new_tokens"] or recipe_eval.get("max_new_tokens") or 512
    quiet_libraries()
    examples, adapter = build_examples({**data_spec, "limit": None}, f"data ({data_name})")
    if limit:
        examples = examples.select(range(min(limit, len(examples))))
    out_dir = Path(cfg["output_dir"]) if cfg["output_dir"] else (
        targets[0].run / "eval" if targets[0].run else Path("eval"))
    results = []
    for target in targets:
        figures, records = evaluate_target(target, examples, adapter, cfg, max_new_tokens, stack)
        gc.collect()  # the model evaluated last is dropped before the next loads
        name = _file_name(cfg, target, data_name, len(targets))
        result = {"name": name, "model": target.label, "weights": target.weights or _source(target.model),
                  "data": data_name, "figures": figures, "config": _public(cfg, max_new_tokens, limit, entries)}
        write_results(out_dir, name, result, records)
        results.append(result)
        console.print(f"  {target.label}: accuracy {_fmt(figures.get('accuracy'))}, "
                      f"{figures['completions_per_second']:.1f} completions/s -> {out_dir / name}.json",
                      soft_wrap=True)
    print_table(results, console, f"{data_name}: {len(examples)} prompts x {cfg['n']} samples")
    return results


def evaluate_target(target: Target, examples, adapter, cfg: dict, max_new_tokens: int, stack):
    from omegaconf import OmegaConf
    from transformers import set_seed

    from r1kit.evaluation.generation import generate_transformers, generate_vllm, pick_backend
    from r1kit.evaluation.scoring import evaluate
    from r1kit.models.load import load_model

    model_cfg = {**target.model, "dtype": cfg["dtype"] if cfg["dtype"] != "auto" else target.model["dtype"],
                 "lora": {**target.model.get("lora", {}), "enabled": False}}
    set_seed(cfg["seed"])
    path = target.weights or (target.model.get("path") if not target.model.get("gguf_file") else None)
    backend = pick_backend(cfg["backend"], path)
    try:
        model, tokenizer = load_model(OmegaConf.create(model_cfg), path_override=target.weights)
    except OSError as err:
        raise UserError(f"model {target.label}: could not be loaded ({err}).") from err
    if stack is not None:
        stack.bind_policy(model, tokenizer)  # rewards scored by the policy itself (VeriFree)
    options = {"n": cfg["n"], "max_new_tokens": max_new_tokens, "temperature": cfg["temperature"],
               "top_p": cfg["top_p"]}
    if backend == "vllm":
        def generate(prompts):
            return generate_vllm(path, tokenizer, prompts, seed=cfg["seed"], dtype=cfg["dtype"], **options)
    else:
        def generate(prompts):
            return generate_transformers(model, tokenizer, prompts, batch_size=cfg["batch_size"],
                                         label=f"eval {target.label}", **options)
    figures, records = evaluate(generate, examples, adapter, n=cfg["n"], ks=cfg["k"], rewards=stack,
                                correct_threshold=cfg["correct_threshold"])
    figures["backend"] = backend
    return figures, records


def _file_name(cfg: dict, target: Target, data_name: str, count: int) -> str:
    label = target.label.replace("/", "-")
    if cfg["name"]:
        return cfg["name"] if count == 1 else f"{cfg['name']}-{label}"
    return f"{label}-{data_name}"


def _source(model: dict) -> str:
    return model.get("path") or model.get("gguf_file") or f"built: {model.get('build')}"


def _public(cfg: dict, max_new_tokens: int, limit, rewards) -> dict:
    shown = {k: v for k, v in cfg.items() if not k.startswith("_")}
    return {**shown, "max_new_tokens": max_new_tokens, "limit": limit, "reward": rewards}


def write_results(out_dir: Path, name: str, result: dict, records: list[dict]):
    """`<name>.json` and `<name>.samples.jsonl`, each written whole or not at all."""
    from r1kit.run.rundir import write_atomic

    out_dir.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)
    write_atomic(out_dir / f"{name}.samples.jsonl", lines)
    write_atomic(out_dir / f"{name}.json", json.dumps(result, indent=2, default=str) + "\n")


ROWS = ("accuracy", "format_rate", "reward", "mean_length", "p90_length", "truncation_rate",
        "completions_per_second")


def print_table(results: list[dict], console, title: str):
    from rich.table import Table

    keys = [k for k in ROWS if any(k in r["figures"] for r in results)]
    order = {"pass": 0, "maj": 1}
    extra = sorted({k for r in results for k in r["figures"] if k.startswith(("pass@", "maj@", "rewards/"))},
                   key=lambda k: (order.get(k.split("@")[0], 2), int(k.split("@")[1]) if "@" in k else 0, k))
    table = Table(title=title)
    table.add_column("")
    for r in results:
        table.add_column(r["model"], justify="right")
    for key in keys[:2] + extra + keys[2:]:
        table.add_row(key, *[_fmt(r["figures"].get(key), key) for r in results])
    console.print(table)


def _fmt(value, key: str = "accuracy") -> str:
    if value is None:
        return "-"
    if key in ("mean_length", "p90_length", "completions_per_second") or key.startswith("rewards/") \
            or key == "reward":
        return f"{value:.2f}" if key.startswith("reward") else f"{value:.1f}"
    return f"{100 * value:.1f}%"
