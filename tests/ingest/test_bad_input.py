"""Each kind of bad input, through a refresh of the poisoned source and everything downstream of it: a clear failure naming file, column and problem,
no publish and an unchanged published warehouse.

Adding a case is one line in CASES: a poison from tests/helpers.py and the fragments the failure must
name. Legitimate oddities (the input must publish, handled as said) are one line in
tests/helpers.py's LEGITIMATE_ODDITIES; test_operations.py publishes a release carrying all of them.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.ingest.sources.catalogue import get_source
from orchestration.operations.runner import failure_line, run_refresh
from orchestration.settings import BUNDLED_DIR_VAR, WAREHOUSE_DIR_VAR
from orchestration.warehouse.files import sha256_of
from tests.helpers import (
    append_copy_of_line,
    copy_published,
    drop_column,
    isolated_warehouse,
    poisoned_bundle,
    reencoded,
    rename_column,
    set_cell,
    set_cells_where,
    with_delimiter,
)

HLE = get_source("healthy_life_expectancy")
FILE = "healthy-life-expectancy.csv"


@dataclass(frozen=True)
class Fails:
    """The refresh fails, naming these fragments; nothing is published."""

    fragments: tuple[str, ...]


CASES = {
    "missing file": (None, Fails((FILE, "file not found"))),
    "empty file": (lambda data: b"", Fails((FILE, "file is empty"))),
    "truncated file": (lambda data: data[: len(data) // 2], Fails((FILE, "truncated"))),
    "renamed column": (
        rename_column("observation", "value"),
        Fails((FILE, "column 'observation'", "may be renamed")),
    ),
    "missing column": (drop_column("lci_95"), Fails((FILE, "column 'lci_95'", "lacks expected column"))),
    "another delimiter": (with_delimiter(";"), Fails((FILE, "delimited by ';'"))),
    "latin-1 encoding": (
        reencoded("latin-1", 40, "areanm", "Ynys Môn"),
        Fails((FILE, "not valid UTF-8", "line 40")),
    ),
    "non-numeric observation": (
        set_cell(12, "observation", "n/a"),
        Fails((FILE, "column 'observation'", "line 12", "'n/a'")),
    ),
    "conflicting duplicate key": (
        append_copy_of_line(5, observation="99.9"),
        Fails((FILE, "duplicate key", "different figures")),
    ),
    "changed period format": (
        set_cell(7, "period", "2019-21"),
        Fails((FILE, "column 'period'", "line 7", "ISO-8601")),
    ),
    "unknown area code": (
        set_cells_where("areacd", "E06999999", lambda r: r["areacd"] == "E06000001"),
        Fails(("relationships_fct_area_year_metrics_area_code",)),
    ),
    "out-of-range value": (
        set_cells_where("observation", "150.0", lambda r: r["areacd"] == "E06000001"),
        Fails(("gx_raw_healthy_life_expectancy",)),
    ),
}


def _refresh_poisoned(built_warehouse, tmp_path, source, poison):
    """A copy of the session's published warehouse, refreshed for ``source`` with its file poisoned:
    (the run's summary, the published file, its sha256 before the run)."""
    warehouse = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    published = warehouse / "mission_tracker.duckdb"
    before = sha256_of(published)
    bundle = poisoned_bundle(tmp_path, source.bundled_path, poison)
    with isolated_warehouse(warehouse, bundle):
        summary = run_refresh(sources=[source.id])  # its ingest, its checks, dbt, marts, publish
    return summary, published, before


@pytest.mark.end_to_end(seconds=4)  # each case: a refresh that stops at its ingest gate
@pytest.mark.parametrize("case", list(CASES))
def test_bad_input(case, built_warehouse, tmp_path):
    poison, outcome = CASES[case]
    summary, published, before = _refresh_poisoned(built_warehouse, tmp_path, HLE, poison)
    assert isinstance(outcome, Fails)
    assert not summary.success and summary.published is None
    message = "\n".join(summary.failures + summary.checks_failed)
    for fragment in outcome.fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert sha256_of(published) == before, "the published warehouse changed"


def test_a_bad_workbook_fails_its_asset_naming_file_sheet_row_and_column_and_publishes_nothing(
    built_warehouse, tmp_path
):
    """Text in a number cell of a real ONS workbook (Cleveland's residential burglary, Table P1)."""
    import io

    import openpyxl

    source = get_source("pfa_crime_ye_mar2019")

    def poison(data: bytes) -> bytes:
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        workbook["Table P1 "]["O10"] = "n/a"
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    summary, published, before = _refresh_poisoned(built_warehouse, tmp_path, source, poison)
    assert not summary.success and summary.published is None
    message = "\n".join(summary.failures)
    assert "policeforceareatablesyeendingmarch2019.xlsx (sheet 'Table P1 ', column 'O', row 10)" in message
    assert "expected a number, found 'n/a'" in message
    assert sha256_of(published) == before, "the published warehouse changed"


@pytest.mark.end_to_end(seconds=20)
def test_a_release_that_drops_areas_fails_the_coverage_gate(built_warehouse, tmp_path):
    """A file that still parses and passes its own row-count floor, but has lost a tenth of its areas."""
    warehouse = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    before = sha256_of(warehouse / "mission_tracker.duckdb")
    keep = {f"E0{k}" for k in ("6", "8", "9")}

    def drop_some_unitaries(data: bytes) -> bytes:
        import csv
        import io

        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        dropped = {r[0] for r in rows[1:] if r[0][:3] in keep and int(r[0][-2:]) % 6 == 0}
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows([r for r in rows if r[0] not in dropped])
        return out.getvalue().encode("utf-8")

    bundle = poisoned_bundle(tmp_path, HLE.bundled_path, drop_some_unitaries)
    with isolated_warehouse(warehouse, bundle):
        summary = run_refresh(sources=[HLE.id])
    assert not summary.success and summary.published is None
    assert "metric_coverage:gx_metric_coverage" in summary.checks_failed
    assert sha256_of(warehouse / "mission_tracker.duckdb") == before


@pytest.mark.end_to_end(seconds=8)
def test_a_failed_refresh_prints_one_line_per_step_and_leaves_the_traces_in_its_log(
    built_warehouse, tmp_path
):
    """Through the installed command: a corrupt file's refresh prints its progress lines and a summary
    whose failure is one line naming the file, column, line and problem; the stack traces are only in
    the log file whose path it prints."""
    warehouse = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    bundle = poisoned_bundle(tmp_path, HLE.bundled_path, set_cell(12, "observation", "n/a"))
    env = {**os.environ, WAREHOUSE_DIR_VAR: str(warehouse), BUNDLED_DIR_VAR: str(bundle)}
    cli = str(Path(sys.executable).with_name("mission-tracker"))
    run = subprocess.run(
        [cli, "refresh", "--source", HLE.id], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 1
    output = (run.stdout + run.stderr).splitlines()
    assert not any(
        word in line for line in output for word in ("Traceback", "Stack Trace", "dagster - ERROR")
    )
    assert sum("'ingest_sources'" in line for line in output) == 0  # no "Dependencies ... failed" lists
    (failure,) = [line for line in output if "step failed - " in line]
    assert failure == (
        f"  step failed - ingest_sources: raw/{HLE.id}: {bundle / HLE.bundled_path} "
        "(column 'observation', line 12): expected a number, found 'n/a'"
    )
    # the run's lines: the start, one ingest line at most, the failed step, then a summary of ~8 lines
    assert len(output) <= 14, "\n".join(output)
    (log_line,) = [line for line in output if line.startswith("(full dbt and Dagster output: ")]
    log = Path(log_line.removeprefix("(full dbt and Dagster output: ").rstrip(")"))
    text = log.read_text(encoding="utf-8")
    assert "STEP_FAILURE" in text and "SourceFormatError" in text and "Stack Trace" in text


def test_a_dbt_failure_is_one_line_on_the_terminal():
    message = (
        "dbt_models: The dbt CLI process with command\n\n`dbt build`\n\nfailed with exit code `1`.\n\n"
        "Errors parsed from dbt logs:\n\n189 of 313 FAIL 1 unique_combination_metric_revisions_x  "
        "[\x1b[31mFAIL 1\x1b[0m in 0.04s]\n\nStack Trace:\n  File x"
    )
    assert failure_line(message) == (
        "dbt_models: dbt reported 189 of 313 FAIL 1 unique_combination_metric_revisions_x  [FAIL 1 in 0.04s]"
    )
    assert failure_line("ingest_sources: raw/x: f.csv (column 'a', line 3): bad\nmore") == (
        "ingest_sources: raw/x: f.csv (column 'a', line 3): bad"
    )


def _rename_sheet(old: str, new: str):
    """A poison that renames one sheet of an XLSX in its workbook part (the cells stay as they are)."""

    def _poison(data: bytes) -> bytes:
        import io
        import zipfile

        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                body = src.read(item.filename)
                if item.filename == "xl/workbook.xml":
                    body = body.replace(f'<sheet name="{old}"'.encode(), f'<sheet name="{new}"'.encode())
                dst.writestr(item, body)
        return out.getvalue()

    return _poison


def _replace_text(old: str, new: str, count: int = 1):
    def _poison(data: bytes) -> bytes:
        assert data.count(old.encode()) >= count, f"{old!r} not in the file"
        return data.replace(old.encode(), new.encode(), count)

    return _poison


# The sources issue 27 added, each damaged as a publisher might: its refresh fails naming the file
# and the sheet, column or line, and the published warehouse is unchanged.
NEW_SOURCE_CASES = {
    "NTS text in a number cell": (
        "dft_nts0409a",
        set_cell(3, "All purposes", "about 18"),
        ("nts0409a_average_trips_by_mode_and_purpose.csv", "column 'All purposes'", "line 3", "'about 18'"),
    ),
    "Census renamed count column": (
        "census2021_ts061",
        rename_column("Observation", "Count"),
        ("ts061_travel_to_work_ltla_2021.csv", "column 'Observation'"),
    ),
    "JTS renamed sheet": (
        "dft_jts0408",
        _rename_sheet("2016", "2016_FINAL"),
        ("jts0408_town_centres_2014_2017.xlsx", "no sheet(s) ['2016']", "2016_FINAL"),
    ),
    "ScotPHO period in an unknown form": (
        "scotpho_council_profiles",
        _replace_text('"4-year aggregate (2014 - 2017)"', '"2014ish"'),
        ("scotpho_council_area_indicators.csv", "column 'period'", "line 2", "2014ish"),
    ),
    "ELS file for Northern Ireland with a shifted header": (
        "apprenticeships_ni",
        _replace_text("areacd,areanm,geography", "areanm,geography,areacd"),
        ("apprenticeships-ni.csv", "column 'areacd'"),
    ),
}


@pytest.mark.end_to_end(seconds=4)
@pytest.mark.parametrize("case", list(NEW_SOURCE_CASES))
def test_a_damaged_new_source_fails_naming_where_and_publishes_nothing(case, built_warehouse, tmp_path):
    source_id, poison, fragments = NEW_SOURCE_CASES[case]
    source = get_source(source_id)
    summary, published, before = _refresh_poisoned(built_warehouse, tmp_path, source, poison)
    assert not summary.success and summary.published is None
    message = "\n".join(summary.failures + summary.checks_failed)
    assert f"raw/{source.id}" in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert sha256_of(published) == before, "the published warehouse changed"
