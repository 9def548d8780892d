"""Any shipped recipe at tiny scale: the same stages, rewards and adapters on the tiny model and fixture rows.

Used by the recipe matrix (tests/recipes/test_recipe_matrix.py) and scripts/bench_recipes.py. The recipe is
composed as `r1kit train` composes it (defaults, stage kinds, algorithm presets, reward stacks), then shrunk:

- each dataset at `data/<x>.jsonl` gets the rows of `tests/recipes/fixtures/<x>.jsonl` (the published schema)
  run through `convert` of `scripts/prepare_<x>.py`, or of `scripts/prepare_<p>.py` for the longest `p` that
  starts `x` and has a script (one script may prepare several files: prepare_time_bench.py for
  time_bench_prediction); generated datasets make 16 rows;
- a model loaded from a path (a hub id) becomes `tiny`, or `tiny_vl` when a dataset's adapter reads images,
  keeping the recipe's LoRA, frozen vision tower and (text) chat template; a model built in code is kept;
- every stage runs `steps` steps on small batches (GRPO: groups of 2, 16 new tokens), one local process, a
  4-row held-out check, no logger; a generate stage samples 4 x 4 and keeps by a reward right half the time.

The result is one self-contained YAML file that `r1kit train recipe=<file>` runs.
"""

import copy
import importlib.util
import inspect
import json
import sys
from functools import cache
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "recipes" / "fixtures"
SCRIPTS = REPO / "scripts"
CONF = REPO / "r1kit" / "conf"
ROWS = 16  # rows made by a dataset's generator
GROUP = 2  # GRPO completions per prompt
NEW_TOKENS = 16
SFT_LENGTH = 2048  # tokens (characters for `tiny`): a fixture conversation fits, so its answer is trained on


def recipe_names() -> list[str]:
    """Every recipe shipped in recipes/, by name."""
    return sorted(p.stem for p in (REPO / "recipes").glob("*.yaml"))


def composed(name: str) -> dict:
    """The recipe as `r1kit train recipe=NAME --cfg job` resolves it (no validation)."""
    from r1kit.config.compose import compose_recipe

    return compose_recipe("train", [], recipe=name)


def prepare_script(dataset: str) -> Path:
    """scripts/prepare_<dataset>.py, else the script of the longest prefix of `dataset` that has one."""
    parts = dataset.split("_")
    for end in range(len(parts), 0, -1):
        script = SCRIPTS / f"prepare_{'_'.join(parts[:end])}.py"
        if script.is_file():
            return script
    raise AssertionError(f"data/{dataset}.jsonl: no scripts/prepare_{dataset}.py (nor one for a prefix of the name) "
                         "to convert its fixture rows; see docs/recipes.md#the-recipe-matrix")


@cache
def load_script(path: Path):
    """A prepare script as a module (its `convert` is pure; its main only runs from the command line). Its folder
    goes on sys.path, as when it runs, for the `prepare_common` it shares with the other scripts."""
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"prepare_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fixture_rows(dataset: str) -> list[dict]:
    """The fixture of data/<dataset>.jsonl converted to the adapter's columns by its prepare script.

    A visual dataset's `convert(rows, image_root=...)` gets `tests/recipes/fixtures/images/<dataset>/`, where small
    images stand in for the published ones under their published relative names."""
    fixture = FIXTURES / f"{dataset}.jsonl"
    if not fixture.is_file():
        raise AssertionError(f"data/{dataset}.jsonl: no fixture {fixture.relative_to(REPO)} (4-8 rows in the "
                             "published schema)")
    convert = load_script(prepare_script(dataset)).convert
    if "image_root" in inspect.signature(convert).parameters:  # a visual dataset's images, by their published names
        return list(convert(read_jsonl(fixture), image_root=str(FIXTURES / "images" / dataset)))
    return list(convert(read_jsonl(fixture)))


def is_visual(config: dict) -> bool:
    """Whether any dataset's adapter reads images (the model must then be a VLM)."""
    from r1kit.data.adapters import get_adapter_class
    from r1kit.data.visual import VisualAdapter

    return any(issubclass(get_adapter_class(spec["adapter"]), VisualAdapter)
               for spec in config.get("datasets", {}).values() if isinstance(spec, dict) and spec.get("adapter"))


def tiny_model(model: dict, visual: bool) -> dict:
    """`tiny`/`tiny_vl` in place of a downloaded model, keeping what the recipe asks of the model's training."""
    if model.get("build"):
        return model
    tiny = yaml.safe_load((CONF / "model" / ("tiny_vl.yaml" if visual else "tiny.yaml")).read_text())
    tiny["lora"] = model.get("lora") or {}
    if visual:
        tiny["freeze_vision"] = bool(model.get("freeze_vision"))
    else:
        tiny["build"]["max_position_embeddings"] = 4096  # published prompts are long in characters
        if model.get("chat_template"):
            tiny["chat_template"] = model["chat_template"]
    return tiny


# A random tiny model is never right, so a generate stage scores with a reward that passes about half of its samples
# (needs the repo on PYTHONPATH): its filters then keep rows for the stages that read them.
HALF_RIGHT = [{"_target_": "tests.stages.generate_rewards.even_length"}]


def tiny_stage(stage: dict, steps: int) -> dict:
    if stage.get("kind") == "generate":
        return dict(stage, limit=4, n=4, batch_size=16, rewards=HALF_RIGHT, correct_threshold=1.0,
                    max_new_tokens=min(stage.get("max_new_tokens") or NEW_TOKENS, NEW_TOKENS))
    if stage.get("kind") == "merge":
        return stage
    stage = dict(stage, max_steps=steps, logging_steps=1, save_steps=steps, gradient_accumulation_steps=1)
    for key in ("generation_batch_size", "num_train_epochs"):
        stage.pop(key, None)
    if stage.get("kind") == "grpo":  # one generation per step, also where an algorithm preset sets more
        stage["steps_per_generation"] = 1
    if stage.get("kind") == "sft":
        stage.update(per_device_train_batch_size=2, max_length=min(stage.get("max_length") or SFT_LENGTH, SFT_LENGTH))
    elif stage.get("kind") == "grpo":
        stage.update(per_device_train_batch_size=2 * GROUP, num_generations=GROUP, use_vllm=False,
                     max_completion_length=min(stage.get("max_completion_length") or NEW_TOKENS, NEW_TOKENS))
        if stage.get("max_turn_tokens"):  # a turn's budget cannot exceed the whole completion's
            stage["max_turn_tokens"] = min(stage["max_turn_tokens"], NEW_TOKENS)
    return stage


def tiny_dataset(spec: dict, data_dir: Path) -> dict:
    spec = dict(spec)
    path = spec.get("path")
    if path:
        if not (path.startswith("data/") and path.endswith(".jsonl")):
            raise AssertionError(f"dataset path {path!r}: a shipped recipe reads data/<x>.jsonl written by "
                                 "scripts/prepare_<x>.py, so that the matrix can swap in fixture rows")
        name = Path(path).stem
        out = data_dir / f"{name}.jsonl"
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in fixture_rows(name)), encoding="utf-8")
        spec["path"] = str(out)
    elif isinstance(spec.get("generator"), dict):
        generator = dict(spec["generator"])
        for key in ("n", "size"):
            if isinstance(generator.get(key), int):
                generator[key] = min(generator[key], ROWS)
        spec["generator"] = generator
    spec["limit"] = min(spec.get("limit") or ROWS, ROWS)
    return spec


def tiny_config(config: dict, work: Path, steps: int = 2) -> dict:
    """The composed recipe shrunk to tiny scale; fixture data is written under `work/data`."""
    config = copy.deepcopy(config)
    data_dir = work / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    visual = is_visual(config)
    config["datasets"] = {k: tiny_dataset(v, data_dir) for k, v in config["datasets"].items()}
    config["model"] = tiny_model(config["model"], visual)
    config["stages"] = {k: tiny_stage(v, steps) for k, v in config["stages"].items()}
    config["eval"] = dict(config.get("eval") or {}, limit=4, max_new_tokens=NEW_TOKENS, batch_size=4, every_steps=0)
    config["launcher"] = yaml.safe_load((CONF / "launcher" / "local.yaml").read_text())
    config["logger"] = {"backend": "none"}
    config["output_dir"] = str(work / "run")
    return config


def data_overrides(config: dict, work: Path) -> list[str]:
    """Overrides pointing the recipe's data/<x>.jsonl datasets at the fixture rows tiny_config wrote in `work`."""
    return [f"datasets.{k}.path={work / 'data' / Path(v['path']).name}" for k, v in config["datasets"].items()
            if isinstance(v, dict) and str(v.get("path") or "").startswith("data/")]


def write_tiny_recipe(name: str, work: Path, steps: int = 2) -> Path:
    """recipes/NAME.yaml at tiny scale as a recipe file in `work` (its run goes to work/run)."""
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"{name}_tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_config(composed(name), work, steps), sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path
