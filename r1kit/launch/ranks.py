"""Transitional alias: the rank helpers live in r1kit.run.ranks; delete this once nothing imports it from here."""

from r1kit.run.ranks import barrier, from_main, gather, init, is_main, rank, state, world  # noqa: F401
