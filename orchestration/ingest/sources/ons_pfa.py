"""Parser for ONS "Police force area data tables" (Crime in England and Wales), as published: XLSX
workbooks of human tables, or one such table saved as CSV.

One parser, because it is one publisher format whichever container holds it. A table has title rows,
a header row (sometimes with group headings in the row above, as merged cells), a units row, data
rows by area, then "Source:" and footnotes. What the real files do, and this parser handles:

* sheet names with trailing spaces (``'Table P1 '``); the header row moves between editions, so it is
  found by its labels (``Area Code``), never by a fixed offset;
* footnote markers glued to names and labels, stripped by one rule (:func:`clean_label`):
  ``Cheshire7``, ``ENGLAND AND WALES7,8,9``, ``London 10``, ``Residential burglary6,7``,
  ``(excluding fraud3)``, ``Humberside [note 4]``, ``Walk [notes 3, 4]``; labels broken over lines
  or padded with spaces;
* ``:`` ``-`` ``..`` ``+`` ``[x]`` in place of a number become NULL plus a GSS status code;
  numbers written as text with thousands separators and trailing spaces (``"170,002 "``);
* a table with area names but no codes (P7, March 2019): names are mapped to codes through the same
  workbook's Table P1, and a name that does not map fails the asset;
* British Transport Police (no area) and blank spacer rows are left out by name, nothing else is.

What it refuses, with a :class:`SourceFormatError` naming the file, sheet, row and column: a missing
sheet, no header row with the expected labels, a missing or ambiguous column, text in a number cell,
a row with a name but no valid area code, an edition other than the catalogue's, and no data rows.

Measures (catalogue ``format_options.measures``). The crime rates are computed in dbt
(``int_crime_rates_computed``), not here: for them the parser loads the published inputs, each an
indicator with no metric of its own (:data:`INPUT_INDICATORS`).

* ``neighbourhood_crime``: Table P1's four counts (residential burglary, vehicle offences, theft from
  the person, robbery) by force, region and nation, and Table P3's population (the one ONS divides
  by), unless the catalogue gives a ``population_year`` (a CSV of P1 alone: dbt divides by ONS's
  mid-year estimates of that year, summed over each force's upper-tier authorities).
* ``neighbourhood_crime_by_authority``: the same four counts for each Community Safety Partnership
  row of Table C2 that names one local authority, under the code the table gives.
* ``knife_offences``: Table P4's count of knife or sharp instrument offences (total of the selected
  serious offences), with Table P3's population.
* ``knife_offence_counts``: the count of those knife offences for every year Table P5 lists, as
  the edition gives them (its revisions to earlier years included): the volumes the worst-affected
  forces are ranked by.
* ``asb_experienced``: CSEW % of adults who experienced or witnessed any anti-social behaviour (P6).
* ``asb_incidents``: police-recorded anti-social behaviour incidents per 1,000 population (P7), one
  row per year of the table.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.tidy import (
    PARSED_COLUMNS,
    SUPPRESSION_MARKERS,
    ParseReport,
    metric_row,
    parse_number,
    read_text,
)

MEASURES = (
    "neighbourhood_crime",
    "neighbourhood_crime_by_authority",
    "knife_offences",
    "knife_offence_counts",
    "asb_experienced",
    "asb_incidents",
)

_NOTE_TAG = re.compile(r"\s*\[notes?\s*\d+(?:\s*,\s*\d+)*\]", re.IGNORECASE)
_FOOTNOTE_BEFORE_PAREN = re.compile(r"(?<=[A-Za-z])\d{1,2}(?:,\s?\d{1,2})*(?=\))")
_FOOTNOTE_AT_END = re.compile(r"(?<=[^\d\s'])\s*\d{1,2}(?:\s*,\s*\d{1,2})*$")
_GSS = re.compile(r"^(?:E92|W92|K04|E12|E23|W15)\d{6}$")
_EDITION = re.compile(r"year ending (\w+)\s+(\d{4}|\d{2})", re.IGNORECASE)
_YEAR_HEADING = re.compile(r"^Apr '(\d{2}) to Mar '(\d{2})")
_HEADER_SEARCH_ROWS = 15
#: Rows that are not areas: British Transport Police, and P5's uncoded subtotals "England and Wales
#: (Excluding Greater Manchester Police)" and "England (Excluding Greater Manchester Police)".
_NOT_AREAS = {
    "british transport police",
    "england and wales (inc. btp)",
    "england and wales (excluding greater manchester police)",
    "england (excluding greater manchester police)",
}
#: The code column's label: "Area Code" in most tables, "Area Codes" in Table P5.
_CODE_LABELS = ("area code", "area codes")
_NAME_ALIASES = {"england and wales (exc. btp)": "K04000001"}
CSEW_NOTE = (
    "Crime Survey for England and Wales: ONS says police force area estimates are based on small "
    "samples and should be treated with extreme caution"
)


def clean_label(text: object) -> str:
    """A name or label without footnote markers or layout whitespace.

    The rule: ``[note n]`` tags go; whitespace (line breaks, padding) collapses to single spaces; a
    run of one- or two-digit numbers (``7``, ``7,8,9``, `` 10``) at the end of a label that ends in a
    letter or ``)`` goes, and so does one glued to a word before a closing bracket (``fraud3)``).
    Numbers that are part of a label (``Rate per 1,000 population``, ``rounded to 100``) stay, since a
    three-digit run or a run after a digit is never a footnote marker here.
    """
    if text is None:
        return ""
    label = _NOTE_TAG.sub("", str(text))
    label = " ".join(label.split())
    label = _FOOTNOTE_BEFORE_PAREN.sub("", label)
    return _FOOTNOTE_AT_END.sub("", label).strip()


def _key(text: object) -> str:
    return clean_label(text).casefold()


def _name_key(name: str) -> str:
    """An area name as a lookup key: ONS writes both ``London, City of`` and ``City of London``."""
    match = re.match(r"^(.*), city of$", name.casefold())
    return f"city of {match.group(1)}" if match else name.casefold()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class Grid:
    """One table's cells, as rows of values (row ``i`` is spreadsheet row / CSV line ``i + 1``)."""

    path: Path
    sheet: str | None  # None for a CSV save of one sheet
    rows: list[list[Any]] | list[tuple[Any, ...]]

    def fail(self, problem: str, *, row: int | None = None, column: int | None = None) -> SourceFormatError:
        label = None
        if column is not None:
            label = _column_letter(column)
        return SourceFormatError(
            self.path,
            problem,
            column=label,
            line=None if row is None else row + 1,
            sheet=self.sheet if self.sheet is not None else None,
        )

    def cell(self, row: int, column: int) -> Any:
        cells = self.rows[row]
        return cells[column] if column < len(cells) else None

    @property
    def title(self) -> str:
        return str(self.rows[0][0] or "") if self.rows and self.rows[0] else ""


def read_table(path: Path, table: str, edition: str | None = None) -> Grid:
    """Table ``table`` (e.g. ``P1``) of a workbook, or of a CSV save of that one sheet; with
    ``edition``, refused unless its title is that edition (``check_edition``)."""
    grid = _find_table(Path(path), table)
    if edition is not None:
        check_edition(grid, edition)
    return grid


def _find_table(path: Path, table: str) -> Grid:
    if path.suffix.lower() == ".csv":
        reader = csv.reader(io.StringIO(read_text(path), newline=""))
        grid = Grid(path, None, [list(row) for row in reader])
        if not _key(grid.title).startswith(f"table {table.casefold()}:"):
            raise grid.fail(
                f"expected Table {table} (title 'Table {table}: ...'), found {grid.title[:80]!r}", row=0
            )
        return grid
    sheets = _workbook_sheets(path)
    wanted = f"table {table}".casefold()
    names = [name for name in sheets if " ".join(name.split()).casefold() == wanted]
    if not names:
        raise SourceFormatError(
            path, f"no sheet 'Table {table}' (trailing spaces allowed); sheets are {list(sheets)}"
        )
    return Grid(path, names[0], sheets[names[0]])


def _workbook_sheets(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows of a workbook, read once per file version (one source reads P1, P3 and P4
    of the same workbook; opening it once per table would parse the XML again each time)."""
    if not path.exists():
        raise SourceFormatError(path, "file not found (is the bundled snapshot or landing file there?)")
    stat = path.stat()
    return _read_workbook(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read_workbook(path: str, _mtime_ns: int, _size: int) -> dict[str, list[tuple[Any, ...]]]:
    from openpyxl import load_workbook  # deferred: only PFA-table sources need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged or foreign file
        raise SourceFormatError(path, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:
        return {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames}
    finally:
        workbook.close()


def check_edition(grid: Grid, edition: str) -> None:
    """The table is the catalogue's edition (``March 2019``): one of the title's 'year ending' dates
    says so (P7 runs "year ending March 2008 to year ending March 2019"; P5 compares "year ending
    March 2019 ... with ... year ending March 2011"). A title naming other dates only is refused."""
    found = _EDITION.findall(grid.title)
    month, year = edition.split()
    if not found:
        raise grid.fail(f"title names no 'year ending <month> <year>': {grid.title[:120]!r}", row=0, column=0)
    if not any(m.casefold() == month.casefold() and y[-2:] == year[-2:] for m, y in found):
        got_month, got_year = found[-1]
        raise grid.fail(
            f"title says year ending {got_month} {got_year}; the catalogue expects year ending {edition}",
            row=0,
            column=0,
        )


def find_header(grid: Grid, label: str) -> int:
    """The index of the header row: the first row (of the first 15) with a cell labelled ``label``."""
    for index, cells in enumerate(grid.rows[:_HEADER_SEARCH_ROWS]):
        if any(_key(cell) == label.casefold() for cell in cells):
            return index
    raise grid.fail(
        f"no header row with a cell labelled {label!r} in the first {_HEADER_SEARCH_ROWS} rows "
        "(the table's layout changed)"
    )


def _groups(grid: Grid, header: int) -> list[str]:
    """The group heading over each column (merged cells in the row above, filled rightwards)."""
    above = grid.rows[header - 1] if header > 0 else []
    width = max(len(grid.rows[header]), len(above))
    groups, current = [], ""
    for column in range(width):
        value = above[column] if column < len(above) else None
        if value not in (None, ""):
            current = _key(value)
        groups.append(current)
    return groups


def find_column(
    grid: Grid, header: int, label: str, *, group: str | None = None, prefix: bool = False
) -> int:
    """The one column labelled ``label`` (in the header row or, for a lone label, the row above),
    under group heading ``group`` if given; any other count fails naming the header row."""
    groups = _groups(grid, header)
    wanted = label.casefold()
    candidates = []
    for column, cell in enumerate(grid.rows[header]):
        text = _key(cell) or (_key(grid.cell(header - 1, column)) if header > 0 else "")
        matches = text.startswith(wanted) if prefix else text == wanted
        if matches and (group is None or groups[column] == group.casefold()):
            candidates.append(column)
    if len(candidates) != 1:
        under = f" under {group!r}" if group else ""
        raise grid.fail(
            f"expected one column labelled {label!r}{under} in the header row; found {len(candidates)}",
            row=header,
        )
    return candidates[0]


def number(grid: Grid, row: int, column: int) -> tuple[float | None, str | None]:
    """(value, status) of a number cell: a suppression marker or blank is NULL plus a status."""
    value = grid.cell(row, column)
    if isinstance(value, bool):
        raise grid.fail(f"expected a number, found {value!r}", row=row, column=column)
    if isinstance(value, int | float):
        return float(value), None
    text = "" if value is None else str(value).strip()
    if text == "":
        return None, "x"
    if text.lower() in SUPPRESSION_MARKERS:
        return None, SUPPRESSION_MARKERS[text.lower()]
    try:
        return parse_number(grid.path, text, _column_letter(column), row + 1), None
    except SourceFormatError:
        raise grid.fail(f"expected a number, found {text!r}", row=row, column=column) from None


@dataclass(frozen=True)
class AreaRow:
    row: int
    code: str
    name: str


def area_rows(grid: Grid, header: int, names_to_codes: dict[str, list[str]] | None = None) -> list[AreaRow]:
    """The data rows of a table: each with a GSS area code (or a name the workbook maps to one)."""
    code_column = None
    labels = [_key(cell) for cell in grid.rows[header]]
    code_label = next((label for label in _CODE_LABELS if label in labels), None)
    if code_label is not None:
        code_column = find_column(grid, header, code_label)
    elif names_to_codes is None:
        raise grid.fail("the header has no 'Area Code' column and no name lookup was given", row=header)
    name_column = find_column(grid, header, "Area Name") if code_column is not None else 0
    queues = {name: list(codes) for name, codes in (names_to_codes or {}).items()}
    rows: list[AreaRow] = []
    for index in range(header + 1, len(grid.rows)):
        first = grid.cell(index, 0)
        if isinstance(first, str) and first.strip().casefold().startswith("source"):
            break
        name = clean_label(grid.cell(index, name_column))
        code = str(grid.cell(index, code_column) or "").strip() if code_column is not None else ""
        if name.casefold() in _NOT_AREAS:
            continue
        if code_column is None and name:
            code = _NAME_ALIASES.get(name.casefold()) or _next_code(queues, name)
            if not code:
                raise grid.fail(
                    f"area name {name!r} maps to no police force area, region or nation code in the "
                    "workbook's Table P1",
                    row=index,
                    column=name_column,
                )
        if not code and not name:
            continue  # a spacer or units row
        if not _GSS.match(code):
            raise grid.fail(
                f"{code!r} (area {name!r}) is not a police force area, region or nation GSS code",
                row=index,
                column=code_column if code_column is not None else name_column,
            )
        rows.append(AreaRow(index, code, name))
    if not rows:
        raise grid.fail("the table has no data rows under its header", row=header)
    return rows


def _row(
    area: AreaRow,
    indicator: str,
    measure: str,
    unit: str,
    period: str,
    value: float | None,
    status: str | None,
    note: str | None,
    numerator: float | None = None,
    denominator: float | None = None,
) -> dict[str, object]:
    return metric_row(
        line=area.row + 1,
        area_code=area.code,
        area_name=_display_name(area.name),
        geography=_geography(area.code),
        indicator=indicator,
        measure=measure,
        unit=unit,
        period=period,
        value=value,
        status=status if value is None else None,
        notes=note,
        numerator=numerator,
        denominator=denominator,
    )


def _display_name(name: str) -> str:
    """ONS writes totals in capitals (``ENGLAND AND WALES``); the warehouse names areas as dim_areas does."""
    if not name.isupper():
        return name
    words = " ".join(word.capitalize() for word in name.split())
    return words.replace(" And ", " and ").replace("Btp", "BTP").replace("(Exc.", "(exc.")


def _geography(code: str) -> str:
    prefixes = {"E23": "pfa", "W15": "pfa", "E12": "rgn", "E92": "ctry", "W92": "ctry", "K04": "ew"}
    return prefixes.get(code[:3], "lad")


# --- rate inputs: the published counts and populations dbt divides (int_crime_rates_computed) -------

#: Table P1's (and C2's) four columns that make neighbourhood crime, each loaded as its own count.
NEIGHBOURHOOD_PARTS = ("Residential burglary", "Vehicle offences", "Theft from the person", "Robbery")
#: Table P4's count of knife or sharp instrument offences (total of the selected serious offences).
KNIFE_INPUT = "Knife or sharp instrument offences (Table P4)"
#: Table P3's population, the one ONS's own rates divide by.
POPULATION_INPUT = "Population (Table P3)"
#: Indicators loaded with no metric of their own: the inputs dbt computes the crime rates from.
INPUT_INDICATORS = (*NEIGHBOURHOOD_PARTS, KNIFE_INPUT, POPULATION_INPUT)


def _sum(parts: Sequence[tuple[float | None, str | None]]) -> tuple[float | None, str | None]:
    """Cells added: NULL (with the first missing cell's status, else x) if any cell is missing."""
    if any(value is None for value, _ in parts):
        return None, next(status for value, status in parts if value is None) or "x"
    return sum(value for value, _ in parts if value is not None), None


def _count_row(
    area: AreaRow, indicator: str, period: str, cell: tuple[float | None, str | None]
) -> dict[str, object]:
    value, status = cell
    return _row(area, indicator, "Number of offences", "count", period, value, status, None)


def p3_populations(path: Path, edition: str, period: str) -> list[dict[str, object]]:
    """Table P3's population of each area (mid-2017 for the March 2018 edition). Where ONS withholds
    the area's rates ('+' in its total recorded crime rate: the City of London, population too small)
    the population is loaded as NULL with that status, so no rate is computed over it either."""
    grid = read_table(path, "P3", edition)
    header = find_header(grid, "Area Code")
    column = find_column(grid, header, "Population figures", prefix=True)
    label = re.search(r"mid-\d{4}", clean_label(grid.cell(header, column)))
    total = find_column(grid, header, "Total recorded crime (excluding fraud)")
    note = f"ONS {label.group(0) if label else ''} population (Table P3)".replace("  ", " ")
    rows = []
    for area in area_rows(grid, header):
        value, status = number(grid, area.row, column)
        rate, rate_status = number(grid, area.row, total)
        if rate is None:
            value, status = None, rate_status or "x"  # the note on the row says why
        rows.append(_row(area, POPULATION_INPUT, "Population", "people", period, value, status, note))
    return rows


def neighbourhood_crime(path: Path, edition: str, period: str) -> list[dict[str, object]]:
    """Table P1's four neighbourhood crime counts for each area (force, region, nation)."""
    grid = read_table(path, "P1", edition)
    header = find_header(grid, "Area Code")
    columns = {label: find_column(grid, header, label) for label in NEIGHBOURHOOD_PARTS}
    return [
        _count_row(area, label, period, number(grid, area.row, column))
        for area in area_rows(grid, header)
        for label, column in columns.items()
    ]


def knife_offences(path: Path, edition: str, period: str) -> list[dict[str, object]]:
    """Table P4's count of knife or sharp instrument offences for each area."""
    grid = read_table(path, "P4", edition)
    header = find_header(grid, "Area Code")
    column = find_column(
        grid, header, "Number of offences involving a knife", group="Total of selected serious offences"
    )
    return [
        _count_row(area, KNIFE_INPUT, period, number(grid, area.row, column))
        for area in area_rows(grid, header)
    ]


KNIFE_COUNT_NOTE = (
    "Police recorded knife or sharp instrument offences (attempted murder, threats to kill, assault with "
    "injury, robbery, rape and sexual assault), a count; each year as given in the latest edition held "
    "(Table P5), which carries ONS's revisions to earlier years"
)


def knife_offence_counts(path: Path, edition: str) -> list[dict[str, object]]:
    """Table P5: the count of selected knife or sharp instrument offences for each financial year
    the edition lists (from 2010-11), as that edition gives them. A later edition revises earlier
    years (Surrey's 2017-18 count is 58 in the March 2018 edition and 436 in March 2019's), so a
    volume ranking reads the latest edition's series, not each year's first release."""
    grid = read_table(path, "P5", edition)
    header = find_header(grid, "Area name")
    areas = area_rows(grid, header)
    rows = []
    for column, cell in enumerate(grid.rows[header]):
        if not _key(cell).startswith("number of selected offences involving"):
            continue
        period = _year_period(grid, header - 1, column)
        for area in areas:
            value, status = number(grid, area.row, column)
            rows.append(
                _row(
                    area,
                    "Knife or sharp instrument offences",
                    "Selected serious offences involving a knife or sharp instrument, number",
                    "count",
                    period,
                    value,
                    status,
                    f"{KNIFE_COUNT_NOTE}; edition: year ending {edition}",
                    value,
                )
            )
    if not rows:
        raise grid.fail(
            "no 'Number of selected offences involving a knife' columns in the header row", row=header
        )
    return rows


def asb_experienced(path: Path, edition: str, period: str) -> list[dict[str, object]]:
    grid = read_table(path, "P6", edition)
    header = find_header(grid, "Area Code")
    group = "Any anti-social behaviour"
    value_column = find_column(grid, header, "Percentage experienced/ witnessed", group=group)
    base_column = find_column(grid, header, "Unweighted base - number of adults")
    rows = []
    for area in area_rows(grid, header):
        value, status = number(grid, area.row, value_column)
        base, _ = number(grid, area.row, base_column)
        note = CSEW_NOTE
        if area.code == "E12000007":
            note += "; the City of London and the Metropolitan Police are one row (London)"
        if base is not None:
            note += f"; unweighted base {int(base):,} adults"
        rows.append(
            _row(
                area,
                "Adults who experienced or witnessed anti-social behaviour",
                "Percentage of adults aged 16 and over",
                "percent",
                period,
                value,
                status,
                note,
            )
        )
    return rows


def _year_period(grid: Grid, row: int, column: int) -> str:
    heading = clean_label(grid.cell(row, column))
    match = _YEAR_HEADING.match(str(grid.cell(row, column) or "").strip())
    if not match or (int(match.group(2)) - int(match.group(1))) % 100 != 1:
        raise grid.fail(
            f"expected a year heading like \"Apr '17 to Mar '18\", found {heading!r}", row=row, column=column
        )
    return f"{date(2000 + int(match.group(1)), 4, 1).isoformat()}/P1Y"


def p1_names(path: Path) -> dict[str, list[str]]:
    """Area name -> codes, in Table P1's order, from the workbook's Table P1 (for tables that give
    names only). A name can be both a region and a force ('West Midlands'): a names-only table lists
    them in the same order as P1 (region heading, then its forces), so each use takes the next code."""
    grid = read_table(path, "P1")
    names: dict[str, list[str]] = {}
    for area in area_rows(grid, find_header(grid, "Area Code")):
        names.setdefault(_name_key(area.name), []).append(area.code)
    return names


def _next_code(queues: dict[str, list[str]], name: str) -> str:
    codes = queues.get(_name_key(name), [])
    if len(codes) > 1:
        return codes.pop(0)
    return codes[0] if codes else ""


def asb_incidents(path: Path, edition: str) -> list[dict[str, object]]:
    grid = read_table(path, "P7", edition)
    header = find_header(grid, "Number of Incidents")
    has_codes = any(_key(cell) in _CODE_LABELS for cell in grid.rows[header])
    areas = area_rows(grid, header, None if has_codes else p1_names(path))
    rows = []
    for column, cell in enumerate(grid.rows[header]):
        if _key(cell) not in ("rate per 1,000 population", "number per 1,000 population"):
            continue
        count_column = column - 1
        if _key(grid.cell(header, count_column)) != "number of incidents":
            raise grid.fail(
                "a rate column not preceded by its 'Number of Incidents' column", row=header, column=column
            )
        period = _year_period(grid, header - 1, count_column)
        for area in areas:
            value, status = number(grid, area.row, column)
            count, _ = number(grid, area.row, count_column)
            note = "Police recorded incidents; not National Statistics"
            if area.code.startswith("K04"):
                note += "; excluding British Transport Police"
            rows.append(
                _row(
                    area,
                    "Anti-social behaviour incidents per 1,000 population",
                    "Police recorded anti-social behaviour incidents per 1,000 population",
                    "rate per 1,000",
                    period,
                    value,
                    status,
                    note,
                    count,
                )
            )
    if not rows:
        raise grid.fail("no 'Rate per 1,000 population' columns in the header row", row=header)
    return rows


_LA_CODE = re.compile(r"^(?:E06|E07|E08|E09|W06)\d{6}$")


@dataclass(frozen=True)
class PartnershipRow:
    """One Community Safety Partnership row of Table C2 with a single local authority code."""

    row: int
    force_code: str
    la_code: str
    la_name: str


def partnership_rows(grid: Grid) -> tuple[int, list[PartnershipRow], int]:
    """Table C2's rows that name one local authority (header row, rows, rows left out). Left out,
    by rule: force totals and 'Unassigned' rows (no authority code) and partnerships of several
    authorities ('Combined Local Authorities'); any other code must be a local authority's."""
    header = find_header(grid, "Local Authority code")
    la_column = find_column(grid, header, "Local Authority code")
    name_column = find_column(grid, header, "Local Authority name")
    force_column = find_column(grid, header, "Police Force Area code")
    rows, left_out = [], 0
    for index in range(header + 1, len(grid.rows)):
        code = str(grid.cell(index, la_column) or "").strip()
        if not any(str(cell or "").strip() for cell in grid.rows[index]):
            continue
        if code in ("", "Combined Local Authorities"):
            left_out += 1
            continue
        if not _LA_CODE.match(code):
            raise grid.fail(f"{code!r} is not a local authority GSS code", row=index, column=la_column)
        force = str(grid.cell(index, force_column) or "").strip()
        rows.append(PartnershipRow(index, force, code, clean_label(grid.cell(index, name_column))))
    if not rows:
        raise grid.fail("the table has no partnership rows under its header", row=header)
    return header, rows, left_out


def neighbourhood_crime_by_authority(path: Path, edition: str, period: str) -> list[dict[str, object]]:
    """Table C2's four neighbourhood crime counts for each local authority its Community Safety
    Partnership rows name, under the code the table gives; dbt carries old codes to current ones and
    sums them (Cumbria's old districts). An authority with two partnerships (Bournemouth, Christchurch
    and Poole: the Bournemouth and the Poole partnerships) has the two rows' counts added, since the
    table's figure for the authority is the sum of its rows; the row's note names them."""
    grid = read_table(path, "C2", edition)
    header, partnerships, _ = partnership_rows(grid)
    columns = {label: find_column(grid, header, label) for label in NEIGHBOURHOOD_PARTS}
    by_code: dict[str, list[PartnershipRow]] = {}
    for partnership in partnerships:
        by_code.setdefault(partnership.la_code, []).append(partnership)
    rows = []
    for code, members in by_code.items():
        area = AreaRow(members[0].row, code, members[0].la_name)
        note = f"sum of {len(members)} Community Safety Partnership rows" if len(members) > 1 else None
        for label, column in columns.items():
            cell = _sum([number(grid, member.row, column) for member in members])
            rows.append({**_count_row(area, label, period, cell), "notes": note})
    return rows


def parse_pfa_tables(
    path: Path,
    expected_columns: Sequence[str] = (),
    *,
    edition: str,
    period: str,
    measures: str,
    population_year: str = "",
) -> tuple[pd.DataFrame, ParseReport]:
    """Parse the measures a catalogue entry names from one workbook (or CSV save of one sheet).

    The crime rates are not computed here: the parser loads their published inputs (the counts, and
    Table P3's population) and dbt divides (int_crime_rates_computed). ``population_year`` says that a
    file has no Table P3 (a CSV save of one sheet): dbt divides by ONS's mid-year estimate of that year
    instead, and the parser reads no P3.
    """
    path = Path(path)
    wanted = [name.strip() for name in measures.split(",") if name.strip()]
    unknown = sorted(set(wanted) - set(MEASURES))
    if unknown:
        raise SourceFormatError(path, f"unknown measures {unknown} in the catalogue's format_options")
    if population_year and not re.fullmatch(r"\d{4}", population_year):
        raise SourceFormatError(
            path, f"population_year {population_year!r} is not a year", column="population_year"
        )
    rows: list[dict[str, object]] = []
    if {"neighbourhood_crime", "knife_offences"} & set(wanted) and not population_year:
        rows += p3_populations(path, edition, period)
    for measure in wanted:
        if measure == "neighbourhood_crime":
            rows += neighbourhood_crime(path, edition, period)
        elif measure == "neighbourhood_crime_by_authority":
            rows += neighbourhood_crime_by_authority(path, edition, period)
        elif measure == "knife_offences":
            rows += knife_offences(path, edition, period)
        elif measure == "knife_offence_counts":
            rows += knife_offence_counts(path, edition)
        elif measure == "asb_experienced":
            rows += asb_experienced(path, edition, period)
        else:
            rows += asb_incidents(path, edition)
    if not edition.startswith("March"):  # a rolling year: its label (2024-25) alone reads as a financial year
        for row in rows:
            row["notes"] = "; ".join(filter(None, [row["notes"], f"twelve months ending {edition}"]))
    report = ParseReport(rows_read=len(rows))
    rows = _drop_repeats(path, rows, report)
    report.suppressed = sum(1 for row in rows if row["value"] is None)
    return pd.DataFrame.from_records(rows, columns=list(PARSED_COLUMNS)), report


def _drop_repeats(path: Path, rows: list[dict[str, object]], report: ParseReport) -> list[dict[str, object]]:
    """One row per (area, indicator, period): a code listed twice with the same figure (P6 gives
    London both as the region and as 'City of London / Metropolitan Police') is kept once; twice
    with different figures fails."""
    seen: dict[tuple[object, ...], dict[str, object]] = {}
    kept = []
    for row in rows:
        key = (row["area_code"], row["indicator"], row["period"])
        first = seen.setdefault(key, row)
        if first is row:
            kept.append(row)
        elif first["value"] == row["value"]:
            report.duplicates_dropped += 1
        else:
            raise SourceFormatError(
                path,
                f"{key[0]} is listed twice for {key[1]!r} {key[2]} with different figures "
                f"(row {first['source_line']}: {first['value']}, row {row['source_line']}: {row['value']})",
            )
    return kept
