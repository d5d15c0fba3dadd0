"""Tests of the warehouse files: refresh, faults, old readers (orchestration/warehouse)."""
