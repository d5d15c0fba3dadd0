"""What a publish delivers beside the warehouse: Parquet/CSV exports and the scorecard report."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.exports import export_marts
from orchestration.report.build import build_published_report
from orchestration.report.profiles import build_published_profiles
from orchestration.settings import DATA_TEAM, get_settings


@asset(
    key="warehouse_exports",
    required_resource_keys={"refresh_lock"},
    deps=[AssetKey("published_warehouse")],
    group_name="publish",
    owners=[DATA_TEAM],
    kinds={"parquet", "csv"},
    description="Every mart of the published warehouse as Parquet and CSV under warehouse/exports/.",
)
def warehouse_exports(context: AssetExecutionContext) -> MaterializeResult:
    settings = get_settings()
    result = export_marts(settings.published_db, settings.exports_dir)
    context.log.info(f"exported {len(result.tables)} marts to {result.folder}")
    return MaterializeResult(
        metadata={
            "folder": MetadataValue.path(str(result.folder)),
            "tables": len(result.tables),
            "rows": MetadataValue.json(result.tables),
        }
    )


@asset(
    key="scorecard_report",
    required_resource_keys={"refresh_lock"},
    deps=[AssetKey("published_warehouse")],
    group_name="publish",
    owners=[DATA_TEAM],
    kinds={"html"},
    description=(
        "The scorecard report: one self-contained HTML file (inline SVG, no scripts or CDN) with, per "
        "mission, the headline status, trend charts, the gap series, the target trajectory, a map of "
        "the latest quintiles by local authority and the Ipsos perception score. Synthetic data is marked."
    ),
)
def scorecard_report(context: AssetExecutionContext) -> MaterializeResult:
    result = build_published_report(get_settings())
    context.log.info(f"wrote {result.path} ({result.size_bytes / 1e6:.1f} MB in {result.seconds:.1f} s)")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(result.path)),
            "size_bytes": result.size_bytes,
            "build_seconds": round(result.seconds, 2),
            "charts": result.charts,
            "maps": result.maps,
        }
    )


@asset(
    key="area_profiles",
    required_resource_keys={"refresh_lock"},
    deps=[AssetKey("published_warehouse")],
    group_name="publish",
    owners=[DATA_TEAM],
    kinds={"html"},
    description=(
        "One self-contained HTML profile per current local authority (warehouse/report/profiles/<code>.html) "
        "and an index by name: per mission, a spine chart row per headline series against England, the "
        "region and similar areas, coloured by the benchmark test, with the trend and the sources cited. "
        "Drawn from the local_authority_profile mart in one query."
    ),
)
def area_profiles(context: AssetExecutionContext) -> MaterializeResult:
    result = build_published_profiles(get_settings())
    context.log.info(
        f"wrote {result.profiles} profiles to {result.folder} ({result.total_bytes / 1e6:.1f} MB, "
        f"largest {result.largest_bytes / 1e3:.0f} KB, {result.seconds:.1f} s)"
    )
    return MaterializeResult(
        metadata={
            "folder": MetadataValue.path(str(result.folder)),
            "profiles": result.profiles,
            "total_bytes": result.total_bytes,
            "largest_bytes": result.largest_bytes,
            "build_seconds": round(result.seconds, 2),
        }
    )
