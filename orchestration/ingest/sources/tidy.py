"""What every parser shares: the tidy columns a metric parser returns, its report, and the strict
way a CSV is read (UTF-8, header checked by name, every row as wide as the header, numbers or a
clear error). One place, so every publisher's file is refused the same way with the same messages.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.periods import parse_period

#: A number as publishers write it once thousands commas are dropped (the DuckDB ELS reader checks
#: cells against the same pattern in SQL).
NUMBER_PATTERN = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER = re.compile(rf"^{NUMBER_PATTERN}$")

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
    "+": "x",  # ONS PFA tables: a rate withheld because the population is too small
}

#: Output columns of every parser of metric rows, in order.
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

#: Each parsed column's DuckDB type in a raw table (a column a parser leaves empty keeps its type).
PARSED_TYPES: dict[str, str] = {
    **dict.fromkeys(PARSED_COLUMNS, "varchar"),
    **dict.fromkeys(("source_line", "year"), "bigint"),
    **dict.fromkeys(("period_start", "period_end"), "date"),
    **dict.fromkeys(("value", "lci_95", "uci_95", "numerator", "denominator"), "double"),
}


@dataclass
class ParseReport:
    """What a parse saw besides the rows: for asset metadata and the run log."""

    rows_read: int = 0
    duplicates_dropped: int = 0
    extra_columns: list[str] = field(default_factory=list)
    suppressed: int = 0
    #: Rows a catalogue rule set aside (e.g. areas published without a code), each rule with its count
    #: and what it set aside: shown in the asset's metadata and logged, never dropped silently.
    set_aside: dict[str, int] = field(default_factory=dict)
    #: Status cells holding a publisher's note instead of a GSS code, moved to the row's note.
    status_notes: int = 0
    #: Area codes a catalogue rule corrected (a publisher's known slip), each with its row count.
    corrected_codes: dict[str, int] = field(default_factory=dict)


def metric_row(
    *,
    line: int,
    area_code: str,
    area_name: str,
    geography: str,
    indicator: str,
    unit: str,
    period: str,
    value: float | None,
    measure: str | None = None,
    lci_95: float | None = None,
    uci_95: float | None = None,
    status: str | None = None,
    notes: str | None = None,
    numerator: float | None = None,
    denominator: float | None = None,
    period_raw: str | None = None,
) -> dict[str, object]:
    """One tidy metric row (:data:`PARSED_COLUMNS`) for the parsers that build rows field by field:
    ``period`` is ISO-8601 (its label, dates and reference year follow :func:`parse_period`);
    ``period_raw`` is the publisher's own wording where it differs (kept in the ``period`` column)."""
    parsed = parse_period(period)
    return {
        "source_line": line,
        "area_code": area_code,
        "area_name": area_name,
        "geography": geography,
        "indicator": indicator,
        "measure": unit if measure is None else measure,
        "unit": unit,
        "period": period if period_raw is None else period_raw,
        "period_label": parsed.label,
        "period_start": parsed.start,
        "period_end": parsed.end,
        "year": parsed.year,
        "value": value,
        "lci_95": lci_95,
        "uci_95": uci_95,
        "status": status,
        "notes": notes,
        "numerator": numerator,
        "denominator": denominator,
    }


def sql_literal(value: str) -> str:
    """A string as a SQL literal (quotes doubled), for the few statements built from catalogue text."""
    return "'" + value.replace("'", "''") + "'"


def read_text(path: Path) -> str:
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


def check_header(
    path: Path, header: Sequence[str], expected: Iterable[str], *, allow_repeats: bool = False
) -> list[str]:
    """Return the extra columns; raise if an expected column is missing or the delimiter is off, or a
    column is repeated (unless ``allow_repeats``: the caller then checks the repeats are empty)."""
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
    if duplicated and not allow_repeats:
        raise SourceFormatError(path, f"header repeats column(s) {duplicated}", column=duplicated[0], line=1)
    return extra


def _repeats(header: Sequence[str]) -> list[int]:
    """Positions of columns that repeat an earlier header name."""
    return [index for index, column in enumerate(header) if column in header[:index]]


def _check_repeat_is_empty(
    path: Path, header: Sequence[str], repeats: list[int], cells: list[str], line: int
) -> None:
    for index in repeats:
        if cells[index].strip():
            raise SourceFormatError(
                path,
                f"header repeats column {header[index]!r} and this row has a value under the repeat "
                f"({cells[index]!r}): cannot tell which is meant",
                column=header[index],
                line=line,
            )


def parse_number(path: Path, text: str, column: str, line: int) -> float | None:
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


def read_csv_records(
    path: Path, expected_columns: Sequence[str]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Read a UTF-8 CSV strictly: header checked against ``expected_columns``, every row as wide as
    the header, blank lines skipped. Returns (extra columns, [(file line, record)]). Shared by every
    CSV-based parser so that they all refuse bad files the same way, with the same messages.

    A column repeated in the header (ELS's FSM absence file lists ``notes`` twice) is read once: its
    repeat must be empty on every row, else the file is refused naming the column and the line. The
    repeat is reported as an ignored extra column (``notes (repeated, empty)``)."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    records: list[tuple[int, dict[str, str]]] = []
    try:
        header = [column.strip() for column in next(reader)]
        extra = check_header(path, header, expected_columns, allow_repeats=True)
        repeats = _repeats(header)
        extra += [f"{header[index]} (repeated, empty)" for index in repeats]
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
            _check_repeat_is_empty(path, header, repeats, cells, line)
            records.append(
                (line, {column: cells[index] for index, column in enumerate(header) if index not in repeats})
            )
    except csv.Error as exc:
        raise SourceFormatError(
            path, f"malformed CSV ({exc}); truncated file?", line=reader.line_num
        ) from None
    if not records:
        raise SourceFormatError(path, "file has a header but no data rows", line=1)
    return extra, records
