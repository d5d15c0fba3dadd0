"""Every query in docs/cookbook.md runs against the published warehouse and returns rows with the
columns the cookbook documents."""

from __future__ import annotations

import re

import pytest

from orchestration.settings import PROJECT_ROOT

COOKBOOK = PROJECT_ROOT / "docs" / "cookbook.md"
ENTRY = re.compile(
    r"^### (?P<title>.+?)$.*?```sql\n(?P<sql>.+?)```.*?^Columns: (?P<columns>.+?)$", re.S | re.M
)


def _entries() -> list[tuple[str, str, list[str]]]:
    return [
        (m["title"], m["sql"], [c.strip() for c in m["columns"].split(",")])
        for m in ENTRY.finditer(COOKBOOK.read_text())
    ]


def test_the_cookbook_has_a_dozen_questions_each_with_sql_and_columns():
    entries = _entries()
    assert len(entries) >= 12
    assert len(entries) == COOKBOOK.read_text().count("\n### ")


@pytest.mark.parametrize(
    ("title", "sql", "columns"), _entries(), ids=[e[0].split(".")[0] for e in _entries()]
)
def test_cookbook_query_returns_rows_with_the_documented_columns(published_con, title, sql, columns):
    result = published_con.execute(sql)
    names = [d[0] for d in result.description]
    rows = result.fetchall()
    assert names == columns, title
    assert rows, f"{title}: no rows"
