"""The ELS parser on each oddity the real files have, and on each kind of bad input."""

from pathlib import Path

import pytest

from orchestration.sources.errors import SourceFormatError
from orchestration.sources.ons_els import ELS_COLUMNS, PARSED_COLUMNS, parse_els_csv

HEADER = ",".join(ELS_COLUMNS)


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


def test_parses_typed_rows(tmp_path):
    frame, report = parse_els_csv(write(tmp_path, f"{HEADER}\n{row()}\n"))
    assert list(frame.columns) == list(PARSED_COLUMNS)
    record = frame.iloc[0]
    assert (record.area_code, record.period_label, record.year) == ("E06000001", "2017-2019", 2019)
    assert (record.value, record.lci_95, record.uci_95, record.status) == (58.1, 57.0, 59.2, None)
    assert record.source_line == 2
    assert report.rows_read == 1 and report.suppressed == 0


def test_utf8_bom_and_column_order_and_quoted_commas(tmp_path):
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
    frame, _ = parse_els_csv(write(tmp_path, "\ufeff" + text))
    record = frame.iloc[0]
    assert record.area_name == "Bournemouth, Christchurch and Poole"
    assert record.value == 63.4
    assert record.lci_95 is None and record.uci_95 is None  # empty CIs -> missing, not zero


@pytest.mark.parametrize(
    ("marker", "status"), [("[x]", "x"), ("..", "x"), (":", "x"), ("c", "c"), ("*", "c"), ("-", "x")]
)
def test_suppression_markers_become_null_with_status_never_zero(tmp_path, marker, status):
    frame, report = parse_els_csv(
        write(tmp_path, f"{HEADER}\n{row(observation=marker, lci=marker, uci='')}\n")
    )
    record = frame.iloc[0]
    assert record.value is None or record.value != record.value
    assert record.status == status
    assert report.suppressed == 1


def test_gss_status_column_is_kept(tmp_path):
    frame, _ = parse_els_csv(
        write(
            tmp_path, f"{HEADER}\n{row(observation='', status='x')}\n{row(areacd='E06000002', status='u')}\n"
        )
    )
    assert list(frame.status) == ["x", "u"]
    assert frame.value.iloc[1] == 58.1  # low reliability keeps its figure


def test_itl_codes_are_accepted(tmp_path):
    frame, _ = parse_els_csv(write(tmp_path, f"{HEADER}\n{row(areacd='TLC', areanm='North East')}\n"))
    assert frame.area_code.iloc[0] == "TLC"


def test_identical_duplicates_are_dropped_and_counted(tmp_path):
    frame, report = parse_els_csv(write(tmp_path, f"{HEADER}\n{row()}\n{row()}\n"))
    assert len(frame) == 1 and report.duplicates_dropped == 1


def test_extra_column_is_ignored_and_reported(tmp_path):
    text = f"{HEADER},extra\n{row()},surprise\n"
    frame, report = parse_els_csv(write(tmp_path, text))
    assert report.extra_columns == ["extra"] and len(frame) == 1


def error_for(tmp_path: Path, text: str, **kwargs) -> SourceFormatError:
    path = write(tmp_path, text, **kwargs)
    with pytest.raises(SourceFormatError) as caught:
        parse_els_csv(path)
    assert str(path) in str(caught.value), "the message names the file"
    return caught.value


def test_missing_file(tmp_path):
    with pytest.raises(SourceFormatError, match="file not found"):
        parse_els_csv(tmp_path / "absent.csv")


def test_empty_file(tmp_path):
    assert "file is empty" in str(error_for(tmp_path, ""))


def test_header_only(tmp_path):
    assert "no data rows" in str(error_for(tmp_path, HEADER + "\n"))


def test_renamed_column(tmp_path):
    error = error_for(tmp_path, HEADER.replace("observation", "value") + f"\n{row()}\n")
    assert error.column == "observation" and "may be renamed" in str(error) and "'value'" in str(error)


def test_other_delimiter(tmp_path):
    error = error_for(tmp_path, HEADER.replace(",", ";") + "\n" + row().replace(",", ";") + "\n")
    assert "delimited by ';'" in str(error)


def test_latin1_encoding(tmp_path):
    error = error_for(tmp_path, f"{HEADER}\n{row(areanm='Ynys Môn')}\n", encoding="latin-1")
    assert "not valid UTF-8" in str(error) and error.line == 2


def test_truncated_file(tmp_path):
    truncated = f"{HEADER}\n{row()}\n{row(areacd='E06000002')}"[:-40]
    error = error_for(tmp_path, truncated)
    assert error.line == 3 and "truncated" in str(error)


def test_non_numeric_observation(tmp_path):
    error = error_for(tmp_path, f"{HEADER}\n{row()}\n{row(areacd='E06000002', observation='5B.1')}\n")
    assert (error.column, error.line) == ("observation", 3) and "expected a number" in str(error)


def test_unknown_status(tmp_path):
    error = error_for(tmp_path, f"{HEADER}\n{row(status='q')}\n")
    assert error.column == "status" and "unknown status code" in str(error)


def test_malformed_area_code(tmp_path):
    error = error_for(tmp_path, f"{HEADER}\n{row(areacd='Hartlepool')}\n")
    assert error.column == "areacd"


def test_changed_period_format(tmp_path):
    error = error_for(tmp_path, f"{HEADER}\n{row(period='2017-19')}\n")
    assert error.column == "period" and "ISO-8601" in str(error)


def test_conflicting_duplicate_rows(tmp_path):
    error = error_for(tmp_path, f"{HEADER}\n{row()}\n{row(observation='60.0')}\n")
    assert "duplicate key" in str(error) and error.line == 3
