"""Mission 3's real sources: DfT's NTS CSV and JTS workbook, and Census 2021's travel to work.

Each parser on its real bundled file (row counts and spot values read independently: the csv module,
python-calamine's own workbook reader) and on damaged copies, which must fail naming the file and the
sheet, column or line.
"""

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from orchestration.ingest.sources.catalogue import get_source
from orchestration.ingest.sources.dft import parse_jts_workbook, parse_nts_csv
from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.ons_census import parse_census_csv

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "bundled"
NTS = BUNDLED / "dft" / "nts0409a_average_trips_by_mode_and_purpose.csv"
JTS = BUNDLED / "dft" / "jts0408_town_centres_2014_2017.xlsx"
CENSUS = BUNDLED / "ons_census" / "ts061_travel_to_work_ltla_2021.csv"


def options(source_id: str) -> dict:
    return {key: value for key, value in get_source(source_id).format_options}


# --- National Travel Survey ------------------------------------------------------------------------


def test_nts_gives_every_year_and_mode_of_the_file_with_note_markers_stripped():
    frame, report = parse_nts_csv(NTS)
    with open(NTS, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(frame) == len(records) == report.rows_read == 21 * 14
    assert set(frame.indicator) >= {"Walk", "Pedal cycle", "Other private transport", "All modes"}
    assert not frame.indicator.str.contains(r"\[").any()
    for year, mode, label in [("2019", "Bus in London", "Bus in London"), ("2002", "Walk [notes 3, 4]", "Walk"),
                              ("2022", "All modes", "All modes")]:  # fmt: skip
        (record,) = [r for r in records if (r["Year"], r["Main mode"]) == (year, mode)]
        row = frame[(frame.period_label == year) & (frame.indicator == label)].iloc[0]
        assert row.value == float(record["All purposes"])
        assert row.denominator == pytest.approx(
            1000 * float(record["Unweighted sample size: trips (thousands)"])
        )


def _nts_copy(tmp_path: Path, edit) -> Path:
    lines = NTS.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "nts.csv"
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return path


def test_nts_refuses_a_year_without_its_all_modes_row(tmp_path):
    path = _nts_copy(
        tmp_path, lambda lines: [line for line in lines if not line.startswith("2021,All modes")]
    )
    with pytest.raises(SourceFormatError, match=r"\['2021'\] have no 'All modes' row") as caught:
        parse_nts_csv(path)
    assert caught.value.column == "Main mode" and str(path) in str(caught.value)


def test_nts_refuses_text_in_a_number_cell_naming_column_and_line(tmp_path):
    path = _nts_copy(
        tmp_path, lambda lines: [lines[0], lines[1].replace(",264.012616825594,", ",n/a,"), *lines[2:]]
    )
    with pytest.raises(SourceFormatError) as caught:
        parse_nts_csv(path)
    assert (caught.value.column, caught.value.line) == ("All purposes", 2)


def test_nts_refuses_a_renamed_purpose_column(tmp_path):
    path = _nts_copy(tmp_path, lambda lines: [lines[0].replace("Shopping", "Shops"), *lines[1:]])
    with pytest.raises(SourceFormatError, match="lacks expected column") as caught:
        parse_nts_csv(path)
    assert caught.value.column == "Shopping"


# --- Census 2021 TS061 -----------------------------------------------------------------------------


def test_census_gives_every_authority_and_method_of_the_file():
    frame, report = parse_census_csv(CENSUS, **options("census2021_ts061"))
    with open(CENSUS, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))[1:]
    assert len(frame) == len(records) == report.rows_read == 331 * 12
    assert frame.area_code.nunique() == 331 and set(frame.period_label) == {"2021-03-21"}
    for code, category in [("E06000001", "Train"), ("W06000015", "On foot"), ("E09000001", "Bicycle")]:
        (record,) = [r for r in records if (r[0], r[3]) == (code, category)]
        assert frame[(frame.area_code == code) & (frame.indicator == category)].value.item() == float(
            record[4]
        )


def test_census_refuses_an_area_that_lacks_a_category(tmp_path):
    lines = CENSUS.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "ts061.csv"
    path.write_text(
        "\n".join(line for line in lines if not line.startswith("E06000002,Middlesbrough,3,")) + "\n"
    )
    with pytest.raises(SourceFormatError, match=r"E06000002 lacks categor\(ies\) \['Train'\]"):
        parse_census_csv(path, **options("census2021_ts061"))


def test_census_refuses_text_in_the_count_naming_column_and_line(tmp_path):
    lines = CENSUS.read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",lots"
    path = tmp_path / "ts061.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceFormatError) as caught:
        parse_census_csv(path, **options("census2021_ts061"))
    assert (caught.value.column, caught.value.line) == ("Observation", 4)


# --- Journey Time Statistics JTS0408 ---------------------------------------------------------------


def test_jts_reads_every_year_sheet_with_its_header_found_by_label():
    frame, report = parse_jts_workbook(JTS, **options("dft_jts0408"))
    book = CalamineWorkbook.from_path(str(JTS))
    for sheet, year in [("2014", "2014"), ("2015_REVISED", "2015"), ("2016", "2016"), ("2017", "2017")]:
        rows = book.get_sheet_by_name(sheet).to_python()
        header = next(i for i, row in enumerate(rows) if "LA_Code" in row)
        assert header == (8 if sheet == "2015_REVISED" else 6)  # rows 9 and 7 as Excel numbers them
        authorities = [row for row in rows[header + 1 :] if str(row[1]).startswith("E")]
        assert (frame.period_label == year).sum() == 3 * len(authorities)
        durham = next(row for row in authorities if row[1] == "E06000047")
        got = (
            frame[(frame.period_label == year) & (frame.area_code == "E06000047")]
            .set_index("indicator")
            .value
        )
        assert got["Travel time by public transport or walking to the nearest town centre"] == durham[4]
        assert got["Travel time by car to the nearest town centre"] == durham[22]
    assert report.corrected_codes == {"Inner London: published as E13000002, read as E13000001": 12}
    inner = frame[(frame.area_name == "Inner London")]
    assert set(inner.area_code) == {"E13000001"} and inner.notes.str.contains("corrected to E13000001").all()


def _workbook(path: Path, *, sheet="2017", header_row=7, durham_time: object = 21.8) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.cell(1, 1, "Journey Time Statistics")
    header = ["Region", "LA_Code", "LA_Name", "Town_pop", "TownPTt", "TownCyct", "TownCart"]
    for column, label in enumerate(header, start=1):
        ws.cell(header_row, column, label)
    for offset, row in enumerate([["North East", "E06000047", "County Durham", 1, durham_time, 15.2, 9.1],
                                  ["North East", "E06000005", "Darlington", 1, 20.3, 14.0, 8.2]]):  # fmt: skip
        for column, value in enumerate(row, start=1):
            ws.cell(header_row + 1 + offset, column, value)
    book.save(path)
    return path


JTS_OPTIONS = {"sheets": {"2017": 2017}, "destination": "town centre", "prefix": "Town"}


def test_jts_reads_a_header_wherever_it_sits(tmp_path):
    frame, _ = parse_jts_workbook(_workbook(tmp_path / "a.xlsx", header_row=12), **JTS_OPTIONS)
    assert len(frame) == 6 and frame.value.tolist()[:3] == [21.8, 15.2, 9.1]


def test_jts_refuses_a_renamed_sheet_naming_the_sheets_found(tmp_path):
    path = _workbook(tmp_path / "b.xlsx", sheet="2017_FINAL")
    with pytest.raises(
        SourceFormatError, match=r"no sheet\(s\) \['2017'\]; sheets are \['2017_FINAL'\]"
    ) as caught:
        parse_jts_workbook(path, **JTS_OPTIONS)
    assert str(path) in str(caught.value)


def test_jts_refuses_a_header_moved_out_of_reach(tmp_path):
    with pytest.raises(SourceFormatError, match="no header row with a cell labelled 'LA_Code'") as caught:
        parse_jts_workbook(_workbook(tmp_path / "c.xlsx", header_row=30), **JTS_OPTIONS)
    assert caught.value.sheet == "2017"


def test_jts_refuses_text_in_a_number_cell_naming_sheet_column_and_row(tmp_path):
    with pytest.raises(SourceFormatError) as caught:
        parse_jts_workbook(_workbook(tmp_path / "d.xlsx", durham_time="about 20"), **JTS_OPTIONS)
    assert (caught.value.sheet, caught.value.column, caught.value.line) == ("2017", "E", 8)


def test_jts_refuses_a_workbook_that_is_not_one(tmp_path):
    path = tmp_path / "e.xlsx"
    shutil.copy(NTS, path)
    with pytest.raises(SourceFormatError, match="not a readable workbook"):
        parse_jts_workbook(path, **JTS_OPTIONS)
