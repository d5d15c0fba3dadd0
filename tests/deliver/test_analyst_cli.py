"""The CLI an analyst meets: listing sources, a mistyped source id, SQL from a file, honest row counts."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.deliver.analyst import (
    READ_ONLY_HINT,
    SANDBOX_HINT,
    STOP_WAIT_SECONDS,
    SYNTAX_HINT,
    TABLES_HINT,
    VALUE_HINT,
    connect_analyst,
)
from orchestration.ingest.sources.catalogue import load_catalogue

CLI = str(Path(sys.executable).with_name("mission-tracker"))


def _run(capsys, *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def test_sources_lists_every_catalogue_source_with_its_latest_period(built_warehouse, published_con, capsys):
    code, out, _err = _run(capsys, "sources")
    assert code == 0
    catalogue = load_catalogue()
    assert out[0].startswith(f"{len(catalogue)} sources")
    for source in catalogue:
        assert any(
            line.strip().startswith(f"{source.id} [{source.provenance}] {source.title}") for line in out
        )
    latest = published_con.execute(
        "select arg_max(last_period, loaded_at) from raw._load_log where source_id = 'healthy_life_expectancy'"
    ).fetchone()[0]
    index = next(i for i, line in enumerate(out) if line.strip().startswith("healthy_life_expectancy "))
    assert out[index + 1].strip().startswith(f"latest period: {latest}; ")
    assert any(word in out[index + 1] for word in ("fresh", "overdue"))


def test_an_unknown_source_is_named_with_close_matches_and_no_traceback(capsys):
    code, out, err = _run(capsys, "refresh", "--source", "healthy_life_expectency")
    assert code == 2 and out == []
    assert err == [
        "error: no source 'healthy_life_expectency' in the catalogue",
        "hint: did you mean: healthy_life_expectancy? `mission-tracker sources` lists them all",
    ]


def test_query_reads_sql_from_a_file_and_always_says_how_many_rows(built_warehouse, tmp_path, capsys):
    # no published_con here: DuckDB refuses a second connection with another configuration in one process
    sql_file = tmp_path / "missions.sql"
    sql_file.write_text("select mission_id, title from dim_missions order by mission_id\n", encoding="utf-8")
    code, out, _err = _run(capsys, "query", "-f", str(sql_file))
    assert code == 0 and out[-1] == "12 rows" and "M01" in out[1]
    with connect_analyst(built_warehouse.settings.published_db) as con:
        areas = con.execute("select count(*) from dim_areas").fetchone()[0]
    assert areas > 21
    code, out, _err = _run(capsys, "query", "select area_code from dim_areas order by 1")
    assert code == 0 and len(out) == 1 + 20 + 1  # header, 20 rows, the count line
    assert (
        out[-1] == "showing the first 20 rows; there are more: --max-rows N, or --csv/--parquet FILE for all"
    )
    code, out, _err = _run(
        capsys, "query", "select area_code from dim_areas order by 1 limit 21", "--max-rows", "21"
    )
    assert code == 0 and out[-1] == "21 rows"
    code, out, _err = _run(capsys, "query", "select mission_id from dim_missions where false")
    assert code == 0 and out == ["mission_id", "0 rows"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "select 1", "-f", "x.sql"], "error: give the SQL or -f FILE, not both"),
        (
            ["query", "-f", "/no/such/file.sql"],
            "error: cannot read /no/such/file.sql: No such file or directory",
        ),
    ],
)
def test_query_input_mistakes_are_one_error_line(built_warehouse, capsys, argv, message):
    code, _out, err = _run(capsys, *argv)
    assert code == 2 and err[0] == message and err[1].startswith("hint:")


def test_the_installed_command_exits_with_mains_code_and_all_its_output_piped(built_warehouse) -> None:
    """`mission-tracker` skips the interpreter's teardown at exit (orchestration.cli.console_entry):
    what main printed must still arrive whole through a pipe, with main's exit code, argparse's
    usage code and a CliError's code unchanged."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    cli = str(Path(sys.executable).with_name("mission-tracker"))
    env = {**os.environ, "MISSION_TRACKER_WAREHOUSE_DIR": str(built_warehouse.settings.warehouse_dir)}
    sources = subprocess.run([cli, "sources"], env=env, capture_output=True, text=True, timeout=60)
    assert sources.returncode == 0, sources.stderr
    lines = sources.stdout.splitlines()
    catalogue = load_catalogue()
    assert lines[0].startswith(f"{len(catalogue)} sources")
    assert sum(line.startswith(f"  {source.id} [") for line in lines for source in catalogue) == len(
        catalogue
    )
    usage = subprocess.run([cli, "no-such-command"], env=env, capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    unknown = subprocess.run([cli, "refresh", "--source", "nope"], env=env, capture_output=True, text=True)
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: no source 'nope'")


# --- through the installed command: errors, limits, display ---------------------------------------


def _cli(warehouse, *argv: str, **popen) -> subprocess.CompletedProcess:
    env = {**os.environ, "MISSION_TRACKER_WAREHOUSE_DIR": str(warehouse.settings.warehouse_dir)}
    return subprocess.run([CLI, *argv], env=env, capture_output=True, text=True, timeout=120, **popen)


@pytest.mark.parametrize(
    ("sql", "error", "hint"),
    [
        (
            "select cast(area_name as int) from dim_areas",
            "Conversion Error: Could not convert string",
            VALUE_HINT,
        ),
        ("select error('boom')", "Invalid Input Error: boom", VALUE_HINT),
        ("select * from duckdb_extensions() where loaded", "Permission Error:", SANDBOX_HINT),
        ("selec 1", 'Parser Error: syntax error at or near "selec"', SYNTAX_HINT),
        ("select nope from dim_areas", "Binder Error:", TABLES_HINT),
        ("install httpfs", "refused: INSTALL statements are not allowed", READ_ONLY_HINT),
    ],
)
def test_every_query_error_is_one_line_and_a_hint_that_fits(built_warehouse, sql, error, hint):
    run = _cli(built_warehouse, "query", sql)
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 2, run.stderr  # no traceback
    assert lines[0].startswith(f"error: query failed: {error}"), lines[0]
    assert lines[1] == f"hint: {hint}"


HEAVY = "select sum(a.value * b.value) from fct_area_year_metrics a, fct_area_year_metrics b"


def test_a_query_past_its_timeout_is_interrupted_with_one_line(built_warehouse):
    started = time.monotonic()
    run = _cli(built_warehouse, "query", "--timeout", "1", HEAVY)
    took = time.monotonic() - started
    assert (
        run.returncode == 2 and run.stderr.splitlines()[0] == "error: query stopped after 1 s (its timeout)"
    )
    assert len(run.stderr.splitlines()) == 2 and run.stdout == ""
    assert took < 15  # the query alone runs for minutes; the command includes Python's start-up


def _interruptible() -> None:
    """In the child, before exec: Ctrl-C (SIGINT) at its default, as in a terminal. A suite started in
    the background (`make test &`, nohup) passes SIGINT on ignored, and Python then rightly installs
    no KeyboardInterrupt handler: the command would never see the test's Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _heavy_query(built_warehouse) -> subprocess.Popen:
    """The installed command running HEAVY with no timeout, interruptible as from a terminal."""
    env = {**os.environ, "MISSION_TRACKER_WAREHOUSE_DIR": str(built_warehouse.settings.warehouse_dir)}
    return subprocess.Popen(
        [CLI, "query", "--timeout", "0", HEAVY],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_interruptible,
    )


def test_ctrl_c_interrupts_a_running_query_at_once(built_warehouse):
    process = _heavy_query(built_warehouse)
    time.sleep(3)  # well into the query
    assert process.poll() is None
    signalled = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    # at once: DuckDB normally stops within milliseconds, and the command never waits on it longer
    # than STOP_WAIT_SECONDS (a loaded machine)
    assert time.monotonic() - signalled < STOP_WAIT_SECONDS + 2
    assert process.returncode == 130 and out == ""
    lines = err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: query interrupted (Ctrl-C) after "), err


def test_ctrl_c_before_the_query_starts_is_one_line_too(built_warehouse):
    """Pressed while the command is still starting (importing, opening the file): no traceback."""
    process = _heavy_query(built_warehouse)
    time.sleep(0.2)  # Python is up (its Ctrl-C handler installed); the command is importing, or just begun
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130 and out == "" and "Traceback" not in err, err
    assert err.splitlines()[0] == "error: interrupted (Ctrl-C)" or err.startswith(
        "error: query interrupted (Ctrl-C)"
    )


def test_five_million_rows_stream_to_csv_and_parquet_under_a_2_gb_address_space_cap(
    built_warehouse, tmp_path
):
    """`ulimit -v` (RLIMIT_AS, set in the child before exec) caps the command's whole address space at
    2 GB: fetching the result into pandas first, as before, failed under it (numpy could not allocate
    the result's columns); streaming Arrow record batches writes it in ~300 MB."""
    sql = "select i, i * 0.5 as half, 'area ' || i as name, cast(null as varchar) as missing from range(5000000) t(i)"
    cap = 2 * 1024**3

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    for flag, name in (("--csv", "big.csv"), ("--parquet", "big.parquet")):
        target = tmp_path / name
        run = _cli(built_warehouse, "query", flag, str(target), sql, preexec_fn=limit)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == f"wrote {target} (5,000,000 rows)"
        ((rows, total, nulls, last),) = duckdb.sql(
            f"select count(*), sum(i), count(*) - count(missing), max(name) from '{target}'"
        ).fetchall()
        assert (rows, total, nulls) == (5_000_000, 5_000_000 * 4_999_999 // 2, 5_000_000)
        assert last == "area 999999"  # the largest as text: "area 999999" > "area 4999999"
    assert not list(tmp_path.glob(".*.partial"))


def test_nulls_and_numbers_show_as_they_are(built_warehouse):
    run = _cli(
        built_warehouse,
        "query",
        "select 'a' as name, cast(null as double) as missing, 46911.0 as pay, 62.7 as hle, 1.0 / 3 as third, "
        "cast(null as varchar) as note, 12 as n, true as flag, date '2024-03-31' as day",
    )
    assert run.returncode == 0, run.stderr
    header, row, count = run.stdout.splitlines()
    assert header.split() == ["name", "missing", "pay", "hle", "third", "note", "n", "flag", "day"]
    assert row.split() == ["a", "NULL", "46911", "62.7", "0.3333333333", "NULL", "12", "true", "2024-03-31"]
    assert count == "1 row"


def test_a_reader_that_goes_away_stops_the_command_quietly(built_warehouse):
    """`mission-tracker sources | head -1`: the pipe closes before the command has written; no
    BrokenPipeError traceback, exit 141 (128 + SIGPIPE), as a shell reports it."""
    env = {**os.environ, "MISSION_TRACKER_WAREHOUSE_DIR": str(built_warehouse.settings.warehouse_dir)}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    run = subprocess.run(
        [CLI, "sources"], env=env, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120
    )
    os.close(write_end)
    assert run.returncode == 141 and run.stderr == ""


def test_a_name_prefix_that_fits_several_authorities_lists_them(built_warehouse, capsys):
    assert main(["profile", "black"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: 'black' matches 2 local authorities: Blackburn with Darwen (E06000008); Blackpool (E06000009)",
        "hint: give more of the name, or the code",
    ]
