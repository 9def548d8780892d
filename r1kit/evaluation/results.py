"""What an evaluation leaves behind: `<name>.json`, `<name>.samples.jsonl` and one table for the console.

`<name>.json` holds the figures and the config that produced them; `<name>.samples.jsonl`
every sample, scored, so each figure can be recomputed from the samples alone.
"""

import json
from pathlib import Path

ROWS = ("accuracy", "format_rate", "reward", "mean_length", "p90_length", "truncation_rate",
        "completions_per_second")


def result_name(cfg: dict, label: str, data_name: str, count: int) -> str:
    """The files' stem: `name=` (suffixed by the label when several models are evaluated), else label-data."""
    label = label.replace("/", "-")
    if cfg["name"]:
        return cfg["name"] if count == 1 else f"{cfg['name']}-{label}"
    return f"{label}-{data_name}"


def model_source(model: dict) -> str:
    return model.get("path") or model.get("gguf_file") or f"built: {model.get('build')}"


def shown_config(cfg: dict, max_new_tokens: int, limit, rewards) -> dict:
    """The options as they took effect: defaults taken from a run's recipe filled in, internal keys left out."""
    shown = {k: v for k, v in cfg.items() if not k.startswith("_")}
    return {**shown, "max_new_tokens": max_new_tokens, "limit": limit, "reward": rewards}


def write_results(out_dir: Path, name: str, result: dict, records: list[dict]):
    """`<name>.json` and `<name>.samples.jsonl`, each written whole or not at all."""
    from r1kit.run.rundir import write_atomic

    out_dir.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)
    write_atomic(out_dir / f"{name}.samples.jsonl", lines)
    write_atomic(out_dir / f"{name}.json", json.dumps(result, indent=2, default=str) + "\n")


def print_table(results: list[dict], console, title: str):
    """One column per model, one row per figure: the main rates, pass@k, maj@k and rewards, then lengths."""
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
        table.add_row(key, *[fmt(r["figures"].get(key), key) for r in results])
    console.print(table)


def fmt(value, key: str = "accuracy") -> str:
    """A figure as shown: rates in percent, lengths and speeds with one decimal, rewards with two."""
    if value is None:
        return "-"
    if key in ("mean_length", "p90_length", "completions_per_second") or key.startswith("rewards/") \
            or key == "reward":
        return f"{value:.2f}" if key.startswith("reward") else f"{value:.1f}"
    return f"{100 * value:.1f}%"
