"""What a publish delivers beside the warehouse: the scorecard report, the area profiles and the
Parquet/CSV exports.

Three assets, one step: the exports (DuckDB writing files, which releases the GIL) run in a thread
while the report and the profiles (Python building HTML) are drawn, so the three take about as long
as the report and profiles alone. Each is still its own asset with its own materialization and
metadata, and can be materialized on its own (``can_subset``).
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from orchestration.defs.resources import RefreshLock, WarehouseConfig
from orchestration.deliver.exports import ExportResult, export_marts
from orchestration.deliver.report.build import ReportResult, build_published_report
from orchestration.deliver.report.profiles import ProfilesResult, build_published_profiles
from orchestration.settings import DATA_TEAM

REPORT = AssetKey("scorecard_report")
PROFILES = AssetKey("area_profiles")
EXPORTS = AssetKey("warehouse_exports")


def _spec(key: AssetKey, kinds: set[str], description: str) -> AssetSpec:
    return AssetSpec(
        key=key,
        deps=[AssetKey("published_warehouse")],
        group_name="publish",
        owners=[DATA_TEAM],
        kinds=kinds,
        description=description,
    )


SPECS = [
    _spec(
        REPORT,
        {"html"},
        "The scorecard report: one self-contained HTML file (inline SVG, no scripts or CDN) with, per "
        "mission, the headline status, trend charts, the gap series, the target trajectory, a map of "
        "the latest quintiles by local authority and the Ipsos perception score. Synthetic data is marked.",
    ),
    _spec(
        PROFILES,
        {"html"},
        "One self-contained HTML profile per current local authority (warehouse/report/profiles/<code>.html) "
        "and an index by name: per mission, a spine chart row per headline series against England, the "
        "region and similar areas, coloured by the benchmark test, with the trend and the sources cited. "
        "Drawn from the local_authority_profile mart in one query.",
    ),
    _spec(
        EXPORTS,
        {"parquet", "csv"},
        "Every mart of the published warehouse as Parquet and CSV under warehouse/exports/.",
    ),
]


def _report(context: AssetExecutionContext, result: ReportResult) -> MaterializeResult:
    context.log.info(f"wrote {result.path} ({result.size_bytes / 1e6:.1f} MB in {result.seconds:.1f} s)")
    return MaterializeResult(
        asset_key=REPORT,
        metadata={
            "path": MetadataValue.path(str(result.path)),
            "size_bytes": result.size_bytes,
            "build_seconds": round(result.seconds, 2),
            "charts": result.charts,
            "maps": result.maps,
        },
    )


def _profiles(context: AssetExecutionContext, result: ProfilesResult) -> MaterializeResult:
    context.log.info(
        f"wrote {result.profiles} profiles to {result.folder} ({result.total_bytes / 1e6:.1f} MB, "
        f"largest {result.largest_bytes / 1e3:.0f} KB, {result.seconds:.1f} s)"
    )
    return MaterializeResult(
        asset_key=PROFILES,
        metadata={
            "folder": MetadataValue.path(str(result.folder)),
            "profiles": result.profiles,
            "total_bytes": result.total_bytes,
            "largest_bytes": result.largest_bytes,
            "build_seconds": round(result.seconds, 2),
        },
    )


def _exports(context: AssetExecutionContext, result: ExportResult) -> MaterializeResult:
    context.log.info(f"exported {len(result.tables)} marts to {result.folder}")
    return MaterializeResult(
        asset_key=EXPORTS,
        metadata={
            "folder": MetadataValue.path(str(result.folder)),
            "tables": len(result.tables),
            "rows": MetadataValue.json(result.tables),
        },
    )


@multi_asset(
    name="deliver_publication",
    specs=SPECS,
    can_subset=True,
    description="The report, the area profiles and the exports of the published warehouse.",
)
def deliverables(
    context: AssetExecutionContext,
    refresh_lock: RefreshLock,  # held for the whole run: never beside another refresh
    warehouse: WarehouseConfig,
) -> Iterator[MaterializeResult]:
    settings = warehouse.resolve()
    selected = context.selected_asset_keys
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="exports") as pool:
        exports = (
            pool.submit(export_marts, settings.published_db, settings.exports_dir)
            if EXPORTS in selected
            else None
        )
        if REPORT in selected:
            yield _report(context, build_published_report(settings))
        if PROFILES in selected:
            yield _profiles(context, build_published_profiles(settings))
        if exports is not None:
            yield _exports(context, exports.result())
