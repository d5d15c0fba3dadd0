"""The vintage history against a model of what it should hold, for every sequence of releases.

Three files of one source (A, B, C) differ in every way a release can: a revised value, a figure
suppressed (NULL plus a status code), a figure added, one dropped, one renamed area (a new range but
no revision). Hypothesis plays every sequence of them up to length 5 through the real loader
(``load_raw_table``), the real history step (``history.record``) and the dbt models' own SQL
(``metric_value_history``, ``metric_revisions``), and compares with a plain-Python model: a vintage is
each load of a file different from the one before, its figures are that file's rows, and a revision is
a figure in two consecutive vintages whose value or status differs.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.ingest import history
from orchestration.warehouse.loading import ensure_load_log, load_raw_table
from tests.helpers import run_model_on_fixtures

SOURCE = "hle_test"
INDICATOR = "Female healthy life expectancy"

# figure key (area, period) -> (area name, value, status)
FILES: dict[str, dict[tuple[str, str], tuple[str, float | None, str | None]]] = {
    "A": {
        ("E06000001", "2019"): ("Hartlepool", 58.1, None),
        ("E06000002", "2019"): ("Middlesbrough", 57.0, None),
        ("E06000003", "2019"): ("Redcar and Cleveland", 60.2, None),
        ("E06000004", "2019"): ("Stockton-on-Tees", 61.0, None),
    },
    "B": {  # revises one value, suppresses one, adds a period, drops Stockton
        ("E06000001", "2019"): ("Hartlepool", 58.5, None),
        ("E06000002", "2019"): ("Middlesbrough", None, "x"),
        ("E06000003", "2019"): ("Redcar and Cleveland", 60.2, None),
        ("E06000003", "2020"): ("Redcar and Cleveland", 59.9, None),
    },
    "C": {  # renames an area (no revision), revises Redcar, brings Stockton back revised
        ("E06000001", "2019"): ("Hartlepool Borough", 58.1, None),
        ("E06000002", "2019"): ("Middlesbrough", 57.0, None),
        ("E06000003", "2019"): ("Redcar and Cleveland", 60.0, None),
        ("E06000004", "2019"): ("Stockton-on-Tees", 61.4, None),
    },
}


def _frame(name: str) -> pd.DataFrame:
    rows = [
        {
            "area_code": area,
            "area_name": area_name,
            "indicator": INDICATOR,
            "period_label": period,
            "period_start": date(int(period), 1, 1),
            "period_end": date(int(period), 12, 31),
            "year": int(period),
            "unit": "years",
            "value": value,
            "lci_95": None if value is None else value - 1,
            "uci_95": None if value is None else value + 1,
            "status": status,
        }
        for (area, period), (area_name, value, status) in FILES[name].items()
    ]
    return pd.DataFrame(rows).astype({"value": "float64", "lci_95": "float64", "uci_95": "float64"})


def _load(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame | None = None) -> None:
    """Load file ``name`` (its rows, or ``frame`` parsed from it) with the real loader."""
    con.register("release", _frame(name) if frame is None else frame)
    load_raw_table(
        con,
        SOURCE,
        "release",
        file=Path(f"{name}.csv"),
        sha256=f"sha-{name}",
        metrics={INDICATOR: ("hle_birth", "sex=female")},
    )
    con.unregister("release")


def _play(con: duckdb.DuckDBPyConnection, sequence: str) -> None:
    """Load each file of the sequence in turn (the nightly ingest) and record the history after it."""
    ensure_load_log(con)
    for name in sequence:
        _load(con, name)
        history.record(con, [SOURCE])


def _models(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    tables = {
        "vintages.source_vintages": con.sql(f"select * from {history.VINTAGES}").df(),
        "vintages.metric_value_history": con.sql(f"select * from {history.HISTORY}").df(),
    }
    return (
        run_model_on_fixtures("metric_value_history", tables),
        run_model_on_fixtures("metric_revisions", tables),
    )


def _expected(sequence: str):
    """The model: vintages, the figures of each, the revisions between consecutive ones, and the number
    of ranges (runs of consecutive vintages in which a figure held the same values)."""
    vintages = [name for name, _ in itertools.groupby(sequence)]
    figures = {
        (number, key): FILES[name][key]
        for number, name in enumerate(vintages, start=1)
        for key in FILES[name]
    }
    revisions = {}
    for number in range(2, len(vintages) + 1):
        old, new = FILES[vintages[number - 2]], FILES[vintages[number - 1]]
        for key in old.keys() & new.keys():
            if old[key][1:] != new[key][1:]:
                revisions[(number, key)] = (old[key][1], new[key][1], old[key][2], new[key][2])
    ranges = sum(1 for (number, key), values in figures.items() if figures.get((number - 1, key)) != values)
    return vintages, figures, revisions, ranges


def _none(value):
    return None if pd.isna(value) else value


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ABC", min_size=1, max_size=5))
def test_every_sequence_of_releases_matches_the_model(sequence):
    vintages, figures, revisions, ranges = _expected(sequence)
    with duckdb.connect() as con:
        _play(con, sequence)
        assert history.broken_invariants(con) == []
        recorded_vintages = con.execute(
            f"select vintage_number, vintage, figures_recorded from {history.VINTAGES} order by 1"
        ).fetchall()
        assert recorded_vintages == [(n, f"sha-{name}", True) for n, name in enumerate(vintages, start=1)]
        assert con.execute(f"select count(*) from {history.HISTORY}").fetchall()[0][0] == ranges
        history_model, revisions_model = _models(con)
        # replaying a healthy history changes nothing
        before = con.sql(f"select * exclude (recorded_at) from {history.HISTORY} order by all").fetchall()
        repaired = history.repair(con)
        after = con.sql(f"select * exclude (recorded_at) from {history.HISTORY} order by all").fetchall()
        assert repaired.broken_before == [] and repaired.conflicts_resolved == 0 and after == before

    got_figures = {
        (int(row.vintage_number), (row.area_code, row.period)): (
            row.area_name,
            _none(row.value),
            _none(row.status),
        )
        for row in history_model.itertuples()
    }
    assert len(history_model) == len(figures)
    assert got_figures == figures
    current = len(vintages)
    assert set(history_model.loc[history_model.is_current, "vintage_number"]) <= {current}
    assert set(history_model.vintage) == {f"sha-{name}" for name in vintages}

    got_revisions = {
        (int(row.new_vintage_number), (row.area_code, row.period)): (
            _none(row.old_value),
            _none(row.new_value),
            _none(row.old_status),
            _none(row.new_status),
        )
        for row in revisions_model.itertuples()
    }
    assert len(revisions_model) == len(revisions)
    assert got_revisions == revisions
    for row in revisions_model.itertuples():
        assert row.old_vintage == f"sha-{vintages[row.new_vintage_number - 2]}"
        assert row.new_vintage == f"sha-{vintages[row.new_vintage_number - 1]}"


def test_the_reported_sequence_gives_four_revisions_of_one_figure():
    """A -> B -> A -> C -> A, worked by hand: Hartlepool 58.1 -> 58.5 -> 58.1 (B and back), Redcar
    60.2 -> 60.0 -> 60.2 (C and back), Middlesbrough suppressed in B and back, Stockton dropped by B
    (no revision), back in A, revised by C and back. C's new area name is no revision."""
    with duckdb.connect() as con:
        _play(con, "ABACA")
        _, revisions = _models(con)
    got = sorted(
        (int(r.new_vintage_number), r.area_code, _none(r.old_value), _none(r.new_value))
        for r in revisions.itertuples()
    )
    assert got == [
        (2, "E06000001", 58.1, 58.5),
        (2, "E06000002", 57.0, None),
        (3, "E06000001", 58.5, 58.1),
        (3, "E06000002", None, 57.0),
        (4, "E06000003", 60.2, 60.0),
        (4, "E06000004", 61.0, 61.4),
        (5, "E06000003", 60.0, 60.2),
        (5, "E06000004", 61.4, 61.0),
    ]


def test_a_reloaded_same_file_adds_no_vintage_and_a_reparse_replaces_its_ranges():
    with duckdb.connect() as con:
        _play(con, "AA")
        assert con.execute(f"select count(*) from {history.VINTAGES}").fetchall() == [(1,)]
        assert con.execute(f"select count(*) from {history.HISTORY}").fetchall() == [(4,)]
        # a parser fix: the same file (same sha256) is loaded again and yields one value differently
        reparsed = _frame("A")
        reparsed.loc[reparsed.area_code == "E06000001", "value"] = 58.3
        _load(con, "A", reparsed)
        history.record(con, [SOURCE])
        assert con.execute(f"select count(*) from {history.VINTAGES}").fetchall() == [(1,)]
        rows = con.execute(
            f"select first_vintage_number, last_vintage_number, value from {history.HISTORY} "
            "where area_code = 'E06000001'"
        ).fetchall()
        assert rows == [(1, None, 58.3)]  # the vintage's figures are its latest parse, not two ranges
        assert history.broken_invariants(con) == []


def test_a_broken_invariant_stops_recording_names_itself_and_repair_keeps_every_vintage():
    with duckdb.connect() as con:
        _play(con, "AB")
        figures_before = _models(con)[0].sort_values(["vintage_number", "area_code", "period"])
        # corruption: a second open range for Hartlepool 2019 (two values in the current vintage),
        # recorded before the real one
        con.execute(
            f"insert into {history.HISTORY} select source_id, first_vintage_number, null, "
            "recorded_at - interval 1 day, area_code, area_name, indicator, metric_id, breakdown, period_label, "
            "period_start, period_end, year, unit, 99.9, lci_95, uci_95, status "
            f"from {history.HISTORY} where area_code = 'E06000001' and last_vintage_number is null"
        )
        broken = history.broken_invariants(con)
        assert broken == ["1 overlapping ranges (a figure held two values in one vintage)"]
        _load(con, "C")
        with pytest.raises(history.HistoryInvariantError) as raised:
            history.record(con, [SOURCE])
        message = str(raised.value)
        assert "overlapping ranges" in message and history.REPAIR_COMMAND in message
        assert con.execute(
            f"select count(*) from {history.HISTORY_LOG} where vintage_number = 3"
        ).fetchall() == [(0,)]

        repaired = history.repair(con)
        assert repaired.broken_before == broken and repaired.conflicts_resolved == 1
        assert history.broken_invariants(con) == []
        history.record(con, [SOURCE])  # the held-back vintage is recorded now
        figures_after = _models(con)[0]
    kept = figures_after[figures_after.vintage_number <= 2].sort_values(
        ["vintage_number", "area_code", "period"]
    )
    # every figure of vintages 1 and 2 is as it was; the conflicting 99.9 (recorded earlier) is gone
    assert (
        kept[["vintage_number", "area_code", "period", "value"]]
        .reset_index(drop=True)
        .equals(figures_before[["vintage_number", "area_code", "period", "value"]].reset_index(drop=True))
    )
    assert 99.9 not in set(figures_after.value)
    assert set(figures_after.vintage_number) == {1, 2, 3}


def test_a_first_format_history_is_converted_with_every_vintage(tmp_path):
    """A build written before ranges kept one full copy per distinct file: converting it replays the
    vintages in load order and gives the same figures as recording them as ranges from the start."""
    with duckdb.connect() as con:
        _play(con, "ABACA")
        expected = _models(con)[0]
        first_format = con.sql(
            f"""select v.source_id, v.vintage, v.first_loaded_at as loaded_at, {history._columns("h.")}
            from {history.VINTAGES} v join {history.HISTORY} h on h.source_id = v.source_id
             and v.vintage_number between h.first_vintage_number and coalesce(h.last_vintage_number, 99)
            qualify row_number() over (partition by v.vintage, h.area_code, h.period_label order by v.vintage_number) = 1"""
        ).df()
        con.execute(f"drop table {history.HISTORY}")
        con.execute(f"drop table {history.HISTORY_LOG}")
        con.register("first_format", first_format)
        con.execute(f"create table {history.HISTORY} as select * from first_format")
        history.ensure_tables(con)
        assert history.broken_invariants(con) == []
        converted = _models(con)[0]
    key = ["vintage_number", "area_code", "period"]
    assert (
        converted.sort_values(key)[[*key, "value", "status"]]
        .reset_index(drop=True)
        .equals(expected.sort_values(key)[[*key, "value", "status"]].reset_index(drop=True))
    )
