"""Per-source freshness as (non-blocking, warning) asset checks on the ingest assets.

One step evaluates every source after the ingests: the age of the latest period against the source's
cadence plus publication lag, and, where the publisher sent a release date (live mode), the age of
the latest release against the cadence plus three months. Overdue shows as a WARN in the Dagster UI;
it never stops a publish (an old figure is still the latest published figure).
"""

from collections.abc import Iterator
from datetime import date

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    multi_asset_check,
)

from orchestration.defs.assets.ingest import raw_asset_key
from orchestration.defs.resources import RefreshLock, WarehouseConfig
from orchestration.ingest.sources.catalogue import load_catalogue
from orchestration.operations.freshness import assess, assess_release, latest_dates
from orchestration.warehouse.files import connect

CHECK_NAME = "freshness"


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            CHECK_NAME,
            asset=raw_asset_key(source.id),
            blocking=False,
            description=(
                f"Warns when the latest period is more than {source.cadence_months + source.lag_months} "
                f"months old ({source.cadence_months}-month cadence + {source.lag_months}-month lag), or "
                f"no release has come for {source.cadence_months + 3} months."
            ),
        )
        for source in load_catalogue()
    ],
    can_subset=True,
)
def source_freshness(
    context: AssetCheckExecutionContext,
    refresh_lock: RefreshLock,  # reads the build file: never beside another refresh
    warehouse: WarehouseConfig,
) -> Iterator[AssetCheckResult]:
    today = date.today()
    selected = {key.asset_key for key in context.selected_asset_check_keys}
    sources = [source for source in load_catalogue() if raw_asset_key(source.id) in selected]
    with connect(warehouse.resolve().build_db, read_only=True) as con:
        dates = latest_dates(con, (source.id for source in sources))
        for source in sources:
            key = raw_asset_key(source.id)
            period_end, released = dates[source.id]
            data = assess(source, period_end, today)
            release = assess_release(source, released, today)
            overdue = "overdue" in (data.status, release.status)
            yield AssetCheckResult(
                asset_key=key,
                check_name=CHECK_NAME,
                passed=not overdue,
                severity=AssetCheckSeverity.WARN,
                description=f"data: {data.line}; release: {release.line}",
                metadata={
                    "latest_period_end": str(period_end) if period_end else "none",
                    "months_since_period_end": data.months_old if data.months_old is not None else -1,
                    "period_limit_months": data.limit_months,
                    "publisher_release_date": str(released) if released else "unknown",
                    "release_limit_months": release.limit_months,
                    "status": "overdue" if overdue else data.status,
                },
            )
