"""Freshness: the month arithmetic, the two rules, and the warnings the session refresh raised."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta

from orchestration.ingest.sources.catalogue import get_source, load_catalogue
from orchestration.operations.freshness import assess, assess_release, months_between
from orchestration.settings import WAREHOUSE_DIR_VAR, get_settings

ANNUAL = get_source("healthy_life_expectancy")


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        (date(2023, 12, 31), date(2026, 11, 23)),
        (date(2024, 3, 31), date(2024, 4, 30)),
        (date(2025, 1, 31), date(2025, 2, 28)),
    ],
)
def test_months_between_counts_whole_months(earlier, later):
    delta = relativedelta(later, earlier)
    assert months_between(earlier, later) == delta.years * 12 + delta.months


def test_data_is_overdue_after_cadence_plus_lag():
    limit = ANNUAL.cadence_months + ANNUAL.lag_months
    end = date(2024, 12, 31)
    assert assess(ANNUAL, end, end + relativedelta(months=limit)).status == "fresh"
    assert assess(ANNUAL, end, end + relativedelta(months=limit + 1)).status == "overdue"
    assert assess(ANNUAL, None, end).status == "no periods"


def test_a_release_is_overdue_after_cadence_plus_three_months():
    released = date(2025, 3, 1)
    assert assess_release(ANNUAL, released, date(2026, 6, 1)).status == "fresh"  # 15 months
    assert assess_release(ANNUAL, released, date(2026, 7, 1)).status == "overdue"  # 16 months
    assert assess_release(ANNUAL, None, date(2026, 7, 1)).status == "release date unknown"


def test_the_session_refresh_warned_for_exactly_the_overdue_sources(built_warehouse, published_con):
    today = date.today()
    expected = set()
    for source in load_catalogue():
        columns = {
            name
            for (name,) in published_con.execute(
                "select column_name from information_schema.columns where table_schema='raw' and table_name=?",
                [source.id],
            ).fetchall()
        }
        if "period_end" not in columns:
            continue
        end = published_con.execute(f"select max(period_end) from raw.{source.id}").fetchone()[0]
        age = relativedelta(today, end)
        if age.years * 12 + age.months > source.cadence_months + source.lag_months:
            expected.add(f"raw/{source.id}:freshness")
    assert expected  # several bundled snapshots are old enough
    assert set(built_warehouse.summary.checks_warned) == expected
    assert get_settings().source_mode == "bundled"
    # `status` reads the same dates from the published file and counts the same sources
    cli = str(Path(sys.executable).with_name("mission-tracker"))
    env = {**os.environ, WAREHOUSE_DIR_VAR: str(built_warehouse.settings.warehouse_dir)}
    out = subprocess.run([cli, "status"], env=env, capture_output=True, text=True, check=True).stdout
    assert f"overdue sources: {len(expected)} of " in out


def test_latest_dates_reads_each_sources_latest_period_end_and_its_latest_loads_release(tmp_path):
    """The batched read gives, per source, the max period_end of its raw table and the publisher
    date of its most recent load, even when that load has none and an older one had."""
    from datetime import datetime

    from orchestration.operations.freshness import latest_dates
    from orchestration.warehouse.loading import LOAD_LOG, connect_for_loading

    con = connect_for_loading(tmp_path / "build.duckdb")
    con.execute("create table raw.a (period_end date)")
    con.execute("insert into raw.a values ('2023-03-31'), ('2024-03-31'), (null)")
    con.execute("create table raw.lookup (code varchar)")  # no periods: a lookup
    loads = [  # source, loaded_at, publisher_date
        ("a", datetime(2026, 1, 1), datetime(2025, 12, 1)),
        ("a", datetime(2026, 2, 1), None),  # the latest load came with no date
        ("lookup", datetime(2026, 1, 1), datetime(2025, 6, 30, 9)),
    ]
    for source_id, loaded_at, publisher_date in loads:
        con.execute(
            f"insert into {LOAD_LOG} (source_id, file, sha256, loaded_at, row_count, publisher_date) "
            "values (?, 'f', 's', ?, 1, ?)",
            [source_id, loaded_at, publisher_date],
        )
    assert latest_dates(con, ["a", "lookup", "never_loaded", "a"]) == {
        "a": (date(2024, 3, 31), None),
        "lookup": (None, date(2025, 6, 30)),
        "never_loaded": (None, None),
    }
    con.close()
