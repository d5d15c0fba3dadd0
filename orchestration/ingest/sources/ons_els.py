"""Parser for ONS Explore Local Statistics (ELS) tidy CSVs.

One file holds one dataset: a row per area, indicator and period with columns ``areacd, areanm,
geography, indicator, period, observation, measure, unit, lci_95, uci_95, status, notes``. What the
real files do, and this parser handles: a UTF-8 byte-order mark on some files, columns in differing
order, periods as ISO-8601 dates or intervals, GSS status codes (x, c, u, z) beside an empty
observation, empty confidence limits, ITL codes (``TLC``) beside GSS codes, names with quoted commas,
and the same row listed twice under two geography labels. Two oddities need a rule the catalogue entry
states (``format_options``), so that each is a choice on record, not a silent skip:

* ``areas_without_code``: the placeholder a publisher writes for an area that has no GSS code (FDI's
  Scottish city regions are ``na``). Those rows are set aside, counted by area name in the report
  (``set_aside``), and logged by ingest; without the option such a code is refused as malformed.
* ``status_notes``: a regular expression for text a publisher writes in the status column that is a
  note, not a status (``Value for Hackney and City of London combined``). A matching cell becomes the
  row's note (``notes``) and leaves the status empty; any other unknown status is still refused.

What it refuses, with a :class:`SourceFormatError` naming file, column and line: a missing or empty
file, another delimiter, an encoding other than UTF-8, a missing (or renamed) column, a row of the
wrong width (a truncated file), a non-numeric observation that is not a publisher's suppression
marker, an unknown status code, a malformed area code, a period in another format, and two rows
with the same key but different figures.

Two readers, one set of rules. :func:`stage_els_csv` has DuckDB read the file straight into a table
on the build connection and checks every rule above in SQL (no Python per row, no pandas: what lets
ingest keep up with LSOA-sized files). When it finds anything it does not accept, or the file holds
something its line numbering cannot follow (blank lines, line breaks inside quotes, whitespace other
than spaces at a cell's edge), it steps aside and :func:`parse_els_csv`, the row-by-row reader, reads
the file: it names the first bad line, or returns the same rows. Periods are parsed in Python either
way (:func:`orchestration.ingest.sources.periods.parse_period`), once per distinct period.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.periods import Period, PeriodFormatError, parse_period
from orchestration.ingest.sources.tidy import (
    NUMBER_PATTERN,
    PARSED_COLUMNS,
    PARSED_TYPES,
    SUPPRESSION_MARKERS,
    ParseReport,
    check_header,
    parse_number,
    read_csv_records,
    sql_literal,
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


_AREA_CODE_PATTERN = r"(?:[EKLMNSW]\d{8}|TL[B-N](?:[0-9A-Z]{1,2})?)"
_AREA_CODE = re.compile(rf"^{_AREA_CODE_PATTERN}$")


@dataclass(frozen=True)
class Rules:
    """The catalogue entry's rules for a file's oddities (see the module docstring)."""

    areas_without_code: str | None = None
    status_notes: str | None = None

    def is_status_note(self, text: str) -> bool:
        return self.status_notes is not None and re.fullmatch(self.status_notes, text.strip()) is not None


def _status(path: Path, text: str, line: int, rules: Rules = Rules()) -> str | None:
    code = text.strip().lower().strip("[]")
    if code == "" or rules.is_status_note(text):
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


def _parse_row(path: Path, cells: dict[str, str], line: int, rules: Rules = Rules()) -> dict[str, object]:
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
    status = _status(path, cells["status"], line, rules) or marker_status
    if value is None and status is None:
        status = "x"  # an empty observation with no reason given: not available
    notes = [cells["notes"].strip()] + (
        [cells["status"].strip()] if rules.is_status_note(cells["status"]) else []
    )
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
        "notes": "; ".join(note for note in notes if note) or None,
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


def _set_aside_key(rules: Rules, area_name: str) -> str:
    return f"area code {rules.areas_without_code!r} (no GSS code): {area_name}"


def parse_els_csv(
    path: Path,
    expected_columns: Sequence[str] = ELS_COLUMNS,
    *,
    areas_without_code: str | None = None,
    status_notes: str | None = None,
) -> tuple[pd.DataFrame, ParseReport]:
    """Parse one ELS CSV into tidy typed rows (columns :data:`PARSED_COLUMNS`) and a report, applying
    the catalogue entry's rules for oddities (module docstring)."""
    path = Path(path)
    rules = Rules(areas_without_code, status_notes)
    extra, records = read_csv_records(path, expected_columns)
    report = ParseReport(extra_columns=extra)
    rows = []
    for line, record in records:
        if rules.areas_without_code is not None and record["areacd"].strip() == rules.areas_without_code:
            key = _set_aside_key(rules, record["areanm"].strip())
            report.set_aside[key] = report.set_aside.get(key, 0) + 1
            continue
        rows.append(_parse_row(path, record, line, rules))
        report.status_notes += rules.is_status_note(record["status"])
    report.rows_read = len(rows) + sum(report.set_aside.values())
    rows = _drop_duplicates(path, rows, report)
    report.suppressed = sum(1 for row in rows if row["value"] is None)
    frame = pd.DataFrame.from_records(rows, columns=list(PARSED_COLUMNS))
    return frame, report


# --- the DuckDB reader -------------------------------------------------------------------------

#: Whitespace that Python's str.strip() removes but DuckDB's trim() keeps (tabs, form feeds and
#: other control spaces, no-break and other Unicode spaces), as UTF-8 bytes: a file holding any of
#: them anywhere is left to the Python reader, so that both readers always strip cells alike. Each is
#: looked for with ``bytes.find`` (a memchr scan), far faster than one regular expression.
_ODD_SPACES: tuple[bytes, ...] = (
    b"\t",
    b"\x0b",
    b"\x0c",
    b"\x1c",
    b"\x1d",
    b"\x1e",
    b"\x1f",
    b"\xc2\x85",
    b"\xc2\xa0",
    b"\xe1\x9a\x80",
    b"\xe2\x80",  # U+2000..U+202F: spaces among punctuation; any of them sends the file to Python
    b"\xe2\x81\x9f",
    b"\xe3\x80\x80",
)
#: Files smaller than this are read row by row in Python: below a few MB that is faster than DuckDB's
#: fixed cost of several queries per file (every bundled file is smaller; a 10x file is not).
DUCKDB_READER_MIN_BYTES = 4 << 20


def _sql_list(values: Sequence[str]) -> str:
    return ", ".join(sql_literal(value) for value in values)


def _marker_status_sql(cell: str) -> str:
    """The status a suppression marker in ``cell`` stands for (NULL when it is no marker)."""
    cases = " ".join(
        f"when {sql_literal(marker)} then {sql_literal(code)}" for marker, code in SUPPRESSION_MARKERS.items()
    )
    return f"(case lower(trim({cell})) {cases} end)"


def _cleaned_sql(cell: str) -> str:
    """A numeric cell as :func:`parse_number` cleans it: trimmed, thousands commas dropped."""
    return f"replace(trim({cell}), ',', '')"


def _number_sql(cell: str) -> str:
    """A numeric cell as :func:`parse_number` reads it: empty -> NULL, else a double; NULL too for a
    suppression marker (its status is taken from the observation's marker)."""
    return (
        f"case when {_marker_status_sql(cell)} is not null or {_cleaned_sql(cell)} = '' then null "
        f"else try_cast({_cleaned_sql(cell)} as double) end"
    )


def _number_ok_sql(cell: str) -> str:
    """True for a cell :func:`parse_number` accepts (or a suppression marker)."""
    return (
        f"({_marker_status_sql(cell)} is not null or {_cleaned_sql(cell)} = '' "
        f"or regexp_full_match({_cleaned_sql(cell)}, '{NUMBER_PATTERN}'))"
    )


def _lines_are_plain(data: bytes) -> bool:
    """No odd whitespace and no carriage return but before a newline: then trim() strips a cell as
    strip() does. (A blank line or a line break inside quotes shows later, as a row count that is not
    the file's line count.)"""
    for odd in _ODD_SPACES:  # a multi-byte sequence is looked for only when its lead byte is there
        if data.find(odd[:1]) >= 0 and data.find(odd) >= 0:
            return False
    return data.count(b"\r") == data.count(b"\r\n")


def _file_shape(path: Path, expected_columns: Sequence[str]) -> tuple[list[str], list[str], int] | None:
    """(header, extra columns, data lines) when DuckDB can read the file line for line; None when the
    Python reader must (it raises the file-level errors: missing, empty, not UTF-8...). A header
    lacking a column raises here, as the Python reader raises it."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    first_end = data.find(b"\n")
    if first_end < 0 or not _lines_are_plain(data):
        return None
    try:
        first = data[:first_end].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    header = [column.strip() for column in next(csv.reader([first]))]
    if len(set(header)) < len(header):
        return None  # a repeated column: the Python reader checks its repeat is empty
    extra = check_header(path, header, expected_columns)
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return header, extra, lines - 1


def stage_els_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    relation: str,
    expected_columns: Sequence[str] = ELS_COLUMNS,
    *,
    min_bytes: int | None = None,
    areas_without_code: str | None = None,
    status_notes: str | None = None,
) -> ParseReport | None:
    """Read one ELS CSV with DuckDB into the temporary table ``relation`` on ``con`` (the rows
    :func:`parse_els_csv` returns, typed as :data:`PARSED_TYPES`) and return its report; or return
    None, leaving nothing behind, when the Python reader must read the file instead (it is smaller
    than ``min_bytes``, default :data:`DUCKDB_READER_MIN_BYTES`, or holds something only that reader
    can place or name). The catalogue's rules for oddities apply as in :func:`parse_els_csv`."""
    path = Path(path)
    rules = Rules(areas_without_code, status_notes)
    if not path.is_file() or path.stat().st_size < (
        DUCKDB_READER_MIN_BYTES if min_bytes is None else min_bytes
    ):
        return None
    shape = _file_shape(path, expected_columns)
    if shape is None:
        return None
    header, extra, data_lines = shape
    cells = f"_els_cells_{uuid.uuid4().hex[:12]}"
    report = None
    try:
        report = _stage(con, path, relation, cells, header, extra, data_lines, rules)
        return report
    finally:
        con.execute(f"drop table if exists temp.{cells}")
        if report is None:
            con.execute(f"drop table if exists temp.{relation}")


def _stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    relation: str,
    cells: str,
    header: list[str],
    extra: list[str],
    data_lines: int,
    rules: Rules,
) -> ParseReport | None:
    columns = "{" + ", ".join(f"{sql_literal(name)}: 'VARCHAR'" for name in header) + "}"
    # an empty cell is '' to the Python reader, NULL to DuckDB's: read it as ''
    values = ", ".join(f'coalesce("{name}", \'\') as "{name}"' for name in ELS_COLUMNS)
    try:
        con.execute(
            f"""create temp table {cells} as
                select ordinality + 1 as source_line, {values}
                from read_csv(?, header = true, auto_detect = false, columns = {columns}, delim = ',',
                              quote = '"', escape = '"', strict_mode = true, null_padding = false,
                              all_varchar = true) with ordinality""",
            [str(path)],
        )
    except duckdb.Error:
        return None  # a row of the wrong width, a stray quote, bad UTF-8: the Python reader says where
    set_aside: dict[str, int] = {}
    if rules.areas_without_code is not None:
        marker = sql_literal(rules.areas_without_code)
        set_aside = {
            _set_aside_key(rules, name): count
            for name, count in con.execute(
                f"select trim(areanm), count(*) from {cells} where trim(areacd) = {marker} "
                "group by 1 order by 1"
            ).fetchall()
        }
        con.execute(f"delete from {cells} where trim(areacd) = {marker}")
    periods = _periods(
        [raw for (raw,) in con.execute(f"select distinct period from {cells} order by 1").fetchall()]
    )
    if not periods:
        return None  # a period that does not parse, or no rows: the Python reader says which
    # one pass types every row and checks it (the checks need only the raw cells)
    con.execute(
        f"create or replace temp table {relation} as "
        f"{_typed_rows_sql(cells, periods, rules, extra=f'{_row_valid_sql(rules)} as _valid')}"
    )
    ((count, valid, repeated_keys, suppressed),) = con.execute(
        f"""select count(*), coalesce(bool_and(_valid), true),
                   count(*) - count(distinct (area_code, indicator, period)),
                   count(*) filter (where value is null)
            from temp.{relation}"""
    ).fetchall()
    if count + sum(set_aside.values()) != data_lines or not valid:
        return None  # a line break inside quotes (row n is no longer line n + 1), or a bad cell
    con.execute(f"alter table temp.{relation} drop column _valid")
    if repeated_keys:
        if not _repeats_agree(con, relation):
            return None
        con.execute(
            f"""create or replace temp table {relation} as
                select * from temp.{relation}
                qualify row_number() over (partition by area_code, indicator, period order by source_line) = 1
                order by source_line"""
        )
        ((suppressed,),) = con.execute(
            f"select count(*) filter (where value is null) from temp.{relation}"
        ).fetchall()
    status_notes = 0
    if rules.status_notes is not None:
        ((status_notes,),) = con.execute(
            f"select count(*) from {cells} where {_status_note_sql('status', rules)}"
        ).fetchall()
    return ParseReport(
        extra_columns=extra,
        rows_read=count + sum(set_aside.values()),
        duplicates_dropped=repeated_keys,
        suppressed=suppressed,
        set_aside=set_aside,
        status_notes=status_notes,
    )


def _status_note_sql(cell: str, rules: Rules) -> str:
    """True for a status cell the catalogue's ``status_notes`` pattern reads as a note."""
    if rules.status_notes is None:
        return "false"
    return f"regexp_full_match(trim({cell}), {sql_literal(rules.status_notes)})"


def _status_code_sql(cell: str, rules: Rules) -> str:
    """A status cell as a code: lower-cased, brackets stripped, '' for empty or a note."""
    return f"(case when {_status_note_sql(cell, rules)} then '' else trim(lower(trim({cell})), '[]') end)"


def _row_valid_sql(rules: Rules) -> str:
    """True for a row that passes the Python reader's per-row rules (area code, numbers, status)."""
    return f"""(regexp_full_match(trim(areacd), '{_AREA_CODE_PATTERN}')
                and {_number_ok_sql("observation")}
                and {_number_ok_sql("lci_95")}
                and {_number_ok_sql("uci_95")}
                and {_status_code_sql("status", rules)} in ('', {_sql_list(sorted(STATUS_CODES))}))"""


def _periods(raw_periods: Sequence[str]) -> dict[str, Period] | None:
    """Each distinct period parsed once; None when one does not parse (the Python reader says where)."""
    try:
        return {raw: parse_period(raw) for raw in raw_periods}
    except PeriodFormatError:
        return None


def _period_sql(periods: dict[str, Period], attribute: str, kind: str) -> str:
    cases = " ".join(
        f"when {sql_literal(raw)} then {sql_literal(str(getattr(period, attribute)))}"
        for raw, period in periods.items()
    )
    return f"cast(case c.period {cases} end as {kind})"


def _typed_rows_sql(cells: str, periods: dict[str, Period], rules: Rules, *, extra: str = "") -> str:
    """The select giving the Python reader's columns (:data:`PARSED_COLUMNS`) from the raw cells: a
    projection, so rows keep the file's order."""
    status = (
        f"coalesce(nullif({_status_code_sql('c.status', rules)}, ''), {_marker_status_sql('c.observation')}, "
        f"case when {_number_sql('c.observation')} is null then 'x' end)"
    )
    expressions = {
        "source_line": "c.source_line",
        "area_code": "trim(c.areacd)",
        "area_name": "trim(c.areanm)",
        "geography": "trim(c.geography)",
        "indicator": "trim(c.indicator)",
        "measure": "trim(c.measure)",
        "unit": "trim(c.unit)",
        "period": "trim(c.period)",
        "period_label": _period_sql(periods, "label", "varchar"),
        "period_start": _period_sql(periods, "start", "date"),
        "period_end": _period_sql(periods, "end", "date"),
        "year": _period_sql(periods, "year", "bigint"),
        "value": _number_sql("c.observation"),
        "lci_95": _number_sql("c.lci_95"),
        "uci_95": _number_sql("c.uci_95"),
        "status": status,
        "notes": (
            f"nullif(concat_ws('; ', nullif(trim(c.notes), ''), "
            f"case when {_status_note_sql('c.status', rules)} then trim(c.status) end), '')"
        ),
        "numerator": "null",
        "denominator": "null",
    }
    select = ", ".join(
        f"cast({expressions[column]} as {PARSED_TYPES[column]}) as {column}" for column in PARSED_COLUMNS
    )
    return f"select {select}{', ' + extra if extra else ''} from {cells} as c"


def _repeats_agree(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    """Rows repeating a key (area, indicator, period) repeat its figures too."""
    ((conflicts,),) = con.execute(
        f"""select count(*) from (
                select 1 from temp.{relation}
                group by area_code, indicator, period
                having count(distinct (value, lci_95, uci_95, status)) > 1)"""
    ).fetchall()
    return conflicts == 0
