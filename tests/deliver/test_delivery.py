"""What analysts get beside the warehouse: the CLI, Parquet/CSV exports, the HTML report, dbt docs."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import duckdb
import pytest

from orchestration.cli import build_parser, main
from orchestration.settings import DBT_PROJECT_DIR
from tests.helpers import copy_published, isolated_warehouse

COMMANDS = [
    *("refresh", "query", "status", "export", "report", "profile"),
    *("docs", "rollback", "ui", "serve", "sources", "prepare", "repair-history"),
]


def test_every_command_has_help():
    parser = build_parser()
    choices = parser._subparsers._group_actions[0].choices
    assert sorted(choices) == sorted(COMMANDS)
    for command in COMMANDS:
        completed = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", command, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0 and "usage: mission-tracker" in completed.stdout, command


def test_bad_sql_is_one_clear_line_with_a_hint_and_a_non_zero_exit(built_warehouse, capsys):
    code = main(["query", "select * from no_such_table"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[0].startswith("error: ") and "no_such_table" in err[0]
    assert err[1].startswith("hint: ")


def test_query_writes_csv_and_parquet(built_warehouse, tmp_path):
    sql = "select mission_number, title from mission_summary order by 1"
    assert main(["query", sql, "--csv", str(tmp_path / "m.csv")]) == 0
    assert main(["query", sql, "--parquet", str(tmp_path / "m.parquet")]) == 0
    con = duckdb.connect()
    assert con.execute(f"select count(*) from '{tmp_path / 'm.csv'}'").fetchone()[0] == 12
    assert (
        con.execute(f"select title from '{tmp_path / 'm.parquet'}' where mission_number = 7").fetchone()[0]
        == "Health"
    )


def test_the_refresh_exported_every_mart_as_parquet_and_csv(built_warehouse, published_con):
    folder = built_warehouse.settings.exports_dir
    marts = [
        name
        for (name,) in published_con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        ).fetchall()
    ]
    assert len(marts) >= 15
    con = duckdb.connect()
    for mart in marts:
        expected = published_con.execute(f'select count(*) from main."{mart}"').fetchone()[0]
        assert (
            con.execute(f"select count(*) from '{folder / (mart + '.parquet')}'").fetchone()[0] == expected
        ), mart
        assert (
            con.execute(f"select count(*) from read_csv('{folder / (mart + '.csv')}')").fetchone()[0]
            == expected
        )
    # types survive in Parquet (a double stays a double, a date a date)
    described = con.execute(f"describe select * from '{folder / 'fct_area_year_metrics.parquet'}'").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["value"] == "DOUBLE" and types["period_end"] == "DATE"


def test_the_report_is_self_contained_and_covers_every_mission(built_warehouse, published_con):
    html = built_warehouse.settings.report_path.read_text(encoding="utf-8")
    # offline: no external scripts, stylesheets, images or fonts (links to a source's own page are text)
    assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"""<link[^>]+href\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", html)
    assert "<script" not in html
    sections = re.findall(r'<section class="mission" id="(M\d\d)">', html)
    assert sections == [f"M{n:02d}" for n in range(1, 13)]
    assert html.count('<svg class="chart"') >= 30
    # the maps reuse one outline per area; one map colours every current authority with a value
    assert html.count('<svg class="map"') >= 8
    hle_quintiles = published_con.execute(
        "select count(*) from mission_scorecard where metric_id = 'hle_birth' and breakdown = 'sex=female' "
        "and comparison_group = 'upper_tier' and latest_period = '2022-2024'"
    ).fetchone()[0]
    m07 = html[html.index('id="M07"') : html.index('id="M08"')]
    coloured = len(re.findall(r'<use href="#map-utla-[^"]+" fill="(?!#e5e7eb)', m07))
    assert coloured == hle_quintiles > 150
    # no mission rests on a synthetic sample any more: none is marked as one
    assert "SYNTHETIC SAMPLE" not in html
    # the Ipsos perception score sits beside the objective picture
    ipsos = published_con.execute(
        "select index_score from fct_ipsos_levelling_up_index where mission_id = 'M07' and group_type = 'all'"
    ).fetchone()[0]
    assert f"<strong>{ipsos:+.0f}</strong>" in m07


def test_every_mart_column_is_documented_and_typed():
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    marts = [
        n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    ]
    assert len(marts) >= 15
    for node in marts:
        assert node["description"].strip(), node["name"]
        assert node["columns"], node["name"]
        for name, column in node["columns"].items():
            assert column["description"].strip() and column["data_type"], f"{node['name']}.{name}"


@pytest.mark.slow(seconds=12)
def test_dbt_docs_generate_one_static_page_with_the_scorecard_lineage(built_warehouse, tmp_path):
    # dbt opens the build file it documents for writing: a copy, not the session's, which other
    # workers are reading
    copy_published(built_warehouse.settings.warehouse_dir, tmp_path)
    with isolated_warehouse(tmp_path):
        assert main(["docs"]) == 0
    page = (DBT_PROJECT_DIR / "target" / "static_index.html").read_text(encoding="utf-8")
    assert len(page) > 1_000_000
    for name in ("mission_scorecard", "mission_summary", "fct_area_year_metrics", "healthy_life_expectancy"):
        assert name in page
