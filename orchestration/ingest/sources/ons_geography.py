"""Parsers for ONS geography files (Explore Local Statistics app): the hierarchy, code lists, clusters.

These are lookups, not metrics: each parser returns a plain table that the dbt geography models
(dim_areas, area_boundary_changes, dim_area_groupings) are built from.

* ``geo_metadata_json``: ``{code: {areacd, areanm, level: [...], parents: [...], children: [...]}}``
  -> one row per area with its levels and parent codes (comma-separated, nearest first), plus its
  first year from ``geo-start-years.json`` beside it (codes created since 2018).
* ``lookup_csv``: any CSV lookup with the catalogue's expected columns, loaded as text.
* ``area_clusters_json``: ONS similar-area clusters ``{lookup: {code: {type: cluster}}}`` -> rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.tidy import ParseReport, read_csv_records, read_text

HIERARCHY_KEYS: tuple[str, ...] = ("areacd", "areanm", "level", "parents", "children")
CLUSTER_KEYS: tuple[str, ...] = ("types", "lookup")


def _json(path: Path) -> object:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise SourceFormatError(path, f"not valid JSON ({exc.msg})", line=exc.lineno) from None


def parse_geo_metadata_json(
    path: Path, expected_columns: Sequence[str] = HIERARCHY_KEYS, *, start_years: str = "geo-start-years.json"
) -> tuple[pd.DataFrame, ParseReport]:
    path = Path(path)
    document = _json(path)
    if not isinstance(document, dict) or not document:
        raise SourceFormatError(path, "expected an object of areas keyed by code")
    first_years = _json(path.parent / start_years)
    rows = []
    for code, area in document.items():
        missing = [key for key in expected_columns if key not in area]
        if missing:
            raise SourceFormatError(path, f"area {code} lacks key(s) {missing}", column=missing[0])
        if area["areacd"] != code:
            raise SourceFormatError(path, f"area keyed {code} has areacd {area['areacd']}", column="areacd")
        rows.append(
            {
                "area_code": code,
                "area_name": area["areanm"],
                "levels": ",".join(area["level"]),
                "parent_codes": ",".join(area["parents"]),
                "child_codes": ",".join(area["children"]),
                "first_year": first_years.get(code),
            }
        )
    return pd.DataFrame.from_records(rows), ParseReport(rows_read=len(rows))


def parse_lookup_csv(path: Path, expected_columns: Sequence[str]) -> tuple[pd.DataFrame, ParseReport]:
    path = Path(path)
    extra, records = read_csv_records(path, expected_columns)
    rows = [{column: record[column].strip() for column in expected_columns} for _, record in records]
    return pd.DataFrame.from_records(rows), ParseReport(rows_read=len(rows), extra_columns=extra)


def parse_area_clusters_json(
    path: Path, expected_columns: Sequence[str] = CLUSTER_KEYS
) -> tuple[pd.DataFrame, ParseReport]:
    path = Path(path)
    document = _json(path)
    missing = [key for key in expected_columns if key not in document]
    if missing:
        raise SourceFormatError(path, f"lacks key(s) {missing}", column=missing[0])
    rows = [
        {"area_code": code, "cluster_type": cluster_type, "cluster": clusters[cluster_type]}
        for code, clusters in document["lookup"].items()
        for cluster_type in document["types"]
        if cluster_type in clusters
    ]
    return pd.DataFrame.from_records(rows), ParseReport(rows_read=len(rows))
