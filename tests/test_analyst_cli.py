"""The CLI an analyst meets: listing sources, a mistyped source id, SQL from a file, honest row counts."""

from __future__ import annotations

import pytest

from orchestration.cli import main
from orchestration.sources.catalogue import load_catalogue
from orchestration.warehouse import connect_analyst


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
    code, out, _err = _run(capsys, "query", "select area_code from dim_areas order by 1")
    assert code == 0 and len(out) == 1 + 20 + 1  # header, 20 rows, the count line
    assert (
        out[-1] == f"showing 20 of {areas:,} rows; use --max-rows N, or --csv/--parquet FILE for all of them"
    )
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
