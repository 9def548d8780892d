"""r1kit: train R1-style reasoning models from composable YAML recipes.

Importing the package is cheap on purpose: torch, transformers and trl are imported
only when a run starts, so `r1kit --help` and `r1kit ls` answer instantly.
"""

__version__ = "0.1.0"
