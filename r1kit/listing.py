"""`r1kit ls`: recipes and components, one line each, without importing torch."""

from pathlib import Path

CONF = Path(__file__).resolve().parent / "conf"


def first_comment(path: Path) -> str:
    """A YAML file's description: its first `# ` comment line."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def first_line(obj) -> str:
    return ((obj.__doc__ or "").strip().splitlines() or [""])[0]


def print_listing():
    from r1kit.config.compose import list_recipes
    from r1kit.data.adapters import ADAPTERS
    from r1kit.rewards.registry import available

    sections = {
        "recipes (recipe=NAME)": {n: first_comment(p) for n, p in list_recipes().items()},
        "models (model=NAME)": {p.stem: first_comment(p) for p in sorted((CONF / "model").glob("*.yaml"))},
        "datasets (data=NAME, or under datasets:)": {
            p.stem: first_comment(p) for p in sorted((CONF / "data").glob("*.yaml"))},
        "adapters (adapter: NAME)": {n: first_line(c) for n, c in sorted(ADAPTERS.items())},
        "rewards (rewards: [{name: NAME}])": dict(sorted(available().items())),
        "reward stacks (r1kit eval reward=NAME; in a recipe: defaults: [reward@stages.<stage>: NAME])": {
            p.stem: first_comment(p) for p in sorted((CONF / "reward").glob("*.yaml"))},
        "algorithms (a grpo stage's algorithm: NAME, or stages.<stage>.algorithm=NAME)": {
            p.stem: first_comment(p) for p in sorted((CONF / "algorithm").glob("*.yaml"))},
        "stage kinds (kind: NAME)": {p.stem: first_comment(p) for p in sorted((CONF / "stage").glob("*.yaml"))},
        "loggers (logger=NAME)": {p.stem: first_comment(p) for p in sorted((CONF / "logger").glob("*.yaml"))},
        "launchers (launcher=NAME)": {p.stem: first_comment(p) for p in sorted((CONF / "launcher").glob("*.yaml"))},
    }
    for title, items in sections.items():
        print(title)
        width = max((len(n) for n in items), default=0)
        for name, text in items.items():
            print(f"  {name.ljust(width)}  {text}")
        print()
