"""A stage's reward stack: the configured rewards, their weights, timing and error policy.

Each entry of a stage's `rewards:` is `{name | _target_, weight, schedule, domains, **options}`,
the options beside the name like every other component (or under `kwargs:`). `domains:` routes
rows: the reward scores only rows whose `domain` column is listed (a mixed stage's dataset
names, or a row's own `domain`) and is None (does not apply) for the others, so one stage can
score some rows by rule and others by a judge (WeThink). The stack wraps every reward so that

- a reward that raises on some rows never kills a long run mysteriously: with
  `reward_errors: zero` the failing rows score 0 and are counted (logged as
  `rewards/<name>/errors`); with `reward_errors: raise` the run stops with the row shown;
- the time spent in rewards is measured, so the share of step time they take is logged.

TRL itself logs each reward's mean and std and the share of zero-variance groups.
"""

import difflib
import logging
import time
from collections.abc import Mapping

from r1kit.errors import UserError
from r1kit.rewards.registry import resolve

log = logging.getLogger(__name__)
# A reward entry is `{name | _target_, weight, schedule, domains, **options}`; options may also sit under `kwargs:`.
STACK_KEYS = {"name", "_target_", "weight", "kwargs", "schedule", "domains"}


class RewardError(RuntimeError):
    """A reward raised on a row and the stage's policy is `reward_errors: raise`."""


class GuardedReward:
    """Calls a reward, times it, and applies the error policy row by row when it raises."""

    def __init__(self, fn, policy: str, stack: "RewardStack"):
        self.fn, self.policy, self.stack = fn, policy, stack
        self.__name__ = fn.__name__
        self.errors = 0

    def __call__(self, completions, **columns):
        started = time.perf_counter()
        try:
            scores = list(self.fn(completions, **columns))
        except Exception:  # noqa: BLE001 - any failure of user code takes the row-by-row path
            scores = self._row_by_row(completions, columns)
        finally:
            self.stack.seconds += time.perf_counter() - started
        return scores

    def _row_by_row(self, completions, columns):
        """Find the rows that fail: they score 0 (and are counted) or stop the run, as configured."""
        scores = []
        for i, completion in enumerate(completions):
            row = {k: v[i:i + 1] if isinstance(v, list) and len(v) == len(completions) else v
                   for k, v in columns.items()}
            try:
                scores.extend(self.fn([completion], **row))
            except Exception as err:
                if self.policy == "raise":
                    shown = {k: v[0] for k, v in row.items() if isinstance(v, list) and v}
                    raise RewardError(f"reward {self.__name__!r} raised {type(err).__name__}: {err}\n"
                                      f"on completion {str(completion)[:500]!r}\nwith columns {str(shown)[:500]}\n"
                                      "Fix the reward, or set the stage's reward_errors: zero to score such rows 0."
                                      ) from err
                self.errors += 1
                if self.errors <= 3:
                    log.warning("reward %s raised %s on a row; scored 0 (%d so far)", self.__name__, err, self.errors)
                scores.append(0.0)
        return scores


class DomainReward:
    """A reward asked only about the rows of some domains; None (does not apply) for the others.

    Only the routed rows reach the reward, so a judge is not queried for rows a rule scores.
    """

    def __init__(self, fn, domains: list[str]):
        self.fn, self.domains = fn, frozenset(domains)
        self.__name__ = fn.__name__

    def __call__(self, completions, **columns):
        n = len(completions)
        domain = columns.get("domain")
        keep = [i for i in range(n) if isinstance(domain, list) and len(domain) == n and domain[i] in self.domains]
        if len(keep) == n:
            return list(self.fn(completions, **columns))
        scores = [None] * n
        if keep:
            routed = {k: [v[i] for i in keep] if isinstance(v, list) and len(v) == n else v for k, v in columns.items()}
            for i, score in zip(keep, self.fn([completions[i] for i in keep], **routed), strict=True):
                scores[i] = score
        return scores


def routed_domains(entry, where: str) -> list[str] | None:
    """The `domains:` of a reward entry, checked: a non-empty list of names, or None (every row)."""
    domains = entry.get("domains") if isinstance(entry, Mapping) else None
    if domains is None:
        return None
    if isinstance(domains, str):
        domains = [domains]
    if not isinstance(domains, (list, tuple)) or not domains or not all(isinstance(d, str) and d for d in domains):
        raise UserError(f"{where}.domains={domains!r}: give the domains whose rows this reward scores, as a list of "
                        "names (a mixed stage's dataset names, or the values of the rows' `domain` column).")
    return list(domains)


class RewardStack:
    def __init__(self, entries: list, policy: str = "zero", where: str = "rewards"):
        self.seconds = 0.0
        self.functions, self.weights, self.schedules = [], [], []  # a schedule is checked and run by the trainer
        for i, entry in enumerate(entries):
            fn, weight, schedule = self._resolve(entry, f"{where}[{i}]")
            self.functions.append(GuardedReward(fn, policy, self))
            self.weights.append(weight)
            self.schedules.append(schedule)
        names = [f.__name__ for f in self.functions]
        for i, f in enumerate(self.functions):  # the same reward twice (other kwargs) needs two log names
            if names.count(f.__name__) > 1:
                f.__name__ = f"{f.__name__}_{i}"

    @staticmethod
    def _resolve(entry, where: str):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, Mapping):
            raise UserError(f"{where}: a reward is a name or a mapping {{name|_target_, weight, **options}}, got {entry!r}.")
        weight = entry.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise UserError(f"{where}.weight={weight!r}: expected a number.")
        kwargs = entry.get("kwargs") or {}
        if not isinstance(kwargs, Mapping):
            raise UserError(f"{where}.kwargs must be a mapping of options, got {kwargs!r}.")
        options = {**{k: v for k, v in entry.items() if k not in STACK_KEYS}, **kwargs}
        try:
            fn = resolve(name=entry.get("name"), target=entry.get("_target_"), **options)
        except UserError as err:
            near = [k for k in options if difflib.get_close_matches(k, sorted(STACK_KEYS), n=1, cutoff=0.7)]
            hint = f" `{near[0]}` is not a key of a reward entry ({', '.join(sorted(STACK_KEYS))}): a typo?" if near \
                else ""
            raise UserError(f"{where}: {err}.{hint}") from None
        domains = routed_domains(entry, where)
        return (fn if domains is None else DomainReward(fn, domains)), float(weight), entry.get("schedule")

    def bind_policy(self, model, processing_class, args=None) -> list[str]:
        """Hand the policy to the rewards that score with it (VeriFree); returns their names.

        A reward opts in with `needs_policy = True` and a `bind_policy(model,
        processing_class, args)` method, found under the wrappers (GuardedReward.fn ->
        BoundReward.fn). The GRPO stage binds the model being trained, so the reward
        follows the policy's updates; `r1kit eval` binds the model it evaluates.
        """
        bound = []
        for reward in self.functions:
            fn = reward
            while not getattr(fn, "needs_policy", False) and hasattr(fn, "fn"):
                fn = fn.fn
            if getattr(fn, "needs_policy", False):
                fn.bind_policy(model, processing_class, args)
                bound.append(reward.__name__)
        return bound

    @property
    def errors(self) -> dict[str, int]:
        return {f.__name__: f.errors for f in self.functions}
