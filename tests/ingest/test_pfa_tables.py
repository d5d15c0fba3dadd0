"""The ONS police force area tables parser, on the real bundled workbooks and CSV saves, checked
against the cells read independently (openpyxl / csv / pandas, by fixed position after checking the
header text), and against damaged copies of the real workbook; and the crime rates dbt computes from
the counts and populations the parser loads (int_crime_rates_computed), as published, against the same
cells.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from orchestration.ingest.sources.catalogue import get_source
from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.ons_pfa import clean_label
from orchestration.settings import DBT_PROJECT_DIR

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "bundled"
MARCH_2019 = BUNDLED / "ons_pfa" / "policeforceareatablesyeendingmarch2019.xlsx"
MARCH_2018 = BUNDLED / "ons_pfa" / "policeforceareatablesyearendingmarch2018v2.xlsx"
GSS = re.compile(r"^(E92|W92|K04|E12|E23|W15)\d{6}$")


def parse(source_id: str, path: Path | None = None) -> pd.DataFrame:
    source = get_source(source_id)
    frame, _ = source.parser(path or BUNDLED / source.bundled_path, (), **dict(source.format_options))
    return frame


def sheet(path: Path, name: str) -> list[tuple]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(workbook[name].iter_rows(values_only=True))
    workbook.close()
    return rows


def value(frame: pd.DataFrame, indicator: str, area: str, period: str | None = None) -> float:
    rows = frame[(frame.indicator == indicator) & (frame.area_code == area)]
    if period:
        rows = rows[rows.period_label == period]
    assert len(rows) == 1, rows
    return float(rows.iloc[0]["value"])


def published_rate(con, metric_id: str, source_id: str, area: str) -> dict:
    """One crime rate row of the published fact table (computed by dbt from the parsed counts)."""
    rows = con.execute(
        "select value, numerator, denominator, status, note from fct_area_year_metrics "
        "where metric_id = ? and source_id = ? and area_code = ?",
        [metric_id, source_id, area],
    ).fetchall()
    assert len(rows) == 1, (metric_id, source_id, area, rows)
    return dict(zip(("value", "numerator", "denominator", "status", "note"), rows[0], strict=True))


NEIGHBOURHOOD = "neighbourhood_crime_rate"
KNIFE = "knife_offences_rate"
PARTS = ("Residential burglary", "Vehicle offences", "Theft from the person", "Robbery")
ASB = "Adults who experienced or witnessed anti-social behaviour"
INCIDENTS = "Anti-social behaviour incidents per 1,000 population"


# --- the footnote rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Cheshire7", "Cheshire"),
        ("ENGLAND AND WALES7,8,9,10,11", "ENGLAND AND WALES"),
        ("London 10", "London"),
        ("Residential burglary6,7", "Residential burglary"),
        ("Residential burglary (households) 7,8,10", "Residential burglary (households)"),
        ("Total recorded crime (excluding fraud3)", "Total recorded crime (excluding fraud)"),
        ("Humberside [note 4]", "Humberside"),
        ("Number of\n offences\n involving a\n knife5", "Number of offences involving a knife"),
        ("North West ", "North West"),
        # numbers that are part of a label stay
        ("Rate per 1,000 population", "Rate per 1,000 population"),
        ("Population figures\n (mid-2017)3  rounded to 100", "Population figures (mid-2017)3 rounded to 100"),
        ("Devon and Cornwall", "Devon and Cornwall"),
    ],
)
def test_footnote_markers_are_stripped_by_one_rule(raw, clean):
    assert clean_label(raw) == clean


# --- real files: counts and spot values against the cells ------------------------------------------


def test_p1_based_rates_equal_counts_over_p3_population_read_from_the_cells(published_con):
    frame = parse("pfa_crime_ye_mar2019")
    p1 = sheet(MARCH_2019, "Table P1 ")
    p3 = sheet(MARCH_2019, "Table P3 ")
    header = p1[4]
    # column letters L, O, Q, R hold the four parts; their headers say so
    columns = {
        "Robbery": 11,
        "Residential burglary5": 14,
        "Vehicle offences": 16,
        "Theft from the person": 17,
    }
    for label, index in columns.items():
        assert header[index] == label
    assert str(p3[4][2]).startswith("Population figures")
    codes_p1 = [row[0] for row in p1 if isinstance(row[0], str) and GSS.match(row[0])]
    # the parser loads the four counts and P3's population as they are, and computes nothing
    for part in PARTS:
        assert (
            len(frame[frame.indicator == part]) == len(codes_p1) == 55
        )  # 43 forces, 9 regions, 2 nations, E&W
    cleveland = next(r for r in p1 if r[0] == "E23000013")
    assert value(frame, "Robbery", "E23000013") == cleveland[11] == 580
    assert value(frame, "Residential burglary", "E23000013") == cleveland[14] == 3959
    population = {row[0]: row[2] for row in p3 if isinstance(row[0], str) and GSS.match(row[0])}
    assert value(frame, "Population (Table P3)", "E23000013") == population["E23000013"] == 566200
    # dbt's rate: the four parts over P3's population
    rates = published_con.execute(
        "select count(*) from fct_area_year_metrics where metric_id = ? and source_id = 'pfa_crime_ye_mar2019'",
        [NEIGHBOURHOOD],
    ).fetchone()
    assert rates == (55,)
    for code in ("E23000013", "W15000003", "E23000001"):  # Cleveland, South Wales, the Met
        row = next(r for r in p1 if r[0] == code)
        published = published_rate(published_con, NEIGHBOURHOOD, "pfa_crime_ye_mar2019", code)
        expected = sum(row[i] for i in columns.values()) / population[code] * 1000
        assert published["value"] == pytest.approx(expected, rel=1e-12)
        assert published["denominator"] == population[code]
    # Cleveland by hand: (3,959 + 6,071 + 433 + 580) on the 566,200 of P3
    assert published_rate(published_con, NEIGHBOURHOOD, "pfa_crime_ye_mar2019", "E23000013")[
        "value"
    ] == pytest.approx((3959 + cleveland[16] + cleveland[17] + 580) / 566200 * 1000)
    # ONS withholds the City of London's rates ('+' in P3), so the project does too
    city = published_rate(published_con, NEIGHBOURHOOD, "pfa_crime_ye_mar2019", "E23000034")
    assert city["value"] is None and city["status"] == "x" and city["numerator"] > 0
    notes = published_con.execute(
        "select distinct note from fct_area_year_metrics where metric_id = ? and source_id like 'pfa_crime%'",
        [NEIGHBOURHOOD],
    ).fetchall()
    assert notes and all("all robbery" in note for (note,) in notes)


def test_knife_offences_are_p4_total_over_p3_population(published_con):
    frame = parse("pfa_crime_ye_mar2018")
    p4 = sheet(MARCH_2018, "Table P4")
    p3 = sheet(MARCH_2018, "Table P3")
    assert "Total of selected" in str(p4[3][2]) and "knife" in str(p4[4][2])
    population = {row[0]: row[2] for row in p3 if isinstance(row[0], str) and GSS.match(row[0])}
    codes = [row[0] for row in p4 if isinstance(row[0], str) and GSS.match(row[0])]
    assert len(frame[frame.indicator == "Knife or sharp instrument offences (Table P4)"]) == len(codes)
    for code in ("K04000001", "E23000013", "E23000005"):
        count = next(r for r in p4 if r[0] == code)[2]
        published = published_rate(published_con, KNIFE, "pfa_crime_ye_mar2018", code)
        assert published["value"] == pytest.approx(count / population[code] * 100_000, rel=1e-12)
        assert published["numerator"] == count
    assert published_rate(published_con, KNIFE, "pfa_crime_ye_mar2018", "K04000001")[
        "value"
    ] == pytest.approx(40147 / 58381200 * 100_000)


KNIFE_COUNT = "Knife or sharp instrument offences"


def test_knife_counts_are_the_latest_editions_p5_series_with_its_revisions():
    """Every financial year P5 of the March 2019 edition lists, as that edition gives it: ONS's
    revisions to 2017-18 (Surrey 58 in the March 2018 edition, 436 here) are what is loaded."""
    frame = parse("pfa_crime_ye_mar2019")
    counts = frame[frame.indicator == KNIFE_COUNT]
    p5 = sheet(MARCH_2019, "Table P5")
    assert str(p5[3][16]).startswith("Apr '17 to Mar '18") and "knife" in str(p5[4][16])
    coded = [row for row in p5 if isinstance(row[0], str) and GSS.match(row[0])]
    # nine years (2010-11 to 2018-19) of every coded row; the uncoded "excluding Greater Manchester"
    # subtotals and British Transport Police are not areas
    assert sorted(set(counts.period_label)) == [f"{y}-{(y + 1) % 100:02d}" for y in range(2010, 2019)]
    assert len(counts) == 9 * len(coded)
    for row in coded:
        assert value(frame, KNIFE_COUNT, row[0], "2017-18") == row[16]
        assert value(frame, KNIFE_COUNT, row[0], "2015-16") == row[12]
    assert value(frame, KNIFE_COUNT, "E23000031", "2017-18") == 436  # Surrey, revised
    first_release = next(r for r in sheet(MARCH_2018, "Table P4") if r[0] == "E23000031")[2]
    assert first_release == 58
    assert (counts.numerator == counts.value).all() and set(counts.unit) == {"count"}


def test_csew_asb_is_p6_as_published_with_the_caution_and_london_once():
    frame = parse("pfa_asb_ye_mar2019")
    p6 = sheet(MARCH_2019, "Table P6")
    coded = [row for row in p6 if isinstance(row[0], str) and GSS.match(row[0])]
    asb = frame[frame.indicator == ASB]
    assert len(asb) == len({row[0] for row in coded})  # London's region and combined force rows are one code
    for code in ("E23000013", "W15000004", "K04000001"):
        assert value(frame, ASB, code) == next(r for r in coded if r[0] == code)[3]
    assert value(frame, ASB, "E23000013") == pytest.approx(44.277307222319465)
    assert all("extreme caution" in note for note in asb.notes)
    assert "one row (London)" in asb[asb.area_code == "E12000007"].iloc[0]["notes"]


def test_asb_incidents_map_p7_names_to_codes_through_p1_in_order():
    frame = parse("pfa_asb_ye_mar2019")
    p7 = sheet(MARCH_2019, "Table P7 ")
    incidents = frame[frame.indicator == INCIDENTS]
    # independent count: rows with a name that is an area (not blank, not BTP, not the inc.-BTP total),
    # times the year columns ("Number per 1,000 population")
    names = [
        r[0]
        for r in p7[5:]
        if r[0]
        and not str(r[0]).startswith(("Source", "British Transport", "ENGLAND AND WALES (inc"))
        and not re.match(r"^\d", str(r[0]))
        and "'" not in str(r[0])
    ]
    years = sum(1 for cell in p7[4] if cell == "Number per 1,000 population")
    assert years == 12 and len(incidents) == len(names) * years
    # 'West Midlands' is the region, then the force, as in P1
    west_midlands = [r for r in p7 if r[0] and clean_label(r[0]) == "West Midlands"]
    assert value(frame, INCIDENTS, "E12000005", "2018-19") == west_midlands[0][-1]
    assert (
        value(frame, INCIDENTS, "E23000014", "2018-19")
        == west_midlands[1][-1]
        == pytest.approx(15.464036726569503)
    )
    assert value(frame, INCIDENTS, "E23000013", "2007-08") == next(r for r in p7 if r[0] == "Cleveland")[2]
    assert value(frame, INCIDENTS, "E23000034", "2018-19") == pytest.approx(
        176.24771361379672
    )  # 'City of London10'
    assert value(frame, INCIDENTS, "K04000001", "2018-19") == pytest.approx(24.253380247152954)  # exc. BTP
    assert set(incidents.period_label) == {f"{y}-{(y + 1) % 100:02d}" for y in range(2007, 2019)}


def test_2025_rates_use_mid_2024_population_summed_over_each_forces_authorities(published_con):
    frame = parse("pfa_crime_ye_jun2025")
    assert "Population (Table P3)" not in set(frame.indicator)  # a CSV of P1 alone: no population in it
    p1 = list(
        csv.reader(
            io.StringIO((BUNDLED / "ons_pfa" / "policeforceareatablesyejune25final_table_p1.csv").read_text())
        )
    )
    header = p1[6]
    parts = [
        header.index(label)
        for label in ("Robbery", "Residential burglary", "Vehicle offences", "Theft from the person")
    ]
    population = pd.read_csv(BUNDLED / "ons_population" / "mid_year_population_utla_2001_2024.csv")
    population = population[population.age_band == "All ages"].set_index("region_code")["2024"]
    lookup = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "upper_tier_police_force_areas.csv")
    for code in ("E23000013", "E23000001", "W15000001"):
        row = next(r for r in p1 if r[0] == code)
        count = sum(float(row[i].replace(",", "")) for i in parts)
        members = lookup[lookup.pfa_code == code].utla_code
        published = published_rate(published_con, NEIGHBOURHOOD, "pfa_crime_ye_jun2025", code)
        assert published["value"] == pytest.approx(count / population[members].sum() * 1000)
        assert published["numerator"] == count
    cleveland = ("E06000001", "E06000002", "E06000003", "E06000004")  # Hartlepool .. Stockton
    published = published_rate(published_con, NEIGHBOURHOOD, "pfa_crime_ye_jun2025", "E23000013")
    assert published["denominator"] == population[list(cleveland)].sum()
    assert "twelve months ending June 2025" in published["note"]
    # England and Wales: England's and Wales's authorities together; a region has no rate on this route
    england_wales = population[population.index.str[0].isin(["E", "W"])].sum()
    assert published_rate(published_con, NEIGHBOURHOOD, "pfa_crime_ye_jun2025", "K04000001")[
        "denominator"
    ] == pytest.approx(england_wales)
    north_east = published_rate(published_con, NEIGHBOURHOOD, "pfa_crime_ye_jun2025", "E12000001")
    assert north_east["value"] is None and north_east["status"] == "x"


def test_authority_rates_sum_partnership_rows_on_current_codes(published_con):
    frame = parse("pfa_crime_by_authority_ye_jun2025")
    c2 = list(
        csv.reader(
            io.StringIO((BUNDLED / "ons_pfa" / "policeforceareatablesyejune25final_table_c2.csv").read_text())
        )
    )
    header = [" ".join(cell.split()) for cell in c2[7]]
    la = header.index("Local Authority code")
    parts = [
        header.index(label)
        for label in ("Robbery", "Residential burglary", "Vehicle offences", "Theft from the person")
    ]

    def count(codes):
        return sum(float(r[i].replace(",", "")) for r in c2[8:] if r[la] in codes for i in parts)

    # the parser keeps the codes as published (Cumbria's old districts too); one code listed in two
    # partnership rows (Bournemouth, Christchurch and Poole) is that authority's figure, their sum
    assert {"E07000026", "E07000028", "E07000029"} <= set(frame.area_code)
    assert sum(value(frame, part, "E06000058") for part in PARTS) == count({"E06000058"})
    population = pd.read_csv(BUNDLED / "ons_population" / "mid_year_population_utla_2001_2024.csv")
    population = population[population.age_band == "All ages"].set_index("region_code")["2024"]

    def rate(code):
        return published_rate(published_con, NEIGHBOURHOOD, "pfa_crime_by_authority_ye_jun2025", code)[
            "value"
        ]

    # Blackpool as published; Cumberland from Cumbria's three old district rows; Barnsley's old code
    assert rate("E06000009") == pytest.approx(count({"E06000009"}) / population["E06000009"] * 1000)
    assert rate("E06000063") == pytest.approx(
        count({"E07000026", "E07000028", "E07000029"}) / population["E06000063"] * 1000
    )
    assert rate("E08000038") == pytest.approx(count({"E08000016"}) / population["E08000016"] * 1000)
    codes = {
        code
        for (code,) in published_con.execute(
            "select area_code from fct_area_year_metrics where source_id = 'pfa_crime_by_authority_ye_jun2025'"
        ).fetchall()
    }
    assert {code[:3] for code in codes} == {"E06", "E08", "E09", "W06"}  # no district in a county
    assert "E09000001" not in codes  # ONS withholds the City's rates


def test_c2_partnerships_agree_with_the_projects_force_lookup_but_for_the_listed_differences():
    """C2 as an authority -> partnership -> force lookup, cross-checked against the seed (upper tier ->
    force): every authority C2 places is in the same force as the seed says."""
    from orchestration.ingest.sources.ons_pfa import partnership_rows, read_table

    grid = read_table(BUNDLED / "ons_pfa" / "policeforceareatablesyejune25final_table_c2.csv", "C2")
    _, rows, left_out = partnership_rows(grid)
    successors = pd.read_csv(BUNDLED / "ons_geography" / "la_all_codes.csv", dtype=str).dropna(
        subset=["LADCD_ACTIVE"]
    )
    active = dict(zip(successors.LADCD, successors.LADCD_ACTIVE, strict=True))
    chain = pd.read_csv(BUNDLED / "ons_geography" / "la_all_codes.csv", dtype=str).set_index("LADCD")[
        "UTLACD"
    ]
    seed = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "upper_tier_police_force_areas.csv").set_index(
        "utla_code"
    )["pfa_code"]
    differences = set()
    for row in rows:
        current = active.get(row.la_code, row.la_code)
        utla = chain.get(current, current)
        if seed.get(utla) != row.force_code:
            differences.add((row.la_code, row.force_code, seed.get(utla)))
    assert differences == set()
    # SOURCES: 314 partnership rows, 11 of them partnerships of several authorities; the rest of the
    # 399 data rows are 42 force totals, 42 'Unassigned' rows and Manchester Airport
    assert len(rows) == 314 - 11 and left_out == 11 + 42 + 42 + 1


# --- damaged copies of the real workbook -------------------------------------------------------------


def damaged(tmp_path: Path, edit) -> Path:
    workbook = openpyxl.load_workbook(MARCH_2019)
    edit(workbook)
    path = tmp_path / MARCH_2019.name
    workbook.save(path)
    return path


def test_a_renamed_sheet_fails_naming_the_file_and_the_sheets(tmp_path):
    path = damaged(tmp_path, lambda wb: setattr(wb["Table P1 "], "title", "Table 1"))
    with pytest.raises(
        SourceFormatError, match=r"policeforceareatablesyeendingmarch2019\.xlsx: no sheet 'Table P1'"
    ):
        parse("pfa_crime_ye_mar2019", path)


def test_a_shifted_header_is_found_by_its_labels(tmp_path):
    path = damaged(tmp_path, lambda wb: wb["Table P1 "].insert_rows(2, amount=3))
    assert (
        parse("pfa_crime_ye_mar2019", path).equals(parse("pfa_crime_ye_mar2019")) is False
    )  # source lines moved
    shifted, original = parse("pfa_crime_ye_mar2019", path), parse("pfa_crime_ye_mar2019")
    pd.testing.assert_frame_equal(shifted.drop(columns="source_line"), original.drop(columns="source_line"))


def test_a_header_shifted_out_of_reach_or_relabelled_fails_naming_sheet(tmp_path):
    path = damaged(tmp_path, lambda wb: wb["Table P1 "].insert_rows(2, amount=20))
    with pytest.raises(
        SourceFormatError, match=r"sheet 'Table P1 '.*no header row with a cell labelled 'Area Code'"
    ):
        parse("pfa_crime_ye_mar2019", path)

    def relabel(wb):
        wb["Table P1 "]["L5"] = "Robbery (all)"

    with pytest.raises(
        SourceFormatError, match=r"sheet 'Table P1 ', row 5\): expected one column labelled 'Robbery'"
    ):
        parse("pfa_crime_ye_mar2019", damaged(tmp_path, relabel))


def test_text_in_a_number_cell_fails_naming_file_sheet_row_and_column(tmp_path):
    def poison(wb):
        wb["Table P1 "]["O10"] = "n/a"  # Cleveland's residential burglary

    with pytest.raises(SourceFormatError) as error:
        parse("pfa_crime_ye_mar2019", damaged(tmp_path, poison))
    assert str(error.value).endswith(
        "policeforceareatablesyeendingmarch2019.xlsx (sheet 'Table P1 ', column 'O', row 10): expected a number, found 'n/a'"
    )


def test_a_p7_name_that_maps_to_no_code_fails(tmp_path):
    def poison(wb):
        wb["Table P7 "]["A12"] = "Clevelandshire"

    with pytest.raises(
        SourceFormatError,
        match=r"sheet 'Table P7 ', column 'A', row 12\): area name 'Clevelandshire' maps to no",
    ):
        parse("pfa_asb_ye_mar2019", damaged(tmp_path, poison))


def test_another_edition_is_refused(tmp_path):
    source = get_source("pfa_crime_ye_mar2019")
    options = {**dict(source.format_options), "edition": "March 2018"}
    with pytest.raises(
        SourceFormatError,
        match="title says year ending March 2019; the catalogue expects year ending March 2018",
    ):
        source.parser(MARCH_2019, (), **options)
