"""Guarded environment instances: an environment's failure is counted and shown to the model, never raised.

TRL calls `reset`, the tool methods and `get_reward` in the trainer's process. The factory TRL is given
makes each instance with its methods replaced by guarded ones, set on the instance: TRL lists tools on
the class (`inspect.getmembers(type(env), inspect.isfunction)`) and then takes them from the instance, so
it finds the same names and calls the guarded versions.

- a tool method runs under the tool guard (r1kit/tools/guard.py: time limit, reply cap); what it raises
  reaches TRL, which shows it to the model and counts it in `tools/failure_frequency`;
- `reset` that raises is logged and counted (`environments/reset_errors`); the rollout goes on with the
  row's prompt alone, each tool call answers that the environment could not start, and `get_reward`
  gives None (the rollout is not scored by the environment; TRL turns None into NaN and leaves it out);
- `get_reward` that raises gives None too, counted in `environments/reward_errors`.
Coroutine methods are left as they are (TRL awaits them on its own event loop).
"""

import functools
import inspect
import logging
from collections import Counter

log = logging.getLogger(__name__)
FAILED = "_r1kit_reset_error"  # set on an instance whose last reset raised: what it raised


class GuardedFactory:
    """The zero-argument callable TRL calls for each new instance: `cls(**options)`, guarded."""

    def __init__(self, cls: type, options: dict):
        self.cls, self.options = cls, dict(options)
        self.errors = Counter()  # "reset" / "get_reward": how many raised

    def __call__(self):
        return guard(self.cls(**self.options), self.errors)

    def __repr__(self):
        return f"GuardedFactory({self.cls.__module__}.{self.cls.__qualname__}, {self.options})"


def guard(env, errors: Counter):
    """`env` with guarded `reset`, tool methods and `get_reward` set on the instance."""
    from r1kit.environments import tool_methods
    from r1kit.tools import guard as tool_guard

    setattr(env, FAILED, None)
    reset = env.reset

    @functools.wraps(reset)
    def safe_reset(**row):
        setattr(env, FAILED, None)
        try:
            return reset(**row)
        except Exception as err:  # noqa: BLE001 - one broken row must not stop training
            errors["reset"] += 1
            setattr(env, FAILED, f"{type(err).__name__}: {err}")
            log.warning("%s.reset raised %s; this rollout runs without its environment", type(env).__name__,
                        getattr(env, FAILED))
            return None

    env.reset = safe_reset
    for name in tool_methods(type(env)):
        method = getattr(env, name)
        if not inspect.iscoroutinefunction(method):
            setattr(env, name, _started(env, tool_guard.guarded(method, tool_guard.SECONDS, tool_guard.MAX_CHARS)))
    get_reward = getattr(env, "get_reward", None)
    if callable(get_reward) and not inspect.iscoroutinefunction(get_reward):

        @functools.wraps(get_reward)
        def safe_reward():
            if getattr(env, FAILED):
                return None
            try:
                return get_reward()
            except Exception as err:  # noqa: BLE001 - counted; the rollout is left unscored by the environment
                errors["get_reward"] += 1
                log.warning("%s.get_reward raised %s: %s", type(env).__name__, type(err).__name__, err)
                return None

        env.get_reward = safe_reward
    return env


def _started(env, tool):
    """`tool`, refusing to run on an instance whose reset raised (the model is told why)."""

    @functools.wraps(tool)
    def call(*args, **kwargs):
        if getattr(env, FAILED):
            raise RuntimeError(f"the environment could not be started for this task ({getattr(env, FAILED)})")
        return tool(*args, **kwargs)

    return call
