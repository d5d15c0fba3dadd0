"""Parser for the UK SDG data platform's tidy CSVs (Open SDG format, ONSdigital/sdg-data).

One ``Value`` column; every other column but ``Year, Series, Units, Unit multiplier, Observation
status, GeoCode`` is a disaggregation. The headline row of a series has every disaggregation blank;
this parser keeps headline rows and the rows disaggregated *only* by geography (``Region`` with a
``GeoCode``), which is what the warehouse's area-year shape holds. Headline rows describe the area
named by the catalogue (``format_options: {headline_area_code, headline_area_name}``).

Years are ``2020`` (a calendar or survey year) or ``2018/19`` (a financial year from April).
``Observation status`` "Missing value" becomes a NULL value with GSS status ``x``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.periods import parse_period
from orchestration.ingest.sources.tidy import PARSED_COLUMNS, ParseReport, parse_number, read_csv_records

OPEN_SDG_COLUMNS: tuple[str, ...] = ("Year", "Series", "Units", "Observation status", "GeoCode", "Value")
NOT_DISAGGREGATIONS = {*OPEN_SDG_COLUMNS, "Unit multiplier"}
GEOGRAPHY_COLUMNS = {"Region", "Country"}
_CALENDAR_YEAR = re.compile(r"^(\d{4})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def _period(path: Path, text: str, line: int) -> str:
    if match := _CALENDAR_YEAR.match(text.strip()):
        return f"{match.group(1)}-01-01/P1Y"
    if match := _FINANCIAL_YEAR.match(text.strip()):
        return f"{match.group(1)}-04-01/P1Y"
    raise SourceFormatError(
        path, f"expected a year (2020) or financial year (2018/19), found {text!r}", column="Year", line=line
    )


def parse_open_sdg_csv(
    path: Path,
    expected_columns: Sequence[str] = OPEN_SDG_COLUMNS,
    *,
    headline_area_code: str = "K02000001",
    headline_area_name: str = "United Kingdom",
) -> tuple[pd.DataFrame, ParseReport]:
    path = Path(path)
    _, records = read_csv_records(path, expected_columns)
    header = list(records[0][1])
    report = ParseReport()  # other columns are disaggregations in this format, not unexpected extras
    disaggregations = [column for column in header if column not in NOT_DISAGGREGATIONS]
    rows = []
    for line, record in records:
        report.rows_read += 1
        if any(record[column].strip() for column in disaggregations if column not in GEOGRAPHY_COLUMNS):
            continue
        code = record["GeoCode"].strip()
        geographic = any(record[column].strip() for column in disaggregations if column in GEOGRAPHY_COLUMNS)
        if geographic and not code:
            continue  # a geography with no GSS code (e.g. "Northern" sub-national areas): not an area row
        period = parse_period(_period(path, record["Year"], line))
        missing = record["Observation status"].strip().lower() == "missing value"
        value = None if missing else parse_number(path, record["Value"], "Value", line)
        rows.append(
            {
                "source_line": line,
                "area_code": code or headline_area_code,
                "area_name": next(
                    (record[c] for c in disaggregations if c in GEOGRAPHY_COLUMNS and record[c]), ""
                )
                or headline_area_name,
                "geography": "Region" if code else "headline",
                "indicator": record["Series"].strip(),
                "measure": record["Series"].strip(),
                "unit": record["Units"].strip(),
                "period": period.raw,
                "period_label": period.label,
                "period_start": period.start,
                "period_end": period.end,
                "year": period.year,
                "value": value,
                "lci_95": None,
                "uci_95": None,
                "status": "x" if value is None else None,
                "notes": None,
                "numerator": None,
                "denominator": None,
            }
        )
    if not rows:
        raise SourceFormatError(path, "no headline or geography rows found", line=1)
    report.suppressed = sum(1 for row in rows if row["value"] is None)
    return pd.DataFrame.from_records(rows, columns=list(PARSED_COLUMNS)), report
