"""Tests of running it: alerts, the lock, the UI's runs, deployment, freshness, the benchmark bundle (orchestration/operations)."""
