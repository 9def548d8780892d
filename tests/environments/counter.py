"""A small environment for tests, with every way an environment can misbehave: a tool that raises, one that hangs,
one that returns a megabyte, and a reset that raises for rows of task `broken`."""

import time


class Counter:
    """A counter the model adds to; the episode succeeds when it reaches the row's target."""

    def __init__(self, start: int = 0):
        self.start = start
        self.total = start
        self.target = None

    def reset(self, **row):
        if row.get("task") == "broken":
            raise RuntimeError("no such task")
        self.total, self.target = self.start, row.get("target", 3)
        return f" Reach {self.target}."

    def add(self, n: int) -> str:
        """Add to the counter.

        Args:
            n: how much to add
        """
        self.total += n
        return str(self.total)

    def fail(self) -> str:
        """Always raises."""
        raise ValueError("the counter broke")

    def hang(self) -> str:
        """Never answers in time."""
        time.sleep(5)
        return "late"

    def flood(self) -> str:
        """Answers with a megabyte."""
        return "x" * 1_000_000

    def _internal(self):  # not a tool: private
        return None

    def get_reward(self) -> float:
        return float(self.total == self.target)


class Undocumented:
    def reset(self, **row):
        return None

    def poke(self, n: int) -> str:
        return str(n)


class NoReset:
    def poke(self, n: int) -> str:
        """Poke.

        Args:
            n: how hard
        """
        return str(n)


def not_a_class():
    """A function, not an environment."""
