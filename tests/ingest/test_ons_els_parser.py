"""The ELS readers on each oddity the real files have, and on each kind of bad input.

Every case runs twice: through the Python reader (``parse_els_csv``) and through the DuckDB reader
as ingest uses it (``stage_els_csv``, falling back to the Python reader when it steps aside). Both
must give the same rows and the same errors; the DuckDB reader must take every well-formed case
itself, and step aside only where the Python reader has to name a line or strip odd whitespace.
"""

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.ingest.sources.catalogue import load_catalogue
from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.ons_els import ELS_COLUMNS, PARSED_COLUMNS, parse_els_csv, stage_els_csv
from orchestration.ingest.sources.tidy import ParseReport

HEADER = ",".join(ELS_COLUMNS)
BUNDLED_ELS = Path(__file__).resolve().parents[2] / "data" / "bundled" / "ons_els"


class DuckDBReader:
    """``stage_els_csv`` on a fresh in-memory connection for any file size, the staged rows read back
    as a frame with None for NULL (as the Python reader gives them); the Python reader when it steps
    aside, which ``fell_back`` records."""

    def __init__(self) -> None:
        self.fell_back = False

    def __call__(self, path: Path, **rules: str) -> tuple[pd.DataFrame, ParseReport]:
        with duckdb.connect() as con:
            report = stage_els_csv(con, path, "staged", min_bytes=0, **rules)
            if report is None:
                self.fell_back = True
                assert con.execute("select count(*) from duckdb_tables() where temporary").fetchone() == (0,)
                return parse_els_csv(path, **rules)
            frame = con.execute("select * from staged").df()
        frame = frame.astype(object).where(frame.notna(), None)
        return frame, report


@pytest.fixture(params=["python", "duckdb"])
def read(request) -> Callable[[Path], tuple[pd.DataFrame, ParseReport]]:
    return parse_els_csv if request.param == "python" else DuckDBReader()


def took_it(read) -> bool:
    """The DuckDB reader read the file itself (trivially true for the Python reader)."""
    return not getattr(read, "fell_back", False)


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "sample.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def row(
    areacd="E06000001",
    areanm="Hartlepool",
    observation="58.1",
    status="",
    period="2017-01-01/P3Y",
    lci="57.0",
    uci="59.2",
    indicator="Female healthy life expectancy",
) -> str:
    geography = "County or Unitary Authority"
    return f"{areacd},{areanm},{geography},{indicator},{period},{observation},Years,yrs,{lci},{uci},{status},"


def test_parses_typed_rows(read, tmp_path):
    frame, report = read(write(tmp_path, f"{HEADER}\n{row()}\n"))
    assert list(frame.columns) == list(PARSED_COLUMNS)
    record = frame.iloc[0]
    assert (record.area_code, record.period_label, record.year) == ("E06000001", "2017-2019", 2019)
    assert (record.value, record.lci_95, record.uci_95, record.status) == (58.1, 57.0, 59.2, None)
    assert record.source_line == 2
    assert report.rows_read == 1 and report.suppressed == 0
    assert took_it(read)


def test_utf8_bom_and_column_order_and_quoted_commas(read, tmp_path):
    columns = list(reversed(ELS_COLUMNS))
    cells = {
        "areacd": "E06000058",
        "areanm": '"Bournemouth, Christchurch and Poole"',
        "geography": "x",
        "indicator": "Male healthy life expectancy",
        "period": "2018-01-01/P3Y",
        "observation": "63.4",
        "measure": "Years",
        "unit": "yrs",
        "lci_95": "",
        "uci_95": "",
        "status": "",
        "notes": "",
    }
    text = ",".join(columns) + "\n" + ",".join(cells[c] for c in columns) + "\n"
    frame, _ = read(write(tmp_path, "\ufeff" + text))
    record = frame.iloc[0]
    assert record.area_name == "Bournemouth, Christchurch and Poole"
    assert record.value == 63.4
    assert record.lci_95 is None and record.uci_95 is None  # empty CIs -> missing, not zero
    assert took_it(read)


@pytest.mark.parametrize(
    ("marker", "status"), [("[x]", "x"), ("..", "x"), (":", "x"), ("c", "c"), ("*", "c"), ("-", "x")]
)
def test_suppression_markers_become_null_with_status_never_zero(read, tmp_path, marker, status):
    frame, report = read(write(tmp_path, f"{HEADER}\n{row(observation=marker, lci=marker, uci='')}\n"))
    record = frame.iloc[0]
    assert record.value is None or record.value != record.value
    assert record.status == status
    assert report.suppressed == 1
    assert took_it(read)


def test_gss_status_column_is_kept(read, tmp_path):
    frame, _ = read(
        write(
            tmp_path, f"{HEADER}\n{row(observation='', status='x')}\n{row(areacd='E06000002', status='u')}\n"
        )
    )
    assert list(frame.status) == ["x", "u"]
    assert frame.value.iloc[1] == 58.1  # low reliability keeps its figure
    assert took_it(read)


def test_itl_codes_are_accepted(read, tmp_path):
    frame, _ = read(write(tmp_path, f"{HEADER}\n{row(areacd='TLC', areanm='North East')}\n"))
    assert frame.area_code.iloc[0] == "TLC"
    assert took_it(read)


def test_identical_duplicates_are_dropped_and_counted(read, tmp_path):
    frame, report = read(write(tmp_path, f"{HEADER}\n{row()}\n{row()}\n"))
    assert len(frame) == 1 and report.duplicates_dropped == 1
    assert took_it(read)


def test_extra_column_is_ignored_and_reported(read, tmp_path):
    text = f"{HEADER},extra\n{row()},surprise\n"
    frame, report = read(write(tmp_path, text))
    assert report.extra_columns == ["extra"] and len(frame) == 1
    assert took_it(read)


def error_for(read, tmp_path: Path, text: str, **kwargs) -> SourceFormatError:
    path = write(tmp_path, text, **kwargs)
    with pytest.raises(SourceFormatError) as caught:
        read(path)
    assert str(path) in str(caught.value), "the message names the file"
    return caught.value


def test_missing_file(read, tmp_path):
    with pytest.raises(SourceFormatError, match="file not found"):
        read(tmp_path / "absent.csv")


def test_empty_file(read, tmp_path):
    assert "file is empty" in str(error_for(read, tmp_path, ""))


def test_header_only(read, tmp_path):
    assert "no data rows" in str(error_for(read, tmp_path, HEADER + "\n"))


def test_renamed_column(read, tmp_path):
    error = error_for(read, tmp_path, HEADER.replace("observation", "value") + f"\n{row()}\n")
    assert error.column == "observation" and "may be renamed" in str(error) and "'value'" in str(error)


def test_other_delimiter(read, tmp_path):
    error = error_for(read, tmp_path, HEADER.replace(",", ";") + "\n" + row().replace(",", ";") + "\n")
    assert "delimited by ';'" in str(error)


def test_latin1_encoding(read, tmp_path):
    error = error_for(read, tmp_path, f"{HEADER}\n{row(areanm='Ynys Môn')}\n", encoding="latin-1")
    assert "not valid UTF-8" in str(error) and error.line == 2


def test_truncated_file(read, tmp_path):
    truncated = f"{HEADER}\n{row()}\n{row(areacd='E06000002')}"[:-40]
    error = error_for(read, tmp_path, truncated)
    assert error.line == 3 and "truncated" in str(error)


def test_non_numeric_observation(read, tmp_path):
    error = error_for(read, tmp_path, f"{HEADER}\n{row()}\n{row(areacd='E06000002', observation='5B.1')}\n")
    assert (error.column, error.line) == ("observation", 3) and "expected a number" in str(error)


def test_unknown_status(read, tmp_path):
    error = error_for(read, tmp_path, f"{HEADER}\n{row(status='q')}\n")
    assert error.column == "status" and "unknown status code" in str(error)


def test_malformed_area_code(read, tmp_path):
    error = error_for(read, tmp_path, f"{HEADER}\n{row(areacd='Hartlepool')}\n")
    assert error.column == "areacd"


def test_changed_period_format(read, tmp_path):
    error = error_for(read, tmp_path, f"{HEADER}\n{row(period='2017-19')}\n")
    assert error.column == "period" and "ISO-8601" in str(error)


def test_conflicting_duplicate_rows(read, tmp_path):
    error = error_for(read, tmp_path, f"{HEADER}\n{row()}\n{row(observation='60.0')}\n")
    assert "duplicate key" in str(error) and error.line == 3


def normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame in one form whichever reader made it: None for missing, dates as dates."""
    frame = frame.copy()
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)


#: Each bundled file's catalogue rules for its oddities (format_options), by file name.
RULES = {
    Path(source.bundled_path).name: dict(source.format_options)
    for source in load_catalogue()
    if source.format == "ons_els_csv"
}
#: Bundled files the Python reader must read: their header repeats a column (checked empty row by row).
PYTHON_ONLY = {"persistent-absences-for-pupils-eligible-for-free-school-meals.csv"}


@pytest.mark.parametrize("path", sorted(BUNDLED_ELS.glob("*.csv")), ids=lambda path: path.stem)
def test_both_readers_give_the_same_rows_and_report_for_every_bundled_file(path):
    expected, expected_report = parse_els_csv(path, **RULES[path.name])
    duckdb_reader = DuckDBReader()
    got, report = duckdb_reader(path, **RULES[path.name])
    assert took_it(duckdb_reader) == (path.name not in PYTHON_ONLY), (
        "a real publisher file is one the DuckDB reader takes itself, unless its header repeats a column"
    )
    pd.testing.assert_frame_equal(normalised(got), normalised(expected))
    assert report == expected_report


TAB_NAME = "Hartlepool\t"
NBSP_NAME = "\u00a0Hartlepool"
BROKEN_NAME = '"Hartle\npool"'
CR_NAME = '"Hartlepool\r"'


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"{HEADER}\n{row(areanm=TAB_NAME)}\n", id="tab at a cell's edge"),
        pytest.param(f"{HEADER}\n{row(areanm=NBSP_NAME)}\n", id="no-break space at a cell's edge"),
        pytest.param(f"{HEADER}\n{row()}\n\n{row(areacd='E06000002')}\n", id="blank line"),
        pytest.param(f"{HEADER}\n{row()}\n   \n{row(areacd='E06000002')}\n", id="line of spaces"),
        pytest.param(
            f"{HEADER}\n{row(areanm=BROKEN_NAME)}\n{row(areacd='E06000002')}\n", id="line break in quotes"
        ),
        pytest.param(f"{HEADER}\r\n{row(areanm=CR_NAME)}\r\n", id="carriage return in a quoted cell"),
    ],
)
def test_the_duckdb_reader_steps_aside_where_only_python_follows_the_lines(tmp_path, text):
    path = write(tmp_path, text)
    with duckdb.connect() as con:
        assert stage_els_csv(con, path, "staged", min_bytes=0) is None
        assert con.execute("select count(*) from duckdb_tables() where temporary").fetchone() == (0,)
    expected, expected_report = parse_els_csv(path)
    got, report = DuckDBReader()(path)
    pd.testing.assert_frame_equal(normalised(got), normalised(expected))
    assert report == expected_report


def test_a_file_under_the_size_threshold_is_left_to_the_python_reader(tmp_path):
    path = write(tmp_path, f"{HEADER}\n{row()}\n")
    with duckdb.connect() as con:
        assert stage_els_csv(con, path, "staged") is None  # default threshold: a few MB
        assert stage_els_csv(con, path, "staged", min_bytes=path.stat().st_size) is not None


# --- the oddities of the rest of Explore Local Statistics, each with its catalogue rule ----------------


def test_an_area_without_a_code_is_set_aside_and_counted_by_name_under_its_rule(read, tmp_path):
    text = (
        f"{HEADER}\n{row(areacd='na', areanm='Glasgow City Region')}\n"
        f"{row(areacd='na', areanm='Glasgow City Region', period='2018-01-01/P3Y')}\n"
        f"{row(areacd='na', areanm='Aberdeen City Region')}\n{row(areacd='N34000001', areanm='Belfast City Region')}\n"
    )
    frame, report = read(write(tmp_path, text), areas_without_code="na")
    assert list(frame.area_code) == ["N34000001"]  # a city region with a GSS code (N34) is kept
    assert report.set_aside == {
        "area code 'na' (no GSS code): Aberdeen City Region": 1,
        "area code 'na' (no GSS code): Glasgow City Region": 2,
    }
    assert report.rows_read == 4
    assert took_it(read)


def test_an_area_without_a_code_is_refused_where_the_catalogue_states_no_rule(read, tmp_path):
    error = error_for(
        read, tmp_path, f"{HEADER}\n{row()}\n{row(areacd='na', areanm='Glasgow City Region')}\n"
    )
    assert (error.column, error.line) == ("areacd", 3) and "'na' is not a GSS code" in error.problem


def test_a_note_in_the_status_column_becomes_the_rows_note_under_its_rule(read, tmp_path):
    note = "Value for Hackney and City of London combined"
    text = f"{HEADER}\n{row(areacd='E67000001', status=note)}\n{row(status='u')}\n"
    frame, report = read(write(tmp_path, text), status_notes="Value for .+ combined")
    assert list(frame.status) == [None, "u"]
    assert list(frame.notes) == [note, None]
    assert frame.value.iloc[0] == 58.1 and report.status_notes == 1
    assert took_it(read)


def test_a_status_note_the_rule_does_not_match_is_still_an_unknown_status(read, tmp_path):
    text = f"{HEADER}\n{row(status='Value for Hackney only')}\n"
    with pytest.raises(SourceFormatError) as caught:
        read(write(tmp_path, text), status_notes="Value for .+ combined")
    assert (caught.value.column, caught.value.line) == ("status", 2)


def test_monthly_periods_are_labelled_by_month(read, tmp_path):
    text = f"{HEADER}\n{row(period='2023-07-01/P1M')}\n{row(period='2025-12-01/P1M')}\n"
    frame, _ = read(write(tmp_path, text))
    assert list(frame.period_label) == ["Jul 2023", "Dec 2025"]
    assert list(frame.year) == [2023, 2025]
    assert took_it(read)


def test_a_repeated_empty_column_is_read_once_and_reported(read, tmp_path):
    frame, report = read(write(tmp_path, f"{HEADER},notes\n{row()},\n"))
    assert len(frame) == 1 and frame.value.iloc[0] == 58.1
    assert report.extra_columns == ["notes (repeated, empty)"]


def test_a_repeated_column_with_a_value_is_refused_naming_column_and_line(read, tmp_path):
    error = error_for(read, tmp_path, f"{HEADER},notes\n{row()},\n{row(areacd='E06000002')},second note\n")
    assert (error.column, error.line) == ("notes", 3) and "repeats column 'notes'" in error.problem
