"""The README names the warehouse as it is: every mart, its columns by their real names, the
area_level and breakdown values an analyst types, and SQL that runs."""

from __future__ import annotations

import re

import pytest

from orchestration.settings import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
IDENTIFIER = re.compile(r"`([a-z_][a-z0-9_]*)`")


def _section(start: str, end: str) -> str:
    return README[README.index(start) : README.index(end, README.index(start))]


def _warehouse_rows() -> dict[str, list[str]]:
    """table -> the identifiers named in backticks in its row of the README's warehouse table."""
    rows = {}
    for line in _section("## What is in the warehouse", "### Values you type").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = IDENTIFIER.findall(cells[1] + " " + cells[2])
    return rows


def _columns(con) -> dict[str, set[str]]:
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'main'"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    return columns


def test_the_readme_lists_every_mart_and_only_real_columns(published_con):
    rows = _warehouse_rows()
    columns = _columns(published_con)
    assert set(rows) == set(columns), "README's warehouse table and the marts differ"
    for table, names in rows.items():
        unknown = [name for name in names if name not in columns[table]]
        assert unknown == [], f"{table}: README names columns it does not have: {unknown}"
        assert names, table


def _listed(marker: str) -> str:
    return _section(f"<!-- {marker} -->", f"<!-- /{marker} -->").split("-->", 1)[1].strip()


def test_the_area_levels_an_analyst_types_are_the_ones_in_the_warehouse(published_con):
    listed = {value.strip() for value in _listed("area_level values").split(",")}
    actual = {
        level
        for (level,) in published_con.execute(
            "select distinct area_level from dim_areas union select distinct area_level from fct_area_year_metrics"
        ).fetchall()
    }
    assert listed == actual


def test_the_breakdowns_an_analyst_types_are_the_ones_in_the_warehouse(published_con):
    listed = {}
    for line in _listed("breakdown values").splitlines():
        metric, values = line.removeprefix("- ").split(": ", 1)
        listed[metric] = {value.strip() for value in values.split(",")}
    actual: dict[str, set[str]] = {}
    for metric, breakdown in published_con.execute(
        "select distinct metric_id, breakdown from fct_area_year_metrics"
    ).fetchall():
        actual.setdefault(metric, set()).add(breakdown)
    assert listed == {metric: values for metric, values in actual.items() if values != {"all"}}


@pytest.mark.parametrize("sql", re.findall(r"```sql\n(.+?)```", README, re.S))
def test_every_sql_example_in_the_readme_runs(published_con, sql):
    result = published_con.execute(sql)
    assert result.description, sql
    result.fetchall()
