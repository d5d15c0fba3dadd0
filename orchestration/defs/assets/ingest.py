"""Ingest assets: one per catalogue source, all made by one factory and run as one step.

Each asset gets its file from the ``fetcher`` resource (the bundled snapshot, or in live mode the
publisher's file fetched into the landing zone), validates and parses it with its format's parser,
maps the publisher's indicators to warehouse metric ids, and loads ``raw.<source id>`` in the build
DuckDB file with load metadata; then the raw table's Great Expectations suite gates it (a blocking
asset check on the asset). A file whose checksum equals the last load's is a no-op that says so.
Asset keys are ``raw/<source id>``: the dbt sources map to the same keys, so lineage joins up.
"""

from collections.abc import Iterator, Sequence

import duckdb
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration.defs.checks.great_expectations import (
    evaluate_suite,
    gx_check_key,
    gx_check_spec,
    raw_suite_specs,
)
from orchestration.defs.resources import RefreshLock, SourceFetcher, SourceFile, WarehouseConfig
from orchestration.ingest.fetch import FetchError
from orchestration.ingest.sources.catalogue import (
    Source,
    load_catalogue,
    parse_fingerprint,
    source_checksum,
    source_tags,
)
from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.tidy import PARSED_TYPES
from orchestration.settings import DATA_TEAM, Settings
from orchestration.warehouse.loading import (
    Origin,
    connect_for_loading,
    last_load,
    load_raw_table,
    release_relation,
)
from orchestration.warehouse.publishing import read_manifest

RAW_SCHEMA = "raw"
#: The temporary relation a source's parsed rows are staged under before they replace its raw table.
STAGED = "staged_rows"
#: The one step that ingests and gates every source (its step key in run logs and alerts).
INGEST_STEP = "ingest_sources"


def raw_asset_key(source_id: str) -> AssetKey:
    return AssetKey([RAW_SCHEMA, source_id])


def is_ingest_key(path: list[str] | tuple[str, ...]) -> bool:
    """True for an ingest asset's key path (``raw/<catalogue source>``), not other raw tables."""
    return len(path) == 2 and path[0] == RAW_SCHEMA and path[1] in {source.id for source in load_catalogue()}


def metric_mapping(source: Source) -> dict[str, tuple[str, str]]:
    """Publisher indicator -> (warehouse metric id, breakdown), from the catalogue."""
    return {m.indicator: (m.metric_id, m.breakdown) for m in source.metrics}


def unmapped_indicators(
    con: duckdb.DuckDBPyConnection, relation: str, mapping: dict[str, tuple[str, str]]
) -> list[str]:
    """The staged rows' indicators the catalogue does not map (loaded with no metric_id)."""
    found = con.execute(f"select distinct indicator from {relation}").fetchall()
    return sorted(name for (name,) in found if name not in mapping)


def _static_metadata(source: Source) -> dict[str, object]:
    return {
        "publisher": source.publisher_name,
        "publication": source.title,
        "live_url": MetadataValue.url(source.url),
        "fetched_in_live_mode": source.fetchable,
        "bundled_path": source.bundled_path,
        "licence": source.licence,
        "format": source.format,
        "expected_columns": ", ".join(source.expected_columns),
        "metrics": ", ".join(source.metric_ids) or "none",
        "provenance": source.provenance,
        "dagster/table_name": f"{RAW_SCHEMA}.{source.id}",
    }


def _same_shape(source: Source, previous: dict) -> bool:
    """An unchanged file is only a no-op if the raw table already has today's loader's columns, typed
    as today's loader types them."""
    expected = {"_provenance": "varchar"}
    if source.yields_metric_rows:
        expected |= PARSED_TYPES
    return all(previous["columns"].get(column) == kind for column, kind in expected.items())


def _locate(
    context: AssetExecutionContext, fetcher: SourceFetcher, source: Source, settings: Settings
) -> SourceFile:
    """The file to parse; a fetch that fails fails this asset, naming the URL and the problem."""
    try:
        located = fetcher.locate(source, settings)
    except FetchError as exc:
        raise Failure(
            description=f"raw/{source.id}: fetching {exc.url} failed: {exc.problem}",
            metadata={"url": exc.url, "problem": exc.problem},
        ) from exc
    for line in located.log:
        context.log.warning(f"{source.id}: {line}")
    if located.mode == "live":
        when = f", publisher date {located.publisher_date:%Y-%m-%d}" if located.publisher_date else ""
        context.log.info(f"{source.id}: {located.fetch_status} {located.url}{when}")
    elif fetcher.resolved_mode() == "live":
        context.log.info(f"{source.id}: no live data file in the catalogue; using the bundled snapshot")
    return located


def _origin_metadata(located: SourceFile) -> dict[str, object]:
    metadata: dict[str, object] = {"source_mode": located.mode, "fetch": located.fetch_status}
    if located.url:
        metadata["fetched_url"] = MetadataValue.url(located.url)
        metadata["fetch_attempts"] = located.attempts
    if located.publisher_date:
        metadata["publisher_date"] = located.publisher_date.isoformat()
    return metadata


def ingest_source(
    context: AssetExecutionContext,
    fetcher: SourceFetcher,
    source: Source,
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
) -> MaterializeResult:
    """Locate, parse and load one source into ``raw.<source id>`` (``con``: the build file, under the
    run's ``settings``); a Failure names the file, column and problem."""
    located = _locate(context, fetcher, source, settings)
    path = located.path
    checksum = source_checksum(source, path, settings.bundled_dir)
    previous = last_load(con, source.id)
    fingerprint = parse_fingerprint(source)
    if (
        previous is not None
        and checksum
        and previous["sha256"] == checksum
        and previous["parse_fingerprint"] == fingerprint
        and _same_shape(source, previous)
    ):
        context.log.info(f"{source.id}: {path.name} unchanged (sha256 {checksum[:12]}); not reloaded")
        return MaterializeResult(
            asset_key=raw_asset_key(source.id),
            metadata={
                "unchanged": True,
                **_origin_metadata(located),
                "sha256": checksum,
                "file": str(path),
                "dagster/row_count": int(previous["row_count"]),
                "periods": f"{previous['first_period']} .. {previous['last_period']}",
            },
        )
    if (
        previous is not None
        and checksum
        and previous["sha256"] == checksum
        and previous["parse_fingerprint"] != fingerprint
    ):
        context.log.info(
            f"{source.id}: {path.name} unchanged, but read differently now (catalogue entry or parser "
            f"changed: fingerprint {previous['parse_fingerprint'] or 'none'} -> {fingerprint}); reloading"
        )
    try:
        report = source.stage(con, path, STAGED)
    except SourceFormatError as exc:
        raise Failure(
            description=f"raw/{source.id}: {exc}",
            metadata={
                "file": exc.path,
                "column": exc.column or "",
                "line": exc.line if exc.line is not None else -1,
                "problem": exc.problem,
            },
        ) from exc
    mapping = metric_mapping(source) if source.yields_metric_rows else None
    try:
        unmapped = unmapped_indicators(con, STAGED, mapping) if mapping is not None else []
        unmapped = [name for name in unmapped if name not in source.input_indicators]  # dbt's inputs
        if unmapped:
            context.log.warning(
                f"{source.id}: indicator(s) not in the catalogue, loaded with no metric_id: {unmapped}"
            )
        if report.extra_columns:
            context.log.warning(f"{source.id}: ignored extra column(s) {report.extra_columns}")
        for rule, rows in report.set_aside.items():
            context.log.warning(f"{source.id}: set aside {rows} row(s) by the catalogue's rule: {rule}")
        for correction, rows in report.corrected_codes.items():
            context.log.warning(f"{source.id}: corrected {rows} row(s) by the catalogue's rule: {correction}")
        origin = Origin(located.mode, located.url, located.fetched_at, located.publisher_date)
        result = load_raw_table(
            con,
            source.id,
            STAGED,
            file=path,
            sha256=checksum,
            provenance=source.provenance,
            origin=origin,
            metrics=mapping,
            parse_fingerprint=fingerprint,
        )
    finally:
        release_relation(con, STAGED)
    span = f"{result.periods[0]} .. {result.periods[-1]}" if result.periods else "no periods (a lookup)"
    context.log.info(f"{source.id}: loaded {result.row_count} rows, {span} from {path.name}")
    return MaterializeResult(
        asset_key=raw_asset_key(source.id),
        metadata={
            "unchanged": False,
            **_origin_metadata(located),
            "dagster/row_count": result.row_count,
            "periods": span,
            "period_count": len(result.periods),
            "sha256": checksum,
            "parse_fingerprint": fingerprint,
            "file": str(path),
            "loaded_at": result.loaded_at.isoformat(),
            "suppressed_values": report.suppressed,
            "duplicates_dropped": report.duplicates_dropped,
            "rows_set_aside": MetadataValue.json(report.set_aside),
            "status_notes_moved_to_note": report.status_notes,
            "codes_corrected": MetadataValue.json(report.corrected_codes),
            "extra_columns_ignored": ", ".join(report.extra_columns) or "none",
            "unmapped_indicators": ", ".join(unmapped) or "none",
        },
    )


def _ingest_spec(source: Source) -> AssetSpec:
    return AssetSpec(
        key=raw_asset_key(source.id),
        group_name=source.group,
        description=f"{source.title}. {source.description}",
        metadata=_static_metadata(source),
        kinds={"python", "duckdb"},
        owners=[DATA_TEAM],
        tags=source_tags(source),
    )


def _combined_failure(failures: dict[str, Failure]) -> Failure:
    """One source's failure as it is; several listed one per line, each source's metadata under its id."""
    if len(failures) == 1:
        return next(iter(failures.values()))
    return Failure(
        description=f"{len(failures)} sources failed:\n"
        + "\n".join(failure.description or "" for failure in failures.values()),
        metadata={
            source_id: MetadataValue.json({name: value.value for name, value in failure.metadata.items()})
            for source_id, failure in failures.items()
        },
    )


def build_ingest_assets(sources: Sequence[Source] | None = None) -> list[AssetsDefinition]:
    """One multi-asset for every catalogue source (or the given ones), with each raw table's
    Great Expectations suite as a blocking check on its asset, run as soon as the table is loaded.

    One step, not one per source: a Dagster step costs ~0.1 s of events and bookkeeping, more than
    parsing most of these files. Each source is still its own asset (``raw/<id>``) with its own
    materialization, metadata and gate result; selecting a few runs only those (``can_subset``). A
    source that fails is logged and the others still load; the step then fails, naming each failed
    source's file, column and problem, and nothing downstream runs.
    """
    sources = list(load_catalogue() if sources is None else sources)
    by_key = {raw_asset_key(source.id): source for source in sources}
    suites = {key: spec for key, spec in raw_suite_specs().items() if key in by_key}

    @multi_asset(
        name=INGEST_STEP,
        specs=[_ingest_spec(source) for source in sources],
        check_specs=[gx_check_spec(spec) for spec in suites.values()],
        can_subset=True,
        description="Every catalogue source: located, parsed, loaded into raw.<id>, gated by its suite.",
    )
    def ingest_sources(
        context: AssetExecutionContext,
        fetcher: SourceFetcher,
        refresh_lock: RefreshLock,
        warehouse: WarehouseConfig,
    ) -> Iterator[MaterializeResult | AssetCheckResult]:
        settings = warehouse.resolve()
        failures: dict[str, Failure] = {}
        published_tables = read_manifest(settings.published_db).get("tables", {})
        selected_checks = context.selected_asset_check_keys
        with connect_for_loading(settings.build_db) as con:  # one for every load and gate (~20 ms each)
            for key, source in by_key.items():
                if key in context.selected_asset_keys:
                    try:
                        yield ingest_source(context, fetcher, source, con, settings)
                    except Failure as failure:
                        context.log.error(failure.description)
                        failures[source.id] = failure
                        continue
                # a gate selected without its asset (a partial refresh publishes only when every gate
                # upstream passed in the run) checks the raw table as it stands in the build
                spec = suites.get(key)
                if spec is not None and gx_check_key(spec) in selected_checks:
                    yield evaluate_suite(spec, con, context.log, published_tables)
        if failures:
            raise _combined_failure(failures)

    return [ingest_sources]
