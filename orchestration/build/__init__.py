"""Build: dbt, run through its documented CLI, and the dbt files generated from the source catalogue."""
