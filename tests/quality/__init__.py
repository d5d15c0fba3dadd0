"""Tests of the gates (orchestration/quality)."""
