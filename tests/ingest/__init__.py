"""Tests of the source catalogue, parsers, fetcher and vintage history (orchestration/ingest)."""
