"""Stages: build a TRL trainer from a validated stage config and run it."""
