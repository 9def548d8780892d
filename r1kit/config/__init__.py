"""Recipes: find them, compose them with Hydra, and validate them before anything heavy loads."""
