"""Tests of the Dagster code location (orchestration/defs, orchestration/definitions.py)."""
