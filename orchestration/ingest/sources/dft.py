"""Parsers for Department for Transport statistical tables: one per format DfT publishes them in.

**National Travel Survey tables as CSV** (:func:`parse_nts_csv`, e.g. NTS0409a): one row per year and
main mode, a column per journey purpose, then ``All purposes`` and the unweighted sample size. What
the real file does, and this parser handles: note markers glued to mode names (``Walk [notes 3, 4]``,
``Pedal cycle [note 5]``), stripped by the PFA tables' one rule (``clean_label``). It keeps the ``All
purposes`` column (every purpose column must still be there): trips per person per year by main
mode, England, one calendar year each, with
the year's unweighted sample of trips (thousands) in ``denominator`` so that nothing the publisher
gives is lost. What it refuses, naming file, column and line: a missing column, a year that is not a
four-digit year, a non-numeric figure, a year without its ``All modes`` row, and a repeated
(year, mode).

**Journey Time Statistics workbooks** (:func:`parse_jts_workbook`, e.g. JTS0408): one sheet per
year, DfT's title rows above a header of field codes (``Region, LA_Code, LA_Name, Town_pop,
TownPTt, ...``), one row per local authority. The header is found by its labels, never by a fixed
row (row 7 in three sheets, row 9 in ``2015_REVISED``). Each sheet's year comes from the catalogue
(``format_options.sheets``: sheet name -> year), so a renamed or missing sheet fails naming the
sheets found. openpyxl 3.1.5 refuses this workbook (a defined print-titles name it cannot assign);
python-calamine, through pandas, reads it. Codes are as of the sheet's year; the warehouse's
harmonisation (int_metric_values_harmonised) carries them to current ones. One known slip has a
catalogue rule (``format_options.corrected_codes``: area name -> code): every sheet writes Inner
London under Outer London's code E13000002; the rule gives it E13000001, counts the rows in the
report and says so in each row's note. Any other repeated code is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.ons_pfa import Grid, clean_label, find_column, find_header, number
from orchestration.ingest.sources.tidy import (
    PARSED_COLUMNS,
    ParseReport,
    metric_row,
    parse_number,
    read_csv_records,
)

ENGLAND = ("E92000001", "England")
#: NTS0409a's columns, every one required (a renamed purpose column means the table changed).
NTS_COLUMNS: tuple[str, ...] = (
    "Year",
    "Main mode",
    "Commuting",
    "Business",
    "Education or escort education",
    "Shopping",
    "Other escort",
    "Personal business",
    "Leisure [note 2]",
    "Other including just walk",
    "All purposes",
    "Unweighted sample size: trips (thousands)",
)
_SAMPLE = NTS_COLUMNS[-1]
ALL_MODES = "All modes"
_YEAR = re.compile(r"^\d{4}$")


def parse_nts_csv(
    path: Path, expected_columns: Sequence[str] = NTS_COLUMNS
) -> tuple[pd.DataFrame, ParseReport]:
    """An NTS table saved as CSV: trips per person per year by main mode (all purposes), England."""
    path = Path(path)
    extra, records = read_csv_records(path, expected_columns)
    report = ParseReport(extra_columns=extra)
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, record in records:
        year = record["Year"].strip()
        if not _YEAR.match(year):
            raise SourceFormatError(
                path, f"expected a four-digit year, found {record['Year']!r}", column="Year", line=line
            )
        mode = clean_label(record["Main mode"])
        if not mode:
            raise SourceFormatError(path, "empty main mode", column="Main mode", line=line)
        if (year, mode) in seen:
            raise SourceFormatError(
                path, f"{year} {mode!r} repeats line {seen[(year, mode)]}", column="Main mode", line=line
            )
        seen[(year, mode)] = line
        value = parse_number(path, record["All purposes"], "All purposes", line)
        sample = parse_number(path, record[_SAMPLE], _SAMPLE, line)
        rows.append(
            metric_row(
                line=line,
                area_code=ENGLAND[0],
                area_name=ENGLAND[1],
                geography="Country",
                indicator=mode,
                unit="Trips per person per year",
                period=f"{year}-01-01/P1Y",
                value=value,
                status=None if value is not None else "x",
                notes="National Travel Survey; denominator = unweighted sample of trips (thousands)",
                denominator=None if sample is None else sample * 1000,
            )
        )
    years = {year for year, _ in seen}
    without_total = sorted(year for year in years if (year, ALL_MODES) not in seen)
    if without_total:
        raise SourceFormatError(
            path, f"year(s) {without_total} have no {ALL_MODES!r} row", column="Main mode"
        )
    report.rows_read = len(rows)
    report.suppressed = sum(1 for row in rows if row["value"] is None)
    return pd.DataFrame.from_records(rows, columns=list(PARSED_COLUMNS)), report


# --- Journey Time Statistics workbooks ---------------------------------------------------------------

#: The header labels every JTS sheet must have, and the field that holds each mode's mean travel time.
JTS_KEYS: tuple[str, ...] = ("LA_Code", "LA_Name")
#: Mean minimum travel time to the nearest destination, by mode: field suffix -> indicator.
JTS_TIME_FIELDS: Mapping[str, str] = {
    "PTt": "Travel time by public transport or walking",
    "Cyct": "Travel time by cycle",
    "Cart": "Travel time by car",
}
_CODE = re.compile(r"^E(06|07|08|09|10|11|13|92|12)\d{6}$")


def _read_calamine(path: Path) -> dict[str, list[list[Any]]]:
    if not path.exists():
        raise SourceFormatError(path, "file not found (is the bundled snapshot or landing file there?)")
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object)
    except Exception as exc:  # calamine raises its own types for a damaged or foreign file
        raise SourceFormatError(path, f"not a readable workbook ({type(exc).__name__}: {exc})") from None
    return {
        name: [[None if pd.isna(cell) else cell for cell in row] for row in frame.itertuples(index=False)]
        for name, frame in sheets.items()
    }


def parse_jts_workbook(
    path: Path,
    expected_columns: Sequence[str] = (),
    *,
    sheets: Mapping[str, int] | Sequence[tuple[str, int]],
    destination: str,
    prefix: str,
    corrected_codes: Mapping[str, str] | Sequence[tuple[str, str]] = (),
) -> tuple[pd.DataFrame, ParseReport]:
    """A JTS table's year sheets: mean minimum travel time (minutes) to the nearest ``destination``
    by each mode, by local authority. ``prefix`` is the table's field prefix (``Town`` in JTS0408)."""
    path = Path(path)
    sheets = dict(sheets)
    workbook = _read_calamine(path)
    missing = [name for name in sheets if name not in workbook]
    if missing:
        raise SourceFormatError(path, f"no sheet(s) {missing}; sheets are {list(workbook)}")
    rows: list[dict[str, object]] = []
    report = ParseReport()
    corrections = dict(corrected_codes)
    for sheet, year in sheets.items():
        rows += _jts_sheet(
            Grid(path, sheet, workbook[sheet]), int(year), destination, prefix, corrections, report
        )
    report.rows_read = len(rows)
    report.suppressed = sum(1 for row in rows if row["value"] is None)
    return pd.DataFrame.from_records(rows, columns=list(PARSED_COLUMNS)), report


def _jts_sheet(
    grid: Grid, year: int, destination: str, prefix: str, corrections: dict[str, str], report: ParseReport
) -> list[dict[str, object]]:
    header = find_header(grid, JTS_KEYS[0])
    code_column = find_column(grid, header, JTS_KEYS[0])
    name_column = find_column(grid, header, JTS_KEYS[1])
    time_columns = {
        indicator: find_column(grid, header, f"{prefix}{suffix}")
        for suffix, indicator in JTS_TIME_FIELDS.items()
    }
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for index in range(header + 1, len(grid.rows)):
        code = grid.cell(index, code_column)
        if code is None or str(code).strip() == "":
            if any(cell not in (None, "") for cell in grid.rows[index]):
                raise grid.fail("a row with figures but no LA_Code", row=index, column=code_column)
            continue
        code = str(code).strip()
        if not _CODE.match(code):
            raise grid.fail(f"{code!r} is not an English authority's GSS code", row=index, column=code_column)
        name = clean_label(grid.cell(index, name_column))
        note = f"sheet {grid.sheet}; codes as of {year}; 120 = not reachable within 120 minutes"
        if name in corrections and corrections[name] != code:
            correction = f"{name}: published as {code}, read as {corrections[name]}"
            report.corrected_codes[correction] = report.corrected_codes.get(correction, 0) + len(
                JTS_TIME_FIELDS
            )
            note += f"; published under {code}, corrected to {corrections[name]} (catalogue rule)"
            code = corrections[name]
        if code in seen:
            raise grid.fail(f"{code} repeats row {seen[code] + 1}", row=index, column=code_column)
        seen[code] = index
        for indicator, column in time_columns.items():
            value, status = number(grid, index, column)
            rows.append(
                metric_row(
                    line=index + 1,
                    area_code=code,
                    area_name=name,
                    geography="Local authority",
                    indicator=f"{indicator} to the nearest {destination}",
                    unit="Minutes",
                    period=f"{year}-01-01/P1Y",
                    value=value,
                    status=status,
                    notes=note,
                )
            )
    if not rows:
        raise grid.fail("no authority rows under the header", row=header)
    return rows
