"""Datasets: raw rows from files, hubs or generators, turned into example rows by adapters."""
