"""Ingest: the source catalogue and its parsers, the fetcher, and the vintage history recorded after
each load."""
