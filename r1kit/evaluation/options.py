"""The options of `r1kit eval`: composed from r1kit/conf/eval.yaml and the command line, then checked.

`model=`, `data=` and `reward=` take a config name (a Hydra group option) or, for
`model` and `data`, a value that is not one (a path, a hub id, a dataset of a run's
recipe); those are kept aside from Hydra and set after composition.
"""

from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

from r1kit.checks import above, at_least
from r1kit.conf import group_options
from r1kit.errors import UserError

GROUPS = ("model", "data", "reward")


@dataclass
class EvalCommandSchema:
    """`r1kit eval`'s options (r1kit/conf/eval.yaml documents each)."""

    model: Any = MISSING  # hub id, model folder, .gguf file, run directory, or a model config (model=smollm2)
    compare: list[str] = field(default_factory=list)
    data: Any = None  # a dataset mapping (data=addition) or the name of a dataset of the run's recipe
    reward: Any = None  # {rewards: [...]} from reward=<stack>
    n: int = field(default=1, metadata=at_least(1))
    k: Any = None
    temperature: float | None = field(default=None, metadata=at_least(0))  # 0 is greedy decoding
    top_p: float = field(default=1.0, metadata=above(0, le=1))
    max_new_tokens: int | None = field(default=None, metadata=at_least(1))
    limit: int | None = field(default=None, metadata=at_least(1))
    batch_size: int = field(default=64, metadata=at_least(1))
    backend: str = "auto"
    correct_threshold: float = 1.0
    tools: list[Any] = field(default_factory=list)
    environment: Any = None  # a name, {name|_target_, **options} or {key: spec} per row, as a grpo stage's
    max_tool_rounds: int = field(default=4, metadata=at_least(0))
    dtype: str = "auto"
    seed: int = field(default=0, metadata=at_least(0))
    name: str | None = None
    output_dir: str | None = None


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
    from r1kit.checks import typed
    from r1kit.config.compose import compose

    hydra, plain = split_overrides(overrides)
    raw = compose("eval", hydra)
    for key in ("model", "data"):
        if key in plain:
            raw[key] = plain[key]
    raw["compare"] = list(raw.get("compare") or []) + plain["compare"] + list(compare)
    config = typed(EvalCommandSchema, raw, "")
    config["_names"] = {k: plain.get(f"{k}_name") for k in GROUPS}
    check_sampling(config)
    return config


def check_sampling(cfg: dict):
    """Check k against n, temperature against n, and the backend; fill in k and temperature's defaults.

    The simple bounds (n, temperature, the sizes) are the schema's field metadata, checked by `typed`.
    """
    n = cfg["n"]
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
    if n > 1 and cfg["temperature"] == 0:
        raise UserError(f"n={n} with temperature=0: greedy decoding gives {n} identical samples. "
                        "Set temperature>0 (e.g. temperature=0.7) or n=1.")
    from r1kit.models.generation import BACKENDS

    if cfg["backend"] not in BACKENDS:
        raise UserError(f"backend={cfg['backend']!r}: choose one of {', '.join(BACKENDS)}.")
    if cfg.get("tools") or cfg.get("environment"):
        from r1kit.environments import resolve_environment
        from r1kit.tools import resolve_tools

        resolve_tools(cfg["tools"], "tools")  # before any model loads
        resolve_environment(cfg["environment"], "environment")
        if cfg["backend"] == "vllm":
            raise UserError("tools= or environment= with backend=vllm: r1kit's tool loop runs on "
                            "backend=transformers.")
