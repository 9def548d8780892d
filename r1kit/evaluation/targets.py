"""What `r1kit eval` evaluates: the models its `model=`/`compare=` values stand for, the data and the rewards.

`model=` is a hub id, a model folder, a .gguf file, a model config name (`model=smollm2`)
or a run directory; a run directory stands for each of its finished stages (and the
base model when the recipe loads one), so one table shows what each stage did. Every
target gets a label that is unique in the table.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from r1kit.conf import group_options
from r1kit.data.generated import is_generated
from r1kit.errors import UserError
from r1kit.run.rundir import RunDir, is_run_dir, newest_run

HUB_ID = re.compile(r"^[\w.-]+(/[\w.-]+)?$")


@dataclass
class Target:
    """One model to evaluate: its label in the table, its model config, and the weights to load."""

    label: str
    model: dict
    weights: str | None = None  # a saved folder loaded instead of the config's source
    run: Path | None = None
    recipe: dict | None = None


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
    from r1kit.checks import typed
    from r1kit.models.config import ModelSchema, check_model

    model = typed(ModelSchema, spec, where)
    check_model(model)
    return model


def _run_targets(run: Path, where: str) -> list[Target]:
    recipe = yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))
    state = RunDir(run).read_state()  # a corrupt state.json is a UserError naming the file
    targets = []
    if recipe["model"].get("path") or recipe["model"].get("gguf_file"):
        targets.append(Target("base", recipe["model"], None, run, recipe))
    for name in recipe["stages"]:
        record = state.get("stages", {}).get(name, {})
        final = run / record.get("final", "-")
        if record.get("status") == "done" and _generates(final):
            targets.append(Target(name, recipe["model"], str(final), run, recipe))
    if not any(t.weights for t in targets):
        raise UserError(f"{where}={run}: this run has no finished stage yet (see {run / 'state.json'}).")
    return targets


def _generates(folder: Path) -> bool:
    """A final/ that is a language model. Not a target: a reward model's (a sequence classifier, it scores) or a
    generate stage's (a dataset)."""
    if not folder.is_dir() or is_generated(folder):
        return False
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True  # loading it says what is wrong
    return not any(str(a).endswith("ForSequenceClassification") for a in config.get("architectures") or [])


def unique_labels(targets: list[Target]):
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
    from r1kit.data.config import check_dataset

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
