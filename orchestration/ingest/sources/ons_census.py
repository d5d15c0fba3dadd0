"""Parser for Census 2021 topic summaries as ONS's custom-dataset download writes them (e.g. TS061).

One row per area and category: ``<geography> Code, <geography>, <classification> Code,
<classification>, Observation``, where the catalogue names the geography and classification labels
(``format_options``). Each category becomes an indicator (its label); the observation is a count of
usual residents on census day, 21 March 2021. What it refuses, naming file, column and line: a
missing column, an area code that is not a GSS code, a category code that is not a whole number, a
negative or non-numeric count, a repeated (area, category), and an area that lacks some category
(a cut-off download).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
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

CENSUS_DAY = "2021-03-21"
_GSS = re.compile(r"^[EKLMNSW]\d{8}$")


def census_columns(geography: str, classification: str) -> tuple[str, ...]:
    return (f"{geography} Code", geography, f"{classification} Code", classification, "Observation")


def parse_census_csv(
    path: Path, expected_columns: Sequence[str] = (), *, geography: str, classification: str
) -> tuple[pd.DataFrame, ParseReport]:
    path = Path(path)
    code_column, name_column, category_code_column, category_column, count_column = census_columns(
        geography, classification
    )
    extra, records = read_csv_records(path, census_columns(geography, classification))
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str], int] = {}
    categories_by_area: dict[str, set[str]] = defaultdict(set)
    for line, record in records:
        code = record[code_column].strip()
        if not _GSS.match(code):
            raise SourceFormatError(
                path, f"{code!r} is not a GSS code (e.g. E06000001)", column=code_column, line=line
            )
        category_code = record[category_code_column].strip()
        if not category_code.isdigit():
            raise SourceFormatError(
                path,
                f"expected a whole-number category code, found {category_code!r}",
                column=category_code_column,
                line=line,
            )
        category = " ".join(record[category_column].split())
        if (code, category) in seen:
            raise SourceFormatError(
                path,
                f"{code} {category!r} repeats line {seen[(code, category)]}",
                column=category_column,
                line=line,
            )
        seen[(code, category)] = line
        count = parse_number(path, record[count_column], count_column, line)
        if count is None or count < 0:
            raise SourceFormatError(
                path,
                f"expected a count of people, found {record[count_column]!r}",
                column=count_column,
                line=line,
            )
        categories_by_area[code].add(category)
        rows.append(
            metric_row(
                line=line,
                area_code=code,
                area_name=record[name_column].strip(),
                geography=geography,
                indicator=category,
                measure="Count",
                unit="Usual residents",
                period=CENSUS_DAY,
                value=count,
                notes="Census 2021 (21 March 2021, during a national lockdown)",
            )
        )
    every_category = set().union(*categories_by_area.values())
    for code, categories in categories_by_area.items():
        if categories != every_category:
            raise SourceFormatError(
                path,
                f"{code} lacks categor(ies) {sorted(every_category - categories)} (a cut-off download?)",
                column=category_column,
            )
    report = ParseReport(rows_read=len(rows), extra_columns=extra)
    return pd.DataFrame.from_records(rows, columns=list(PARSED_COLUMNS)), report
