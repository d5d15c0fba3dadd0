"""Parser for the Ipsos Levelling Up Index figures (transcribed tables, one score per group and mission).

Columns: ``group_type, group_name, [base_n,] mission_no, mission_key, index_score``. A score runs from
-200 to +200 (higher is better); groups are All UK, ONS 2011 area supergroups, urban/rural and IMD
quintiles. Wave 1 fieldwork was 17-23 February 2022, carried as the period 2022-02-01/P1M.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.periods import parse_period
from orchestration.ingest.sources.tidy import ParseReport, parse_number, read_csv_records

IPSOS_COLUMNS: tuple[str, ...] = ("group_type", "group_name", "mission_no", "mission_key", "index_score")
WAVE_PERIOD = "2022-02-01/P1M"


def parse_ipsos_csv(
    path: Path, expected_columns: Sequence[str] = IPSOS_COLUMNS
) -> tuple[pd.DataFrame, ParseReport]:
    path = Path(path)
    extra, records = read_csv_records(path, expected_columns)
    report = ParseReport(extra_columns=extra)
    period = parse_period(WAVE_PERIOD)
    rows = []
    for line, record in records:
        score = parse_number(path, record["index_score"], "index_score", line)
        mission = parse_number(path, record["mission_no"], "mission_no", line)
        if score is None or not -200 <= score <= 200:
            raise SourceFormatError(
                path,
                f"index score must lie in -200..200, found {record['index_score']!r}",
                column="index_score",
                line=line,
            )
        if mission is None or mission not in range(1, 13):
            raise SourceFormatError(
                path,
                f"mission_no must be 1..12, found {record['mission_no']!r}",
                column="mission_no",
                line=line,
            )
        base = parse_number(path, record.get("base_n", ""), "base_n", line) if "base_n" in record else None
        rows.append(
            {
                "source_line": line,
                "group_type": record["group_type"].strip(),
                "group_name": record["group_name"].strip(),
                "base_n": base,
                "mission_no": int(mission),
                "mission_key": record["mission_key"].strip(),
                "index_score": score,
                "period": period.raw,
                "period_label": period.label,
                "period_start": period.start,
                "period_end": period.end,
                "year": period.year,
            }
        )  # fmt: skip
    report.rows_read = len(rows)
    return pd.DataFrame.from_records(rows), report
