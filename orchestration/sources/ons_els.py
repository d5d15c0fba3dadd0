"""Parser for ONS Explore Local Statistics (ELS) tidy CSVs.

One file holds one dataset: a row per area, indicator and period with columns ``areacd, areanm,
geography, indicator, period, observation, measure, unit, lci_95, uci_95, status, notes``. What the
real files do, and this parser handles: a UTF-8 byte-order mark on some files, columns in differing
order, periods as ISO-8601 dates or intervals, GSS status codes (x, c, u, z) beside an empty
observation, empty confidence limits, ITL codes (``TLC``) beside GSS codes, names with quoted commas,
and the same row listed twice under two geography labels.

What it refuses, with a :class:`SourceFormatError` naming file, column and line: a missing or empty
file, another delimiter, an encoding other than UTF-8, a missing (or renamed) column, a row of the
wrong width (a truncated file), a non-numeric observation that is not a publisher's suppression
marker, an unknown status code, a malformed area code, a period in another format, and two rows
with the same key but different figures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from orchestration.sources.errors import SourceFormatError
from orchestration.sources.periods import PeriodFormatError, parse_period
from orchestration.sources.tidy import (
    PARSED_COLUMNS,
    SUPPRESSION_MARKERS,
    ParseReport,
    parse_number,
    read_csv_records,
)

#: Columns every ELS file has (in any order).
ELS_COLUMNS: tuple[str, ...] = (
    "areacd",
    "areanm",
    "geography",
    "indicator",
    "period",
    "observation",
    "measure",
    "unit",
    "lci_95",
    "uci_95",
    "status",
    "notes",
)

#: GSS status codes (Government Statistical Service symbols), written bare or in brackets.
STATUS_CODES = {"x", "c", "u", "z", "low"}


_AREA_CODE = re.compile(r"^(?:[EKLMNSW]\d{8}|TL[B-N](?:[0-9A-Z]{1,2})?)$")


def _status(path: Path, text: str, line: int) -> str | None:
    code = text.strip().lower().strip("[]")
    if code == "":
        return None
    if code not in STATUS_CODES:
        raise SourceFormatError(
            path,
            f"unknown status code {text!r}; expected one of the GSS codes {sorted(STATUS_CODES)}",
            column="status",
            line=line,
        )
    return code


def _observation(path: Path, text: str, line: int) -> tuple[float | None, str | None]:
    """(value, status implied by a suppression marker)."""
    marker = text.strip().lower()
    if marker in SUPPRESSION_MARKERS:
        return None, SUPPRESSION_MARKERS[marker]
    return parse_number(path, text, "observation", line), None


def _confidence_limit(path: Path, text: str, column: str, line: int) -> float | None:
    if text.strip().lower() in SUPPRESSION_MARKERS:
        return None
    return parse_number(path, text, column, line)


def _parse_row(path: Path, cells: dict[str, str], line: int) -> dict[str, object]:
    area_code = cells["areacd"].strip()
    if not _AREA_CODE.match(area_code):
        raise SourceFormatError(
            path,
            f"{area_code!r} is not a GSS code (e.g. E06000001) or an ITL code (e.g. TLC)",
            column="areacd",
            line=line,
        )
    try:
        period = parse_period(cells["period"])
    except PeriodFormatError as exc:
        raise SourceFormatError(path, str(exc), column="period", line=line) from None
    value, marker_status = _observation(path, cells["observation"], line)
    status = _status(path, cells["status"], line) or marker_status
    if value is None and status is None:
        status = "x"  # an empty observation with no reason given: not available
    return {
        "source_line": line,
        "area_code": area_code,
        "area_name": cells["areanm"].strip(),
        "geography": cells["geography"].strip(),
        "indicator": cells["indicator"].strip(),
        "measure": cells["measure"].strip(),
        "unit": cells["unit"].strip(),
        "period": cells["period"].strip(),
        "period_label": period.label,
        "period_start": period.start,
        "period_end": period.end,
        "year": period.year,
        "value": value,
        "lci_95": _confidence_limit(path, cells["lci_95"], "lci_95", line),
        "uci_95": _confidence_limit(path, cells["uci_95"], "uci_95", line),
        "status": status,
        "notes": cells["notes"].strip() or None,
        "numerator": None,
        "denominator": None,
    }


_KEY = ("area_code", "indicator", "period")
_FIGURES = ("value", "lci_95", "uci_95", "status")


def _drop_duplicates(
    path: Path, rows: list[dict[str, object]], report: ParseReport
) -> list[dict[str, object]]:
    """Drop rows repeated under another geography label; refuse repeats with different figures."""
    seen: dict[tuple[object, ...], dict[str, object]] = {}
    kept: list[dict[str, object]] = []
    for row in rows:
        key = tuple(row[column] for column in _KEY)
        first = seen.get(key)
        if first is None:
            seen[key] = row
            kept.append(row)
            continue
        if all(first[column] == row[column] for column in _FIGURES):
            report.duplicates_dropped += 1
            continue
        raise SourceFormatError(
            path,
            f"duplicate key (areacd={key[0]}, indicator={key[1]!r}, period={key[2]}) with different "
            f"figures: line {first['source_line']} has {first['value']!r}, this line {row['value']!r}",
            column="observation",
            line=int(row["source_line"]),  # type: ignore[arg-type]
        )
    return kept


def parse_els_csv(
    path: Path, expected_columns: Sequence[str] = ELS_COLUMNS
) -> tuple[pd.DataFrame, ParseReport]:
    """Parse one ELS CSV into tidy typed rows (columns :data:`PARSED_COLUMNS`) and a report."""
    path = Path(path)
    extra, records = read_csv_records(path, expected_columns)
    report = ParseReport(extra_columns=extra)
    rows = [_parse_row(path, record, line) for line, record in records]
    report.rows_read = len(rows)
    rows = _drop_duplicates(path, rows, report)
    report.suppressed = sum(1 for row in rows if row["value"] is None)
    frame = pd.DataFrame.from_records(rows, columns=list(PARSED_COLUMNS))
    return frame, report
