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

from orchestration.sources.errors import SourceFormatError

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


def check_header(path: Path, header: Sequence[str], expected: Iterable[str]) -> list[str]:
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
    CSV-based parser so that they all refuse bad files the same way, with the same messages."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    records: list[tuple[int, dict[str, str]]] = []
    try:
        header = [column.strip() for column in next(reader)]
        extra = check_header(path, header, expected_columns)
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
