"""Tests of the dbt build: generated models, determinism and the marts' methods and values (orchestration/build, dbt_project)."""
