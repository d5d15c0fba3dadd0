"""Parser for the Scottish Public Health Observatory's (ScotPHO) online profiles download.

One row per council area and indicator, the latest period only: ``area_code, area_type, area_name,
year, period, type_definition, indicator, numerator, measure, upper_confidence_interval,
lower_confidence_interval`` (the upper limit comes first: columns are read by name, never by place).
What the real file does, and this parser handles: ``NA`` for a missing numerator, figure or limit
(NULL, and status ``x`` for a missing figure); periods written in words, 49 forms in the October 2024
download, each turned into an ISO-8601 period (:func:`scotpho_period`) so that labels and reference
years follow the warehouse's one rule:

* ``2022 survey year``, ``2017 calendar year``, ``Calendar year (2022)``, ``Survey year (2020)``;
* ``2019/20 financial year`` (April to March), ``2022/23 school year`` (August to July),
  ``Financial year (2021/22)``;
* ``2019 to 2021 calendar years; 3-year aggregates``, ``2014 to 2016 survey years; 3-year
  aggregates``, ``2019/20 to 2021/22 financial years; 3-year aggregates`` (school years likewise),
  ``2019-2021 (3 year aggregate)``, ``2020 to 2022 (3 year aggregate)``, ``4-year aggregate (2014 -
  2017)``, ``Survey year (2017-2019)``, ``2010-2013 combined survey years``;
* snapshots: ``2021 July snapshot`` (the month's first day), ``31st March 2014 snapshot``, ``2021
  mid-year estimate`` (30 June), ``2012 to 2014 March snapshot; 3-year average`` (the three years to
  the last March).

What it refuses, naming file, column and line: a missing column, a period in any other form, an area
code that is not a Scottish council's (S12), a non-numeric figure or limit, a lower limit above the
upper, and a repeated (area, indicator).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.tidy import (
    PARSED_COLUMNS,
    ParseReport,
    metric_row,
    parse_number,
    read_csv_records,
)

SCOTPHO_COLUMNS: tuple[str, ...] = (
    "area_code",
    "area_type",
    "area_name",
    "year",
    "period",
    "type_definition",
    "indicator",
    "numerator",
    "measure",
    "upper_confidence_interval",
    "lower_confidence_interval",
)
_COUNCIL = re.compile(r"^S12\d{6}$")
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_YEAR_STARTS = {"calendar": "01-01", "survey": "01-01", "financial": "04-01", "school": "08-01"}


def _years(first: str, last: str, kind: str = "calendar") -> str:
    count = int(last) - int(first) + 1
    return f"{first}-{_YEAR_STARTS[kind]}/P{count}Y"


#: (pattern, ISO period from its groups), tried in order; a period matching none is refused.
_PERIOD_RULES: tuple[tuple[re.Pattern[str], Callable[..., str]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), rule)
    for pattern, rule in (
        (r"^(\d{4}) (calendar|survey) year$", lambda y, kind: _years(y, y, kind.lower())),
        (r"^(calendar|survey) year \((\d{4})\)$", lambda kind, y: _years(y, y, kind.lower())),
        (r"^(\d{4})/\d{2} (financial|school) year$", lambda y, kind: _years(y, y, kind.lower())),
        (r"^financial year \((\d{4})/\d{2}\)$", lambda y: _years(y, y, "financial")),
        (
            r"^(\d{4}) to (\d{4}) (calendar|survey) years; \d-year aggregates$",
            lambda a, b, kind: _years(a, b, kind.lower()),
        ),
        (
            r"^(\d{4})/\d{2} to (\d{4})/\d{2} (financial|school) years; \d-year aggregates$",
            lambda a, b, kind: _years(a, b, kind.lower()),
        ),
        (r"^(\d{4}) ?(?:-|to) ?(\d{4}) \(\d year aggregate\)$", lambda a, b: _years(a, b)),
        (r"^\d-year aggregate \((\d{4}) ?- ?(\d{4})\)$", lambda a, b: _years(a, b)),
        (r"^survey year \((\d{4})-(\d{4})\)$", lambda a, b: _years(a, b)),
        (r"^(\d{4})-(\d{4}) combined survey years$", lambda a, b: _years(a, b)),
        (r"^(\d{4}) ([a-z]+) snapshot$", lambda y, month: f"{y}-{_MONTHS[month.lower()]:02d}-01"),
        (
            r"^(\d{1,2})(?:st|nd|rd|th) ([a-z]+) (\d{4}) snapshot$",
            lambda day, month, y: f"{y}-{_MONTHS[month.lower()]:02d}-{int(day):02d}",
        ),
        (r"^(\d{4}) mid-year estimate$", lambda y: f"{y}-06-30"),
        (
            r"^(\d{4}) to (\d{4}) march snapshot; \d-year average$",
            lambda a, b: f"{int(a) - 1}-04-01/P{int(b) - int(a) + 1}Y",
        ),
    )
)


def scotpho_period(text: str) -> str:
    """A ScotPHO period in words as an ISO-8601 date or interval; ValueError for any other form."""
    cleaned = " ".join(text.split())
    for pattern, rule in _PERIOD_RULES:
        match = pattern.match(cleaned)
        if match:
            try:
                return rule(*match.groups())
            except KeyError:  # a month name that is not one
                break
    raise ValueError(f"unknown ScotPHO period {text!r} (not one of the forms the parser knows)")


def _number(path: Path, text: str, column: str, line: int) -> float | None:
    return None if text.strip() == "NA" else parse_number(path, text, column, line)


def parse_scotpho_csv(
    path: Path, expected_columns: Sequence[str] = SCOTPHO_COLUMNS
) -> tuple[pd.DataFrame, ParseReport]:
    path = Path(path)
    extra, records = read_csv_records(path, expected_columns)
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, record in records:
        code = record["area_code"].strip()
        if not _COUNCIL.match(code):
            raise SourceFormatError(
                path, f"{code!r} is not a Scottish council area code (S12)", column="area_code", line=line
            )
        indicator = " ".join(record["indicator"].split())
        if (code, indicator) in seen:
            raise SourceFormatError(
                path,
                f"{code} {indicator!r} repeats line {seen[(code, indicator)]}",
                column="indicator",
                line=line,
            )
        seen[(code, indicator)] = line
        try:
            period = scotpho_period(record["period"])
        except ValueError as exc:
            raise SourceFormatError(path, str(exc), column="period", line=line) from None
        value = _number(path, record["measure"], "measure", line)
        lower = _number(path, record["lower_confidence_interval"], "lower_confidence_interval", line)
        upper = _number(path, record["upper_confidence_interval"], "upper_confidence_interval", line)
        if lower is not None and upper is not None and lower > upper:
            raise SourceFormatError(
                path,
                f"lower limit {lower} is above the upper {upper}",
                column="lower_confidence_interval",
                line=line,
            )
        rows.append(
            metric_row(
                line=line,
                area_code=code,
                area_name=record["area_name"].strip(),
                geography=record["area_type"].strip(),
                indicator=indicator,
                unit=record["type_definition"].strip(),
                period=period,
                period_raw=record["period"].strip(),
                value=value,
                lci_95=lower,
                uci_95=upper,
                status="x" if value is None else None,
                notes=f"ScotPHO period: {record['period'].strip()}",
                numerator=_number(path, record["numerator"], "numerator", line),
            )
        )
    report = ParseReport(rows_read=len(rows), extra_columns=extra)
    report.suppressed = sum(1 for row in rows if row["value"] is None)
    return pd.DataFrame.from_records(rows, columns=list(PARSED_COLUMNS)), report
