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

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from orchestration.sources.errors import SourceFormatError
from orchestration.sources.periods import PeriodFormatError, parse_period

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

#: Suppression markers publishers put in place of a number, and the GSS status each means.
SUPPRESSION_MARKERS: dict[str, str] = {
    "[x]": "x",
    "..": "x",
    ":": "x",
    "-": "x",
    "[z]": "z",
    "c": "c",
    "[c]": "c",
    "*": "c",
    "[u]": "u",
    "[low]": "low",
}

_AREA_CODE = re.compile(r"^(?:[EKLMNSW]\d{8}|TL[B-N](?:[0-9A-Z]{1,2})?)$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")

#: Output columns of :func:`parse_els_csv`, in order.
PARSED_COLUMNS: tuple[str, ...] = (
    "source_line",
    "area_code",
    "area_name",
    "geography",
    "indicator",
    "measure",
    "unit",
    "period",
    "period_label",
    "period_start",
    "period_end",
    "year",
    "value",
    "lci_95",
    "uci_95",
    "status",
    "notes",
    "numerator",
    "denominator",
)


@dataclass
class ParseReport:
    """What a parse saw besides the rows: for asset metadata and the run log."""

    rows_read: int = 0
    duplicates_dropped: int = 0
    extra_columns: list[str] = field(default_factory=list)
    suppressed: int = 0


def _read_text(path: Path) -> str:
    if not path.exists():
        raise SourceFormatError(path, "file not found (is the bundled snapshot or landing file there?)")
    data = path.read_bytes()
    if not data.strip():
        raise SourceFormatError(path, "file is empty: expected a CSV header and data rows")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceFormatError(
            path,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); the publisher "
            "writes UTF-8, so this file was re-encoded (latin-1/Windows-1252?) or damaged",
            line=line,
        ) from None


def _check_header(path: Path, header: Sequence[str], expected: Iterable[str]) -> list[str]:
    """Return the extra columns; raise if an expected column is missing or the delimiter is off."""
    expected = list(expected)
    if len(header) == 1 and len(expected) > 1:
        for delimiter in (";", "\t", "|"):
            if delimiter in header[0]:
                raise SourceFormatError(
                    path,
                    f"header is delimited by {delimiter!r}, expected ',' (comma-separated values)",
                    line=1,
                )
    missing = [column for column in expected if column not in header]
    extra = [column for column in header if column not in expected]
    if missing:
        hint = f"; unexpected column(s) {extra} may be renamed" if extra else ""
        raise SourceFormatError(
            path,
            f"header lacks expected column(s) {missing}{hint}; header is {list(header)}",
            column=missing[0],
            line=1,
        )
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise SourceFormatError(path, f"header repeats column(s) {duplicated}", column=duplicated[0], line=1)
    return extra


def _number(path: Path, text: str, column: str, line: int) -> float | None:
    """A numeric cell: a float, or None for an empty cell; raise on anything else."""
    cleaned = text.strip().replace(",", "")
    if cleaned == "":
        return None
    if not _NUMBER.match(cleaned):
        raise SourceFormatError(path, f"expected a number, found {text!r}", column=column, line=line)
    value = float(cleaned)
    if not math.isfinite(value):  # pragma: no cover - the pattern admits no inf/nan
        raise SourceFormatError(path, f"expected a finite number, found {text!r}", column=column, line=line)
    return value


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
    return _number(path, text, "observation", line), None


def _confidence_limit(path: Path, text: str, column: str, line: int) -> float | None:
    if text.strip().lower() in SUPPRESSION_MARKERS:
        return None
    return _number(path, text, column, line)


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


def read_csv_records(
    path: Path, expected_columns: Sequence[str]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Read a UTF-8 CSV strictly: header checked against ``expected_columns``, every row as wide as
    the header, blank lines skipped. Returns (extra columns, [(file line, record)]). Shared by every
    CSV-based parser so that they all refuse bad files the same way, with the same messages."""
    reader = csv.reader(io.StringIO(_read_text(path), newline=""), strict=True)
    records: list[tuple[int, dict[str, str]]] = []
    try:
        header = [column.strip() for column in next(reader)]
        extra = _check_header(path, header, expected_columns)
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise SourceFormatError(
                    path,
                    f"row has {len(cells)} fields, header has {len(header)} (truncated or malformed file?)",
                    line=line,
                )
            records.append((line, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        raise SourceFormatError(
            path, f"malformed CSV ({exc}); truncated file?", line=reader.line_num
        ) from None
    if not records:
        raise SourceFormatError(path, "file has a header but no data rows", line=1)
    return extra, records


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
