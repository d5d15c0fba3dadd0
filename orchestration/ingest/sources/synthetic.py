"""Seeded synthetic samples for metrics whose real figures the project cannot obtain.

A sample is *shaped like the publication* it stands in for (its geography, periods, unit and a
plausible range) so that the marts, scorecards and reports can be built and tested end to end, but
it is **not official statistics**: every row it produces says so in its note, and its staging model
marks every row ``provenance = 'synthetic'``. The spec is a small YAML file under
``data/bundled/synthetic/``; the same spec and seed always give the same rows.

Spec keys: ``seed``, ``indicator``, ``measure``, ``unit``, ``imitates`` (the real publication),
``areas`` (``from``: a bundled ELS file, relative to the spec; ``prefixes``: GSS entity prefixes),
``periods`` (``template`` with ``{year}``, ``first_year``, ``last_year``), ``value`` (``mean``,
``area_sd``, ``noise_sd``, ``trend_per_year``, ``min``, ``max``, ``decimals``) and optional
``area_offsets`` (code -> shift, e.g. London's higher public transport use) and ``aggregates``
(codes of totals over the sampled areas, e.g. E92000001) with ``aggregate_method`` ``mean`` (default,
for rates and shares) or ``sum`` (for counts).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.periods import parse_period
from orchestration.ingest.sources.tidy import PARSED_COLUMNS, ParseReport

#: Keys a spec must have (the catalogue's expected_columns for this format).
SPEC_KEYS: tuple[str, ...] = ("seed", "indicator", "unit", "imitates", "areas", "periods", "value")

SYNTHETIC_NOTE = "SYNTHETIC SAMPLE, not official statistics: generated to the shape of {imitates}"


def _areas(spec_path: Path, areas: dict) -> list[tuple[str, str]]:
    source = (spec_path.parent / areas["from"]).resolve()
    if not source.exists():
        raise SourceFormatError(spec_path, f"areas.from file {source} not found", column="areas")
    prefixes = tuple(areas["prefixes"])
    found: dict[str, str] = {}
    with open(source, encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            if record["areacd"].startswith(prefixes):
                found.setdefault(record["areacd"], record["areanm"])
    if not found:
        raise SourceFormatError(spec_path, f"no areas with prefixes {prefixes} in {source}", column="areas")
    return sorted(found.items())


def _load_spec(path: Path, expected: Sequence[str]) -> dict:
    if not path.exists():
        raise SourceFormatError(path, "synthetic sample spec not found")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SourceFormatError(path, f"not valid YAML ({exc})") from None
    if not isinstance(spec, dict):
        raise SourceFormatError(path, "spec must be a YAML mapping")
    missing = [key for key in expected if key not in spec]
    if missing:
        raise SourceFormatError(path, f"spec lacks key(s) {missing}", column=missing[0])
    return spec


def generate_sample(path: Path, expected_keys: Sequence[str] = SPEC_KEYS) -> tuple[pd.DataFrame, ParseReport]:
    """Generate the sample a spec describes, in the same tidy shape the ELS parser emits."""
    path = Path(path)
    spec = _load_spec(path, expected_keys)
    rng = np.random.default_rng(int(spec["seed"]))
    value = spec["value"]
    areas = _areas(path, spec["areas"])
    offsets = spec.get("area_offsets") or {}
    years = range(int(spec["periods"]["first_year"]), int(spec["periods"]["last_year"]) + 1)
    area_level = rng.normal(value["mean"], value["area_sd"], size=len(areas))
    note = SYNTHETIC_NOTE.format(imitates=spec["imitates"])
    rows: list[dict[str, object]] = []
    for step, year in enumerate(years):
        period = parse_period(spec["periods"]["template"].format(year=year))
        noise = rng.normal(0.0, value["noise_sd"], size=len(areas))
        figures = area_level + value.get("trend_per_year", 0.0) * step + noise
        figures += np.array([offsets.get(code, 0.0) for code, _ in areas])
        figures = np.clip(figures, value["min"], value["max"]).round(int(value["decimals"]))
        sampled = [(code, name, float(figure)) for (code, name), figure in zip(areas, figures, strict=True)]
        total = figures.sum() if spec.get("aggregate_method", "mean") == "sum" else figures.mean()
        for code, name in (spec.get("aggregates") or {}).items():
            sampled.append((code, name, round(float(total), int(value["decimals"]))))
        for code, name, figure in sampled:
            rows.append(
                {
                    "source_line": None,
                    "area_code": code,
                    "area_name": name,
                    "geography": "synthetic",
                    "indicator": spec["indicator"],
                    "measure": spec.get("measure", spec["unit"]),
                    "unit": spec["unit"],
                    "period": period.raw,
                    "period_label": period.label,
                    "period_start": period.start,
                    "period_end": period.end,
                    "year": period.year,
                    "value": figure,
                    "lci_95": None,
                    "uci_95": None,
                    "status": None,
                    "notes": note,
                    "numerator": None,
                    "denominator": None,
                }
            )
    frame = pd.DataFrame.from_records(rows, columns=list(PARSED_COLUMNS))
    return frame, ParseReport(rows_read=len(frame))
