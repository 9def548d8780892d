"""Datasets: raw rows from files, hubs or generators, turned into example rows by adapters."""

# The visual adapters register themselves next to the text ones in r1kit.data.adapters.ADAPTERS, so
# importing any r1kit.data module (the registry, load, `r1kit ls`) makes them known. PIL loads lazily.
from r1kit.data import visual as _visual  # noqa: F401
