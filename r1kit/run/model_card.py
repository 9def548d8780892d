"""A stage's model card: `final/README.md`, so the folder pushed to the Hugging Face hub explains itself.

The hub reads the YAML front matter (library, tags, base model, datasets, pipeline); a reader
gets the recipe, its stages, the options of this stage that shape the model, the held-out
figures measured after it, and the resolved recipe to reproduce it.
"""

import json
import re
from pathlib import Path

import yaml

from r1kit.run.rundir import write_atomic

# The stage options a reader of the card needs, in this order (others are in the resolved recipe below).
OPTIONS = ("learning_rate", "lr_scheduler_type", "max_steps", "num_train_epochs", "per_device_train_batch_size",
           "gradient_accumulation_steps", "max_length", "assistant_only_loss", "num_generations",
           "max_completion_length", "temperature", "beta", "loss_type", "scale_rewards", "algorithm")
SWITCHES = ("dynamic_sampling", "stable_reinforce", "domain_sampling", "difficulty_weight")  # shown when enabled
FILE_SUFFIXES = (".json", ".jsonl", ".parquet", ".csv", ".arrow", ".txt", ".gguf", ".yaml", ".yml")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def hub_id(value) -> str | None:
    """`value` when it reads as a hub repository id (`Qwen/Qwen2.5-VL-7B-Instruct`) rather than a local path."""
    if not isinstance(value, str) or not HUB_ID.match(value) or value.lower().endswith(FILE_SUFFIXES):
        return None
    return None if Path(value).expanduser().exists() else value


def write_model_card(final: Path, recipe: dict, stage_name: str, record: dict) -> Path:
    """Write `final/README.md` for stage `stage_name` of the resolved `recipe`, given its state.json `record`
    (steps, seconds and, when the held-out check ran, its figures under `eval`)."""
    final = Path(final)
    config_file = final / "config.json"
    model_config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.is_file() else {}
    path = final / "README.md"
    write_atomic(path, model_card(recipe, stage_name, record, model_config))
    return path


def model_card(recipe: dict, stage_name: str, record: dict, model_config: dict | None = None) -> str:
    """The card's text: YAML front matter, then the recipe, this stage, its held-out figures and how to load it."""
    stage = recipe["stages"][stage_name]
    vision = "vision_config" in (model_config or {})
    meta = {"library_name": "transformers", "pipeline_tag": "image-text-to-text" if vision else "text-generation",
            "tags": ["r1kit", stage["kind"], "reasoning"]}
    if hub_id(recipe["model"].get("path")):
        meta["base_model"] = recipe["model"]["path"]
    datasets = sorted({hub_id(recipe["datasets"][d].get("path")) for d in _data_names(stage)
                       if d in recipe["datasets"]} - {None})
    if datasets:
        meta["datasets"] = datasets
    names = list(recipe["stages"])
    lines = ["---", yaml.safe_dump(meta, sort_keys=False).strip(), "---", "",
             f"# {recipe['name']}: stage `{stage_name}`", "",
             (f"Trained with r1kit from the recipe `{recipe['name']}`: stage {names.index(stage_name) + 1} of "
              f"{len(names)} (kind `{stage['kind']}`). Base model: {_base_model(recipe['model'])}."), "",
             "## Stages", "", "| # | stage | kind | data | starts from | |", "|---:|---|---|---|---|---|"]
    for i, (name, other) in enumerate(recipe["stages"].items()):
        lines.append(f"| {i + 1} | {name} | {other['kind']} | {', '.join(_data_names(other))} | "
                     f"{_starts_from(i, other, names)} | {'this model' if name == stage_name else ''} |")
    lines += ["", f"## Stage `{stage_name}`", "", *_stage_lines(recipe, stage, record), "",
              "## Held-out evaluation", "", *_eval_lines(recipe, stage_name, record.get("eval")), "",
              "## Use", "", "```python", _usage(vision), "```", "",
              "Or score it: `r1kit eval model=<this folder> data=<a data config>`.", "",
              "<details><summary>The resolved recipe (the run's config.yaml)</summary>", "",
              "```yaml", yaml.safe_dump(recipe, sort_keys=False).strip(), "```", "", "</details>"]
    return "\n".join(lines) + "\n"


def _data_names(stage: dict) -> list[str]:
    """The stage's datasets; none for a stage that reads weights only (merge)."""
    data = stage.get("data")
    return data if isinstance(data, list) else [] if data is None else [data]


def _starts_from(index: int, stage: dict, names: list[str]) -> str:
    """What the stage at `index` trains on top of (its `init_from`, as r1kit.curriculum reads it)."""
    init = stage.get("init_from", "previous")
    if init == "previous":
        init = names[index - 1] if index else "base"
    if init == "base":
        return "the base model"
    return f"stage `{init}`" if init in names else f"`{init}`"


def _base_model(model: dict) -> str:
    if model.get("path"):
        return f"`{model['path']}`" + (f" (`{model['gguf_file']}`)" if model.get("gguf_file") else "")
    build = model.get("build") or {}
    sizes = ", ".join(f"{k} {v}" for k, v in build.items() if k != "name")
    return f"none, built from scratch (`{build.get('name')}`{': ' + sizes if sizes else ''})"


def _stage_lines(recipe: dict, stage: dict, record: dict) -> list[str]:
    data = "; ".join(f"`{d}` ({_dataset(recipe['datasets'][d]) if d in recipe['datasets'] else 'generated in this run'})"
                     for d in _data_names(stage))
    lines = [f"- data: {data}"] if data else [f"- merged: {stage.get('models')}"]
    if stage.get("rewards"):
        lines.append("- rewards: " + ", ".join(f"`{r.get('name') or r.get('_target_')}` x {r.get('weight', 1.0)}"
                                              for r in stage["rewards"]))
    shown = [k for k in OPTIONS if stage.get(k) is not None
             and not (k == "num_train_epochs" and (stage.get("max_steps") or -1) > 0)]
    lines += [f"- {k}: {stage[k]}" for k in shown]
    lines += [f"- {k}: on ({', '.join(f'{o} {v}' for o, v in stage[k].items() if o != 'enabled')})"
              for k in SWITCHES if (stage.get(k) or {}).get("enabled")]
    lora = recipe["model"].get("lora") or {}
    if lora.get("enabled"):
        lines.append(f"- LoRA: r {lora['r']}, alpha {lora['alpha']}, merged into these weights")
    launcher = recipe.get("launcher") or {"name": "local"}
    lines.append(f"- launcher: {launcher['name']}" + ("" if launcher["name"] == "local" else
                 f" ({launcher.get('gpus', 1)} GPU(s) per node, {launcher.get('nodes', 1)} node(s))"))
    if "steps" in record:
        lines.append(f"- trained: {record['steps']} steps" +
                     (f" in {record['seconds']:.0f} s" if isinstance(record.get("seconds"), (int, float)) else ""))
    return lines


def _dataset(spec: dict) -> str:
    if spec.get("path"):
        return f"{spec['path']}" + (f", subset {spec['subset']}" if spec.get("subset") else "") + \
            f", split {spec.get('split', 'train')}, adapter {spec['adapter']}"
    generator = spec.get("generator") or {}
    options = ", ".join(f"{k} {v}" for k, v in generator.items() if k != "name")
    return f"generated by `{generator.get('name')}`{': ' + options if options else ''}"


def _eval_lines(recipe: dict, stage_name: str, figures: dict | None) -> list[str]:
    if not figures:
        return [f"No held-out check ran after this stage (eval.after_each_stage, stages.{stage_name}.evaluate)."]
    cfg = recipe.get("eval") or {}
    intro = (f"Greedy answers to `{cfg.get('data')}` ({figures.get('prompts', '?')} prompts, up to "
             f"{cfg.get('max_new_tokens', '?')} new tokens), right after this stage:")
    row = (f"| {_pct(figures.get('accuracy'))} | {_pct(figures.get('format_rate'))} | "
           f"{_num(figures.get('mean_length'))} | {_pct(figures.get('truncation_rate'))} |")
    return [intro, "", "| accuracy | format rate | mean length (tokens) | truncated |", "|---:|---:|---:|---:|", row]


def _usage(vision: bool) -> str:
    if vision:
        return ('from transformers import AutoModelForImageTextToText, AutoProcessor\n\n'
                'model = AutoModelForImageTextToText.from_pretrained("<this folder>")\n'
                'processor = AutoProcessor.from_pretrained("<this folder>")')
    return ('from transformers import AutoModelForCausalLM, AutoTokenizer\n\n'
            'model = AutoModelForCausalLM.from_pretrained("<this folder>")\n'
            'tokenizer = AutoTokenizer.from_pretrained("<this folder>")')


def _pct(value) -> str:
    return "-" if not isinstance(value, (int, float)) else f"{100 * value:.1f}%"


def _num(value) -> str:
    return "-" if not isinstance(value, (int, float)) else f"{value:.1f}"
