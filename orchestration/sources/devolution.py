"""Mission 12: share of England's population living under each level of devolution (derived).

No publisher releases this series as data the project can bundle, so it is computed from real
inputs: ONS's LAD -> combined authority lookup (May 2025), the LAD -> upper-tier -> region chain,
mid-year population by upper-tier authority, and the devolution level of each combined authority
(facts curated in ``data/bundled/devolution/devolution_levels.yml``, each with its basis). Every
combined authority is made of whole upper-tier authorities, so upper-tier populations add up exactly.

Output: for England (E92000001) and each region, one row per level (4, 3, 2, gla, none) with the
share of population (value, %), the population covered (numerator) and the total (denominator);
and the Statement's aim, levels 3 and 4 together ("3 or 4"), the one share that has a direction.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import yaml

from orchestration.sources.errors import SourceFormatError
from orchestration.sources.periods import parse_period
from orchestration.sources.tidy import PARSED_COLUMNS, ParseReport

SPEC_KEYS: tuple[str, ...] = (
    "lookup",
    "lad_chain",
    "population",
    "population_year",
    "period",
    "combined_authorities",
)
LEVELS = ("4", "3", "2", "gla", "none")
#: the Statement's aim, levels 3 and 4 together: the one share with a direction (more is the aim)
AIM = "3 or 4"
INDICATOR = "Population covered by a devolution deal"
ENGLAND = ("E92000001", "England")


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise SourceFormatError(path, "input file not found")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _column(path: Path, rows: list[dict[str, str]], name: str) -> None:
    if rows and name not in rows[0]:
        raise SourceFormatError(
            path, f"expected column {name!r}; header is {list(rows[0])}", column=name, line=1
        )


def _utla_levels(spec: dict, base: Path) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, str]]]:
    """Maps: active LAD code -> level; any LAD code -> active code; UTLA -> region (code, name)."""
    chain_path = base / spec["lad_chain"]
    chain = _rows(chain_path)
    for name in ("LADCD", "LADCD_ACTIVE", "UTLACD", "RGNCD", "RGNNM", "Current"):
        _column(chain_path, chain, name)
    active = {row["LADCD"]: row["LADCD_ACTIVE"] for row in chain}
    lookup_path = base / spec["lookup"]
    lookup = _rows(lookup_path)
    code_column = next((c for c in lookup[0] if c.startswith("LAD") and c.endswith("CD")), None)
    ca_column = next((c for c in lookup[0] if c.startswith("CAUTH") and c.endswith("CD")), None)
    if code_column is None or ca_column is None:
        raise SourceFormatError(
            lookup_path, f"expected LADnnCD and CAUTHnnCD columns; header is {list(lookup[0])}"
        )
    levels = spec["combined_authorities"]
    unknown = sorted({row[ca_column] for row in lookup} - set(levels))
    if unknown:
        raise SourceFormatError(
            lookup_path, f"combined authorities with no level in the spec: {unknown}", column=ca_column
        )
    lad_level = {
        active.get(row[code_column], row[code_column]): str(levels[row[ca_column]]["level"]) for row in lookup
    }
    utla_level: dict[str, str] = {}
    utla_region: dict[str, tuple[str, str]] = {}
    london = spec.get("london", {})
    for row in chain:
        if row["Current"] != "TRUE" or not row["LADCD"].startswith("E"):
            continue
        level = lad_level.get(row["LADCD"], "none")
        if london and row["LADCD"].startswith(london["prefix"]):
            level = str(london["level"])
        previous = utla_level.setdefault(row["UTLACD"], level)
        if previous != level:
            raise SourceFormatError(
                lookup_path,
                f"upper-tier authority {row['UTLACD']} is split between devolution levels "
                f"{previous} and {level}",
            )
        utla_region[row["UTLACD"]] = (row["RGNCD"], row["RGNNM"])
    return utla_level, active, utla_region


def devolution_levels(path: Path) -> dict[str, str]:
    """The devolution level of every current English upper-tier authority (4, 3, 2, gla or none), read
    from the spec the devolution_coverage metric is derived from."""
    path = Path(path)
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    utla_level, _, _ = _utla_levels(spec, path.parent)
    return utla_level


def compute_devolution_coverage(
    path: Path, expected_keys: Sequence[str] = SPEC_KEYS
) -> tuple[pd.DataFrame, ParseReport]:
    path = Path(path)
    if not path.exists():
        raise SourceFormatError(path, "devolution spec not found")
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = [key for key in expected_keys if key not in spec]
    if missing:
        raise SourceFormatError(path, f"spec lacks key(s) {missing}", column=missing[0])
    base = path.parent
    utla_level, active, utla_region = _utla_levels(spec, base)
    population_path = base / spec["population"]
    population_rows = _rows(population_path)
    year = str(spec["population_year"])
    _column(population_path, population_rows, year)
    covered: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: dict.fromkeys(LEVELS, 0.0))
    counted: set[str] = set()
    for row in population_rows:
        code = active.get(row["region_code"], row["region_code"])
        if row["age_band"] != "All ages" or code not in utla_level:
            continue
        people = float(row[year])
        level = utla_level[code]
        covered[ENGLAND][level] += people
        covered[utla_region[code]][level] += people
        counted.add(code)
    absent = sorted(set(utla_level) - counted)
    if absent:
        raise SourceFormatError(
            population_path, f"no {year} population for upper-tier authorities {absent}", column=year
        )
    period = parse_period(str(spec["period"]))
    note = (
        f"Derived by the project: mid-{year} population of upper-tier authorities by the devolution "
        f"level of their combined authority (ONS lookup {period.label}); levels and their basis in "
        "devolution_levels.yml"
    )
    records = []
    for (code, name), by_level in sorted(covered.items()):
        total = sum(by_level.values())
        # the Statement's aim: coverage "at or approaching the highest level" (levels 3 and 4 together);
        # the single levels are categories of deal, not better or worse than each other
        by_level = {**by_level, AIM: by_level["3"] + by_level["4"]}
        for level in (*LEVELS, AIM):
            records.append(
                {
                    "source_line": None,
                    "area_code": code,
                    "area_name": name,
                    "geography": "derived",
                    "indicator": f"{INDICATOR} (level {level})",
                    "measure": "Percentage of population",
                    "unit": "%",
                    "period": period.raw,
                    "period_label": period.label,
                    "period_start": period.start,
                    "period_end": period.end,
                    "year": period.year,
                    "value": round(100 * by_level[level] / total, 2),
                    "lci_95": None,
                    "uci_95": None,
                    "status": None,
                    "notes": note,
                    "numerator": by_level[level],
                    "denominator": total,
                }
            )
    frame = pd.DataFrame.from_records(records, columns=list(PARSED_COLUMNS))
    return frame, ParseReport(rows_read=len(frame))
