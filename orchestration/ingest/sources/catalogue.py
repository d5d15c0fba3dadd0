"""Typed view of the declarative source catalogue (``catalogue.yml`` beside this file)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from orchestration.ingest.sources import (
    dft,
    ipsos,
    ons_census,
    ons_els,
    ons_geography,
    ons_pfa,
    open_sdg,
    scotpho,
    synthetic,
)
from orchestration.ingest.sources.tidy import ParseReport

if TYPE_CHECKING:
    import duckdb

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yml")

#: A parser turns a file into tidy rows plus a report; one per publisher format. It is called as
#: ``parser(path, expected_columns, **format_options)`` (options from the catalogue entry).
Parser = Callable[..., tuple[pd.DataFrame, ParseReport]]
#: A stager reads a file straight into a temporary table on the build connection, called as
#: ``stager(con, path, relation, expected_columns, **format_options)``; it returns None to leave the
#: file to the parser.
Stager = Callable[..., ParseReport | None]


@dataclass(frozen=True)
class Format:
    """A file format: its parser, the columns (or spec keys) a file must have, and its output."""

    parser: Parser
    expected_columns: tuple[str, ...]
    yields_metric_rows: bool  # True: tidy metric rows (tidy.PARSED_COLUMNS) with an indicator
    stager: Stager | None = None  # the same rows read by DuckDB (large files), where the format has one
    #: indicators the format loads as inputs of a metric dbt computes (no metric of their own)
    input_indicators: tuple[str, ...] = ()


#: Every format the catalogue may name.
FORMATS: dict[str, Format] = {
    "ons_els_csv": Format(ons_els.parse_els_csv, ons_els.ELS_COLUMNS, True, ons_els.stage_els_csv),
    "synthetic_sample": Format(synthetic.generate_sample, synthetic.SPEC_KEYS, True),
    "ipsos_index_csv": Format(ipsos.parse_ipsos_csv, ipsos.IPSOS_COLUMNS, False),
    "ons_pfa_tables": Format(ons_pfa.parse_pfa_tables, (), True, input_indicators=ons_pfa.INPUT_INDICATORS),
    "dft_nts_csv": Format(dft.parse_nts_csv, dft.NTS_COLUMNS, True),
    "dft_jts_workbook": Format(dft.parse_jts_workbook, (), True),
    "ons_census_csv": Format(ons_census.parse_census_csv, (), True),
    "scotpho_profiles_csv": Format(scotpho.parse_scotpho_csv, scotpho.SCOTPHO_COLUMNS, True),
    "open_sdg_csv": Format(open_sdg.parse_open_sdg_csv, open_sdg.OPEN_SDG_COLUMNS, True),
    "geo_metadata_json": Format(ons_geography.parse_geo_metadata_json, ons_geography.HIERARCHY_KEYS, False),
    "lookup_csv": Format(ons_geography.parse_lookup_csv, (), False),
    "area_clusters_json": Format(ons_geography.parse_area_clusters_json, ons_geography.CLUSTER_KEYS, False),
}

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
#: Formats of lookup tables (areas, successors, clusters, populations): no metric rows; each declares
#: its key_columns.
LOOKUP_FORMATS = ("geo_metadata_json", "lookup_csv", "area_clusters_json")

#: published: copied from a publisher's release; derived: computed by the project from published
#: inputs; synthetic: a generated sample, never official statistics.
PROVENANCES = ("published", "derived", "synthetic")


@dataclass(frozen=True)
class MetricMapping:
    """One publisher indicator and the warehouse metric (and breakdown) it becomes."""

    indicator: str
    metric_id: str
    breakdown: str = "all"


@dataclass(frozen=True)
class Source:
    """One catalogue entry."""

    id: str
    publisher: str
    publisher_name: str
    group: str
    title: str
    description: str
    format: str
    bundled_path: str
    url: str
    licence: str
    licence_url: str
    snapshot_commit: str | None
    cadence_months: int
    lag_months: int
    expected_columns: tuple[str, ...]
    metrics: tuple[MetricMapping, ...]
    provenance: str
    extra_files: tuple[str, ...]
    format_options: tuple[tuple[str, str], ...] = ()
    fetchable: bool = False  # the URL is the data file itself (live mode fetches it)
    #: a lookup's key: one row per value of these columns (its raw gate checks it; the first is a code)
    key_columns: tuple[str, ...] = ()
    #: metrics dbt computes from this source's rows (crime rates from counts and populations, shares
    #: of population by devolution level), as opposed to ``metrics``, mapped from its indicators
    derives: tuple[str, ...] = ()

    def parse(self, path: Path) -> tuple[pd.DataFrame, ParseReport]:
        return self.parser(path, self.expected_columns, **dict(self.format_options))

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, relation: str) -> ParseReport:
        """The file's parsed rows as the relation ``relation`` on ``con``: read by the format's stager
        when it takes the file, else by its parser (a frame registered under that name)."""
        stager = FORMATS[self.format].stager
        report = (
            stager(con, path, relation, self.expected_columns, **dict(self.format_options))
            if stager is not None
            else None
        )
        if report is None:
            frame, report = self.parse(path)
            con.register(relation, frame)
        return report

    @property
    def parser(self) -> Parser:
        return FORMATS[self.format].parser

    @property
    def yields_metric_rows(self) -> bool:
        return FORMATS[self.format].yields_metric_rows

    @property
    def input_indicators(self) -> tuple[str, ...]:
        return FORMATS[self.format].input_indicators

    @property
    def loads_rate_inputs(self) -> bool:
        """Its rows hold inputs of a metric dbt computes (the entry derives one; the format loads them)."""
        return bool(self.input_indicators and self.derives)

    @property
    def metric_ids(self) -> tuple[str, ...]:
        """Every metric the source feeds: mapped from its indicators or computed by dbt from its rows."""
        return tuple(sorted({m.metric_id for m in self.metrics} | set(self.derives)))


class CatalogueError(ValueError):
    """The catalogue itself is inconsistent (raised at load, so definitions fail loudly)."""


def _frozen(value: Any) -> Any:
    """A format option as an immutable value (a mapping becomes sorted (key, value) pairs), so that a
    Source stays hashable; parsers read such an option with ``dict(...)``."""
    if isinstance(value, dict):
        return tuple(sorted((str(key), _frozen(item)) for key, item in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def _source(entry: dict, publishers: dict, defaults: dict) -> Source:
    source_id = entry.get("id", "")
    if not _ID.match(source_id):
        raise CatalogueError(f"source id {source_id!r} must be snake_case")
    publisher_id = entry["publisher"]
    if publisher_id not in publishers:
        raise CatalogueError(f"source {source_id}: unknown publisher {publisher_id!r}")
    publisher = publishers[publisher_id]
    fmt = entry["format"]
    if fmt not in FORMATS:
        raise CatalogueError(f"source {source_id}: unknown format {fmt!r}; known: {sorted(FORMATS)}")
    url = entry.get("url") or publisher.get("url_pattern", "").format(dataset=entry.get("dataset", source_id))
    if not url:
        raise CatalogueError(f"source {source_id}: no url and no publisher url_pattern")
    metrics = tuple(MetricMapping(**metric) for metric in entry.get("metrics", []))
    derives = tuple(entry.get("derives") or ())
    if FORMATS[fmt].yields_metric_rows and not metrics and not derives:
        raise CatalogueError(f"source {source_id}: lists no metrics")
    if fmt in LOOKUP_FORMATS and not entry.get("key_columns"):
        raise CatalogueError(f"source {source_id}: a lookup ({fmt}) must declare its key_columns")
    provenance = entry.get("provenance", publisher.get("provenance", "published"))
    if provenance not in PROVENANCES:
        raise CatalogueError(f"source {source_id}: provenance {provenance!r} not in {PROVENANCES}")
    return Source(
        id=source_id,
        publisher=publisher_id,
        publisher_name=publisher["name"],
        group=publisher["group"],
        title=entry["title"],
        description=" ".join(entry["description"].split()),
        format=fmt,
        bundled_path=entry["bundled_path"],
        url=url,
        licence=entry.get("licence", defaults["licence"]),
        licence_url=entry.get("licence_url", defaults["licence_url"]),
        snapshot_commit=publisher.get("snapshot_commit"),
        cadence_months=int(entry.get("cadence_months", 12)),
        lag_months=int(entry.get("lag_months", 12)),
        expected_columns=tuple(entry.get("expected_columns") or FORMATS[fmt].expected_columns),
        metrics=metrics,
        provenance=provenance,
        extra_files=tuple(entry.get("extra_files", [])),
        format_options=tuple(
            sorted((key, _frozen(value)) for key, value in (entry.get("format_options") or {}).items())
        ),
        fetchable=bool(entry.get("fetch", bool(publisher.get("url_pattern")))),
        key_columns=tuple(entry.get("key_columns") or ()),
        derives=derives,
    )


@cache
def _document(path: Path) -> dict[str, Any]:
    """The catalogue file, read once per process (libyaml's loader when PyYAML has it: ~10x faster)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> tuple[Source, ...]:
    """All catalogue sources, validated."""
    document = _document(path)
    sources = tuple(
        _source(entry, document["publishers"], document["defaults"]) for entry in document["sources"]
    )
    ids = [source.id for source in sources]
    duplicated = sorted({source_id for source_id in ids if ids.count(source_id) > 1})
    if duplicated:
        raise CatalogueError(f"duplicate source ids: {duplicated}")
    return sources


@cache
def publisher_descriptions(path: Path = CATALOGUE_PATH) -> dict[str, str]:
    """Each publisher's description (what its dbt source says about the raw tables it loads)."""
    document = _document(path)
    return {
        key: " ".join(str(value.get("description", value["name"])).split())
        for key, value in document["publishers"].items()
    }


def reference_file(file_id: str, path: Path = CATALOGUE_PATH) -> dict[str, Any]:
    """A file the project reads beside the warehouse (e.g. map boundaries), with its origin and licence."""
    for entry in _document(path).get("reference_files", []):
        if entry["id"] == file_id:
            return dict(entry)
    raise KeyError(f"no catalogue reference file {file_id!r}")


def get_source(source_id: str) -> Source:
    for source in load_catalogue():
        if source.id == source_id:
            return source
    raise KeyError(f"no catalogue source {source_id!r}")


METRICS_SEED = Path(__file__).resolve().parents[3] / "dbt_project" / "seeds" / "metrics.csv"


@cache
def metric_missions() -> dict[str, str]:
    """metric id -> mission id, from the metric catalogue (the dbt seed behind dim_metrics)."""
    frame = pd.read_csv(METRICS_SEED, usecols=["metric_id", "mission_id"], dtype=str)
    return dict(zip(frame["metric_id"], frame["mission_id"], strict=True))


def source_tags(source: Source) -> dict[str, str]:
    """Dagster tags for a source's asset: publisher, provenance, and a key-only tag per mission it feeds."""
    missions = sorted({metric_missions().get(metric_id, "") for metric_id in source.metric_ids} - {""})
    return {
        "publisher": source.publisher,
        "provenance": source.provenance,
        **{f"mission_{mission}": "" for mission in missions},
    }


@cache
def _format_code_digest(fmt: str) -> str:
    """sha256 of the code a format reads files with: its parser's module and the shared tidy module."""
    import inspect

    from orchestration.ingest.sources import tidy

    parser_module = inspect.getmodule(FORMATS[fmt].parser)
    digest = hashlib.sha256()
    for module in (parser_module, tidy):
        if module is not None and module.__file__:
            digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def parse_fingerprint(source: Source) -> str:
    """What a source's file is read with: its catalogue entry's reading instructions (format, options,
    expected and key columns, indicator mapping) and the code of its format's parser module and of the
    shared tidy-row module. A load of an unchanged file under a different fingerprint reloads it, so a
    parser fix or a new mapping reaches the raw table without waiting for the publisher's next file."""
    entry = repr(
        (source.format, source.format_options, source.expected_columns, source.key_columns, source.metrics)
    )
    return hashlib.sha256(entry.encode() + _format_code_digest(source.format).encode()).hexdigest()[:16]


def source_checksum(source: Source, path: Path, bundled_dir: Path) -> str:
    """sha256 of a source's file; for sources computed from several files, of all of them together."""
    from orchestration.warehouse.files import sha256_of

    if not path.exists():
        return ""
    if not source.extra_files:
        return sha256_of(path)
    parts = [sha256_of(path)] + [
        sha256_of(bundled_dir / extra) if (bundled_dir / extra).exists() else "missing"
        for extra in source.extra_files
    ]
    return hashlib.sha256("".join(parts).encode()).hexdigest()
