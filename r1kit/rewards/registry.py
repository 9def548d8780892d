"""Rewards by name: what `r1kit ls` lists and what a recipe's `rewards:` entries resolve to.

A recipe names a reward (`name: math_accuracy`) or points at any importable function
(`_target_: my_pkg.rewards.fn`), with `kwargs` for its options. `resolve` checks those
options against the function's signature, so a typo fails when the recipe is read,
before a model is loaded, instead of being swallowed by the reward's `**kwargs`.
"""

import difflib
import inspect
from collections.abc import Callable

from r1kit.components import Registry, import_target
from r1kit.errors import UserError

REWARDS = Registry("reward")  # filled by the @register decorators of the reward modules (r1kit.rewards imports them)


def register(name: str) -> Callable[[Callable], Callable]:
    """Decorator: make `fn` available as `name`. The first docstring line is its description."""
    return REWARDS.register(name)


def available() -> dict[str, str]:
    """Every registered reward, name -> one-line description, sorted by name."""
    return {name: _summary(fn) for name, fn in REWARDS.items()}


def get(name: str) -> Callable:
    """The registered function itself (options unbound); UserError with suggestions if unknown."""
    if name in REWARDS:
        return REWARDS.get(name)
    close = difflib.get_close_matches(str(name), REWARDS.names(), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise UserError(f"unknown reward {name!r}; {hint}run `r1kit ls` to see all rewards")


def resolve(name: str | None = None, target: str | None = None, **kwargs) -> Callable:
    """A reward ready for TRL: found by registry `name` or by dotted import path `target`,
    with `kwargs` bound as its options.

    The result is named after the reward (TRL logs `rewards/<__name__>/mean`; set
    `__name__` on it to log one reward twice under two names) and pickles, which TRL's
    async rollout workers need. A dotted path may also be given as `name`.
    """
    if (name is None) == (target is None):
        raise UserError(
            "a reward needs exactly one of `name` (a registered reward) or `_target_` (a dotted import path)"
        )
    if target is None and name not in REWARDS and "." in str(name):
        name, target = None, name
    if target is not None:
        fn = _import(target)
        display = getattr(fn, "__name__", None) or target.rpartition(".")[2]
        _check_accepts_columns(fn, target)
    else:
        fn, display = get(name), name
    check_options(fn, display, kwargs)
    is_async = inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__call__)
    reward = (AsyncBoundReward if is_async else BoundReward)(fn, display, kwargs)
    if target is None:
        # Registered rewards check their options when called; an empty batch makes a bad
        # value (a positive max_penalty, an unknown accuracy reward) fail here and now.
        reward([])
    return reward


class BoundReward:
    """A reward function with its options bound and its display name set.

    A class rather than `functools.partial`: TRL names partials after the function they
    wrap, which would drop the registry name. Options bound here win over a dataset
    column of the same name.
    """

    def __init__(self, fn: Callable, name: str, options: dict):
        self.fn = fn
        self.options = dict(options)
        self.__name__ = name
        self.__doc__ = fn.__doc__

    def __call__(self, completions, **columns):
        return self.fn(completions, **{**columns, **self.options})

    def __repr__(self) -> str:
        return f"<reward {self.__name__} {self.options}>"


class AsyncBoundReward(BoundReward):
    """`BoundReward` for an `async def` reward, so TRL still awaits it."""

    async def __call__(self, completions, **columns):
        return await self.fn(completions, **{**columns, **self.options})


def _summary(fn: Callable) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _import(path: str) -> Callable:
    fn = import_target(path, "reward")
    if not callable(fn):
        raise UserError(f"reward _target_ {path!r} is a {type(fn).__name__}, not a function")
    return fn


def _signature(fn: Callable) -> inspect.Signature | None:
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):  # some builtins and C callables have none
        return None


def _check_accepts_columns(fn: Callable, path: str) -> None:
    """TRL calls every reward with prompts, completion_ids and each dataset column."""
    sig = _signature(fn)
    if sig is not None and not any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        raise UserError(
            f"reward {path} must accept **kwargs: TRL calls it as fn(completions, prompts=..., "
            "completion_ids=..., <every dataset column>=...)"
        )


def check_options(fn: Callable, name: str, kwargs: dict) -> None:
    """UserError unless every key of `kwargs` is a named parameter of `fn` (not `**kwargs`)."""
    sig = _signature(fn)
    if sig is None:
        return
    accepted = [
        p.name
        for i, p in enumerate(sig.parameters.values())
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and not (i == 0 and p.name == "completions")
    ]
    for key in kwargs:
        if key not in accepted:
            options = ", ".join(accepted) if accepted else "none"
            raise UserError(f"reward {name} has no option {key!r}; it accepts: {options}")
