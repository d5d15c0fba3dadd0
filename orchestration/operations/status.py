"""What the published warehouse holds and how fresh it is: the text behind `mission-tracker status`,
`mission-tracker sources` and the refresh summary's mission table. The CLI only prints these lines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.settings import Settings, dagster_instance

MISSION_SUMMARY_SQL = (
    "select mission_number as n, title, headline_status, gap_trend, target_band, confidence, data_coverage "
    "from mission_summary order by mission_number"
)


def mission_table(db: Path) -> str:
    """The 12-mission summary of a published warehouse, as an aligned text table."""
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.sql(MISSION_SUMMARY_SQL).df()
    return frame.to_string(index=False)


def latest_files(db: Path) -> dict[str, str]:
    """Each source's latest loaded file (sha256) in a warehouse file, from its load log."""
    from orchestration.warehouse.loading import LOAD_LOG, LOAD_ORDER_NEWEST_FIRST

    with duckdb.connect(str(db), read_only=True) as con:
        return dict(
            con.execute(
                f"select source_id, sha256 from {LOAD_LOG} qualify row_number() over ("
                f"partition by source_id order by {LOAD_ORDER_NEWEST_FIRST}) = 1"
            ).fetchall()
        )


def sources_changed_since(previous: Path | None, current: Path) -> list[str]:
    """The sources whose file differs between two published versions (all of them when there is no
    previous one): what a publish changed, whichever run loaded it."""
    now = latest_files(current)
    before = latest_files(previous) if previous is not None and previous.exists() else {}
    return sorted(source_id for source_id, sha in now.items() if before.get(source_id) != sha)


def source_lines(settings: Settings) -> list[str]:
    """Every catalogue source: id, provenance, title, then its latest period and freshness."""
    from orchestration.ingest.sources.catalogue import load_catalogue
    from orchestration.operations.freshness import assess, latest_dates

    path = settings.published_db
    loads: dict[str, tuple] = {}
    if path.exists():
        with duckdb.connect(str(path), read_only=True) as con:
            rows = con.execute(
                "select source_id, arg_max(last_period, loaded_at) from raw._load_log group by 1"
            ).fetchall()
            dates = latest_dates(con, (source_id for source_id, _ in rows))
            for source_id, last_period in rows:
                loads[source_id] = (last_period, dates[source_id][0])
    today = datetime.now(UTC).date()
    catalogue = load_catalogue()
    lines = [
        f"{len(catalogue)} sources in orchestration/ingest/sources/catalogue.yml"
        + ("" if path.exists() else f" (no published warehouse at {path}: latest periods unknown)")
    ]
    for source in catalogue:
        last_period, period_end = loads.get(source.id, (None, None))
        freshness = assess(source, period_end, today).line if source.id in loads else "not loaded yet"
        lines.append(f"  {source.id} [{source.provenance}] {source.title}")
        lines.append(f"      latest period: {last_period or '-'}; {freshness}")
    return lines


def status_lines(settings: Settings) -> list[str]:
    """The published version, the last refresh and run, and each source's freshness and fetch."""
    from orchestration.ingest.sources.catalogue import load_catalogue
    from orchestration.operations.freshness import assess, assess_release, latest_dates
    from orchestration.warehouse.files import sha256_of
    from orchestration.warehouse.publishing import list_versions, read_manifest

    path = settings.published_db
    lines = [f"published: {path} ({path.stat().st_size / 1e6:.1f} MB, sha256 {sha256_of(path)[:12]})"]
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select source_id, max(loaded_at), arg_max(row_count, loaded_at), "
            "arg_max(last_period, loaded_at), arg_max(left(sha256, 12), loaded_at) "
            "from raw._load_log group by 1 order by 1"
        ).fetchall()
        dates = latest_dates(con, (source_id for (source_id, *_rest) in rows))
        refreshed = con.execute("select max(loaded_at) from raw._load_log").fetchone()[0]
        history = history_sizes(con)
    catalogue = {source.id: source for source in load_catalogue()}
    today = datetime.now(UTC).date()
    manifest = read_manifest(path)
    lines += [
        f"published at: {manifest.get('published_at', 'unknown')}",
        f"last refresh that loaded data: {refreshed:%Y-%m-%d %H:%M} UTC",
        last_run_line(),
        f"source mode: {settings.source_mode}"
        + (f" (mirror {settings.source_mirror})" if settings.source_mirror else ""),
        "sources (last load in this version; freshness = age of the latest period; last successful fetch):",
    ]
    overdue = 0
    for source_id, loaded_at, row_count, last_period, vintage in rows:
        source = catalogue.get(source_id)
        period_end, released = dates[source_id]
        fresh = assess(source, period_end, today) if source else None
        release = assess_release(source, released, today) if source else None
        overdue += bool(fresh and "overdue" in (fresh.status, release.status))
        lines.append(
            f"  {source_id}: loaded {loaded_at:%Y-%m-%d %H:%M} UTC, {row_count} rows, "
            f"latest period {last_period}, vintage {vintage}"
            + (f"; {fresh.line}" if fresh else "; not in the catalogue any more")
            + (f"; release {release.line}" if release and release.latest_period_end else "")
            + f"; {fetch_line(settings, source)}"
        )
    lines.append(f"overdue sources: {overdue} of {len(rows)}")
    versions = list_versions(settings.versions_dir)
    lines.append(
        f"kept previous versions: {len(versions)}" + (f" (newest {versions[-1].name})" if versions else "")
    )
    lines += storage_lines(settings, manifest, history)
    return lines


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def history_sizes(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    """(ranges, figure-vintages) of a warehouse's vintage history; None before it has one."""
    from orchestration.ingest.history import HISTORY

    (present,) = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw' "
        "and table_name = 'metric_value_history' and column_name = 'first_vintage_number'"
    ).fetchall()[0]
    if not present:
        return None
    ((ranges, figures),) = con.execute(
        f"select (select count(*) from {HISTORY}), (select count(*) from metric_value_history)"
    ).fetchall()
    return int(ranges), int(figures)


def storage_lines(settings: Settings, manifest: dict, history: tuple[int, int] | None) -> list[str]:
    """Disk use: the published file (and its storage format), the build, the kept versions, and the
    history's ranges."""
    from orchestration.warehouse.publishing import list_versions

    published = settings.published_db
    versions = list_versions(settings.versions_dir)
    kept = sum(path.stat().st_size for path in versions)
    build = settings.build_db.stat().st_size if settings.build_db.exists() else 0
    lines = [
        "storage:",
        f"  published file: {_megabytes(published.stat().st_size)} "
        + (
            f"(compacted, DuckDB storage {manifest['storage_version']}: DuckDB 1.1 and later open it)"
            if manifest.get("storage_version")
            else "(published before compaction: a byte copy of the build; the next publish compacts it)"
        ),
        f"  build file: {_megabytes(build)} ({settings.build_db})",
        f"  kept versions: {_megabytes(kept)} in {len(versions)} file(s)",
    ]
    if history is not None:
        lines.append(f"  history: {history[0]} ranges hold {history[1]} figure-vintages")
    return lines


def fetch_line(settings: Settings, source) -> str:
    from orchestration.ingest.fetch import read_state

    if source is None or not source.fetchable:
        return "no live file (bundled only)"
    state = read_state(settings.landing_dir, source.id)
    if state is None:
        return "never fetched"
    published = f", publisher date {state.publisher_date:%Y-%m-%d}" if state.publisher_date else ""
    return f"last successful fetch {state.checked_at} (this file fetched {state.fetched_at}{published})"


def last_run_line() -> str:
    """The latest nightly run recorded in the Dagster instance: when, and how it ended."""
    from dagster import RunsFilter

    from orchestration.defs.schedules import NIGHTLY_JOB_NAME

    with dagster_instance() as instance:
        runs = instance.get_run_records(RunsFilter(job_name=NIGHTLY_JOB_NAME), limit=1)
    if not runs:
        return "last run: none recorded in this Dagster instance"
    record = runs[0]
    when = record.end_time or record.start_time
    stamp = datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M UTC") if when else "not finished"
    return f"last run: {record.dagster_run.status.value} at {stamp} (run {record.dagster_run.run_id[:8]})"
