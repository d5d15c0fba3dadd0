"""The warehouse's DuckDB files, by job: ``files`` (checksums and connections), ``loading`` (raw tables
into the build, with the load log) and ``publishing`` (write-audit-publish, the manifest, versions and
rollback). The analyst's read-only side is ``orchestration.deliver.analyst``."""
