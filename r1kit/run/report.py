"""`r1kit report`: a run's curves per stage (report.png) and its summary table (report.md).

Read from the run directory alone (metrics.jsonl, state.json, config.yaml, eval/*.json),
so it works on a finished run, a crashed one, or one copied from a cluster. Steps are
laid end to end across stages, with a dashed line where each stage begins; below the curves,
one stacked bar per stage shows where its mean step's time went (the `time/<part>` figures).
"""

import json
import math
from pathlib import Path

import yaml

from r1kit.errors import UserError
from r1kit.run.rundir import RunDir, is_run_dir, newest_run, write_atomic

PANELS = (  # title, [(metric key or prefix, label)], y label
    ("loss", [("loss", "training loss")], "loss"),
    ("reward", [("reward", "total reward"), ("rewards/*/mean", None)], "mean reward"),
    ("accuracy", [("eval/accuracy", "held-out accuracy"), ("mean_token_accuracy", "token accuracy (sft)")],
     "accuracy"),
    ("completion length", [("completions/mean_length", "sampled (grpo)"), ("eval/mean_length", "held-out")],
     "tokens"),
    ("KL to the reference", [("kl", "KL")], "KL"),
    ("learning rate", [("learning_rate", "learning rate")], "lr"),
)


def run_from_path(path: str | Path) -> Path:
    """The run directory a user's path names: the run itself, or the newest run in a folder of runs."""
    run = newest_run(Path(path).expanduser())
    if not is_run_dir(run):
        raise UserError(f"{path}: not a run directory (it needs state.json and config.yaml, "
                        "as `r1kit train` writes under runs/<recipe>/<time>).")
    return run


def read_metrics(run: Path) -> list[dict]:
    path = run / "metrics.jsonl"
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut short by a crash
            continue
    return records


def stage_offsets(stages: list[str], records: list[dict], state: dict) -> dict[str, int]:
    """The global step at which each stage starts, so stages plot end to end."""
    offsets, at = {}, 0
    for name in stages:
        offsets[name] = at
        steps = [r["step"] for r in records if r.get("stage") == name]
        at += max([state.get("stages", {}).get(name, {}).get("steps", 0), *steps])
    return offsets


def series(records: list[dict], offsets: dict[str, int], key: str) -> list[tuple[int, float]]:
    points = []
    for r in records:
        value = r.get(key)
        if r.get("stage") in offsets and isinstance(value, (int, float)) and math.isfinite(value):
            points.append((offsets[r["stage"]] + r["step"], value))
    return points


def _keys(records: list[dict], pattern: str) -> list[str]:
    if "*" not in pattern:
        return [pattern]
    head, tail = pattern.split("*")
    return sorted({k for r in records for k in r if k.startswith(head) and k.endswith(tail) and k != head + tail})


def step_breakdown(records: list[dict], stages: list[str]) -> dict[str, dict[str, float]]:
    """Per stage that logged step parts: the mean over its logs of each `time/<part>`, `time/step` and the
    throughput figures, parts in the order they were logged."""
    out = {}
    for name in stages:
        logged = [r for r in records if r.get("stage") == name and isinstance(r.get("time/step"), (int, float))]
        keys = [k for k in logged[0] if k.startswith(("time/", "throughput/"))] if logged else []
        means = {}
        for key in keys:
            values = [r[key] for r in logged if isinstance(r.get(key), (int, float)) and math.isfinite(r[key])]
            if values:
                means[key] = sum(values) / len(values)
        if means.get("time/step"):
            out[name] = means
    return out


def plot_step_breakdown(ax, breakdown: dict[str, dict[str, float]]):
    """One horizontal stacked bar per stage: seconds per step in each part, tokens/s (and MFU) at its end."""
    ax.set_title("where a step's time goes (mean seconds per step)", fontsize=11, loc="left")
    if not breakdown:
        ax.text(0.5, 0.5, "not logged\n(grpo stages log their step parts)", transform=ax.transAxes, ha="center",
                va="center", color="0.45")
        ax.set_axis_off()
        return
    parts = list(dict.fromkeys(k for means in breakdown.values() for k in means
                               if k.startswith("time/") and k != "time/step"))
    colours = [f"C{i}" for i in range(len(parts))]
    names = list(breakdown)
    for y, name in enumerate(names):
        means, left = breakdown[name], 0.0
        for key, colour in zip(parts, colours):
            width = means.get(key, 0.0)
            ax.barh(y, width, left=left, color=colour, label=key.split("/", 1)[1].replace("_", " ") if y == 0 else None)
            left += width
        note = [f"{means['time/step']:.3g} s"]
        if "throughput/tokens_per_s" in means:
            note.append(f"{means['throughput/tokens_per_s']:,.0f} tokens/s/device")
        if "throughput/mfu" in means:
            note.append(f"MFU {100 * means['throughput/mfu']:.1f}%")
        ax.text(left, y, "  " + ", ".join(note), va="center", fontsize=9)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel("seconds per step")
    ax.set_xlim(0, 1.45 * max(m["time/step"] for m in breakdown.values()))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), framealpha=0.8)
    ax.grid(alpha=0.3, axis="x")


def plot(run: Path, records: list[dict], recipe: dict, state: dict, out: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = list(recipe.get("stages", {}))
    offsets = stage_offsets(stages, records, state)
    breakdown = step_breakdown(records, stages)
    fig = plt.figure(figsize=(12, 12.5 + 0.3 * len(breakdown)), constrained_layout=True)
    grid = fig.add_gridspec(4, 2, height_ratios=[1, 1, 1, 0.55 + 0.12 * len(breakdown)])
    axes = [fig.add_subplot(grid[row, col]) for row in range(3) for col in range(2)]
    plot_step_breakdown(fig.add_subplot(grid[3, :]), breakdown)
    fig.suptitle(f"{recipe.get('name', run.name)}  ({run.name})", fontsize=14)
    end = max([o + max([r["step"] for r in records if r.get("stage") == s] or [0])
               for s, o in offsets.items()] or [1])
    for ax, (title, wanted, ylabel) in zip(axes, PANELS):
        drawn = 0
        for pattern, label in wanted:
            for key in _keys(records, pattern):
                points = series(records, offsets, key)
                if not points:
                    continue
                xs, ys = zip(*points)
                name = label or key.split("/")[1]
                style = {"marker": "o", "markersize": 4} if key.startswith("eval/") or len(points) < 3 else {}
                ax.plot(xs, ys, label=name, linewidth=1.6, **style)
                drawn += 1
        for name, start in offsets.items():
            ax.axvline(start, color="0.55", linestyle="--", linewidth=1)
            ax.text(start, 1.0, f" {name}", transform=ax.get_xaxis_transform(), va="top", ha="left",
                    fontsize=9, color="0.35")
        ax.set_title(title, fontsize=11, loc="left")
        ax.set_xlabel("step (stages end to end)")
        ax.set_ylabel(ylabel)
        ax.set_xlim(0, max(end, 1))
        ax.grid(alpha=0.3)
        if drawn:
            ax.legend(fontsize=8, loc="best", framealpha=0.8)
        else:
            why = "beta = 0: no reference model" if title.startswith("KL") else "nothing logged"
            ax.text(0.5, 0.5, f"not logged\n({why})", transform=ax.transAxes, ha="center", va="center",
                    color="0.45")
    fig.savefig(out, dpi=110)
    plt.close(fig)


def _generated_markdown(records: list[dict], state: dict) -> list[str]:
    """What each generate stage sampled and kept, and where its dataset is (the stages that read it say `stage:<x>`)."""
    made = [(r["stage"], r) for r in records if "generate/rows_kept" in r]
    if not made:
        return []
    lines = ["", "## Generated datasets", "", "| stage | dataset | prompts | samples | correct | mean reward | rows kept |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for name, r in made:
        final = state.get("stages", {}).get(name, {}).get("final")
        lines.append(f"| {name} | {f'`{final}/data.jsonl`' if final else '-'} | {r.get('generate/prompts', '-')} | "
                     f"{r.get('generate/samples', '-')} | {_pct(r.get('generate/correct_rate'))} | "
                     f"{_num(r.get('generate/mean_reward'))} | {r['generate/rows_kept']} |")
    return lines


def summary_markdown(run: Path, records: list[dict], recipe: dict, state: dict) -> str:
    lines = [f"# {recipe.get('name', run.name)}: run report", "",
             f"Run directory: `{run}`  ", f"Finished: {'yes' if state.get('finished') else 'no'}", "",
             "![curves per stage](report.png)", "",
             ("| stage | kind | from | data | steps | wall time | last loss | last reward | held-out accuracy | "
             "format rate | mean length |"),
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, stage in recipe.get("stages", {}).items():
        rec = state.get("stages", {}).get(name, {})
        ev = rec.get("eval") or {}
        last = {k: v for r in records if r.get("stage") == name for k, v in r.items()}
        data = rec.get("data", stage.get("data", "-"))
        lines.append(f"| {name} | {stage.get('kind', '?')} | {rec.get('from', '-')} | "
                     f"{', '.join(data) if isinstance(data, list) else data} | {rec.get('steps', '-')} | "
                     f"{_num(rec.get('seconds'), '{:.0f} s')} | {_num(last.get('loss'))} | "
                     f"{_num(last.get('reward'))} | {_pct(ev.get('accuracy'))} | {_pct(ev.get('format_rate'))} | "
                     f"{_num(ev.get('mean_length'), '{:.1f}')} |")
    lines += _generated_markdown(records, state)
    evals = sorted((run / "eval").glob("*.json")) if (run / "eval").is_dir() else []
    if evals:
        lines += ["", "## Evaluations (`eval/`)", "", "| file | model | data | accuracy | pass@k / maj@k |",
                  "|---|---|---|---:|---|"]
        for path in evals:
            try:
                result = json.loads(path.read_text(encoding="utf-8"))
                fig = result["figures"]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
            at_k = ", ".join(f"{k} {_pct(v)}" for k, v in fig.items() if "@" in k)
            lines.append(f"| {path.name} | {result.get('model')} | {result.get('data')} | "
                         f"{_pct(fig.get('accuracy'))} | {at_k} |")
    return "\n".join(lines) + "\n"


def _num(value, form: str = "{:.4g}") -> str:
    return "-" if not isinstance(value, (int, float)) else form.format(value)


def _pct(value) -> str:
    return "-" if not isinstance(value, (int, float)) else f"{100 * value:.1f}%"


def write_report(path: str | Path) -> tuple[Path, Path]:
    """Write report.png and report.md into the run directory; returns their paths."""
    run = run_from_path(path)
    recipe = yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8")) or {}
    state = RunDir(run).read_state()
    records = read_metrics(run)
    png, md = run / "report.png", run / "report.md"
    tmp = run / "report.tmp.png"
    plot(run, records, recipe, state, tmp)
    tmp.replace(png)
    write_atomic(md, summary_markdown(run, records, recipe, state))
    return png, md
