"""The geography backbone: every fact on one coherent geography, parents right, changes recorded."""

import csv
import json
import math

import pytest


def test_every_fact_resolves_to_exactly_one_area(published_con):
    facts, joined, unresolved = published_con.execute(
        """select count(*), count(a.area_code), count(*) filter (where a.area_code is null)
           from fct_area_year_metrics f left join dim_areas a using (area_code)"""
    ).fetchone()
    assert facts == joined and unresolved == 0


def test_facts_on_retired_codes_have_a_recorded_change(published_con):
    rows = published_con.execute(
        """select distinct f.area_code, a.successor_codes, f.note
           from fct_area_year_metrics f join dim_areas a using (area_code)
           where not a.is_current"""
    ).fetchall()
    assert rows, "the bundled data has predecessor codes superseded by current ones (Barnsley, Sheffield)"
    for code, successors, note in rows:
        assert successors, code
        assert (
            published_con.execute(
                "select count(*) from area_boundary_changes where old_code = ?", [code]
            ).fetchone()[0]
            >= 1
        )
        assert "predecessor" in note


def test_every_current_lower_tier_authority_has_one_upper_tier_region_and_nation(published_con):
    rows = published_con.execute(
        """select l.area_code, l.utla_code, u.is_utla, u.is_current, l.region_code, l.nation_code
           from dim_areas l left join dim_areas u on u.area_code = l.utla_code
           where l.is_current and l.is_ltla"""
    ).fetchall()
    assert len(rows) == 361
    for code, utla, is_utla, utla_current, region, nation in rows:
        assert utla and is_utla and utla_current, code
        assert region and nation, code


def test_current_counts_match_the_hierarchy_files(published_con, bundled_dir):
    with open(bundled_dir / "ons_geography/la_all_codes.csv", encoding="utf-8-sig", newline="") as handle:
        current_lads = {row["LADCD"] for row in csv.DictReader(handle) if row["Current"] == "TRUE"}
    hierarchy = json.loads((bundled_dir / "ons_geography/geo-metadata.json").read_text())
    counts = dict(published_con.execute(
        "select area_level, count(*) from dim_areas where is_current and is_hierarchical group by 1"
    ).fetchall())  # fmt: skip
    actual_lads = {
        code
        for (code,) in published_con.execute(
            "select area_code from dim_areas where is_current and is_ltla"
        ).fetchall()
    }
    assert actual_lads == current_lads and len(current_lads) == 361
    # counties and combined authorities are current while a current district names them as a parent
    parents_of_current = {p for code in current_lads if code in hierarchy for p in hierarchy[code]["parents"]}
    assert counts["county"] == len({c for c in parents_of_current if c.startswith("E10")}) == 21
    assert counts["combined_authority"] == len({c for c in parents_of_current if c.startswith("E47")}) == 15
    assert counts["region"] == 9 and counts["nation"] == 4 and counts["uk"] == 1 and counts["pfa"] == 43
    (utlas,) = published_con.execute("select count(*) from dim_areas where is_current and is_utla").fetchone()
    assert utlas == 218  # ONS upper-tier local authorities, 2025 (England 153, Wales 22, Scotland 32, NI 11)


@pytest.mark.parametrize(
    ("code", "utla", "region", "nation", "combined_authority", "pfa"),
    [
        (
            "E06000001",
            "E06000001",
            "E12000001",
            "E92000001",
            "E47000006",
            "E23000013",
        ),  # Hartlepool: Tees Valley, Cleveland
        ("E09000007", "E09000007", "E12000007", "E92000001", None, "E23000001"),  # Camden: London, Met
        (
            "E09000001",
            "E09000001",
            "E12000007",
            "E92000001",
            None,
            "E23000034",
        ),  # City of London: its own force
        (
            "W06000015",
            "W06000015",
            "W92000004",
            "W92000004",
            None,
            "W15000003",
        ),  # Cardiff: South Wales Police
        ("S12000036", "S12000036", "S92000003", "S92000003", None, None),  # Edinburgh: no E&W force
        (
            "E07000124",
            "E10000017",
            "E12000002",
            "E92000001",
            "E47000018",
            "E23000003",
        ),  # Ribble Valley, Lancashire
        ("E07000242", "E10000015", "E12000006", "E92000001", None, "E23000027"),  # East Hertfordshire
    ],
)
def test_named_areas_have_the_right_parents(
    published_con, code, utla, region, nation, combined_authority, pfa
):
    assert published_con.execute(
        "select utla_code, region_code, nation_code, combined_authority_code, pfa_code from dim_areas where area_code = ?",
        [code],
    ).fetchone() == (utla, region, nation, combined_authority, pfa)


def test_every_current_england_and_wales_upper_tier_is_in_exactly_one_police_force(published_con):
    missing = published_con.execute(
        """select area_code from dim_areas where is_current and is_utla and area_code similar to '[EW].*'
           and pfa_code is null"""
    ).fetchall()
    assert missing == []
    (forces,) = published_con.execute(
        "select count(distinct pfa_code) from dim_areas where is_current and is_utla"
    ).fetchone()
    assert forces == 43


def test_itl1_codes_resolve_to_their_gss_rows(published_con):
    rows = dict(
        published_con.execute(
            "select itl1_code, area_code from dim_areas where itl1_code is not null"
        ).fetchall()
    )
    assert (
        rows["TLC"] == "E12000001"
        and rows["TLI"] == "E12000007"
        and rows["TLL"] == "W92000004"
        and len(rows) == 13
    )


def test_a_metric_with_its_parents_in_one_join(published_con):
    rows = published_con.execute(
        """select f.value, r.area_name, n.area_name
           from fct_area_year_metrics f
           join dim_areas a using (area_code)
           join dim_areas r on r.area_code = a.region_code
           join dim_areas n on n.area_code = a.nation_code
           where f.metric_id = 'hle_birth' and f.area_code = 'E06000001' and f.period = '2017-2019'
             and f.breakdown = 'sex=female'"""
    ).fetchall()
    assert len(rows) == 1 and rows[0][1:] == ("North East", "England")


def test_recoded_facts_move_to_the_current_code_keeping_the_published_one(published_con, bundled_dir):
    with open(bundled_dir / "ons_els/average-travel-time.csv", encoding="utf-8-sig", newline="") as handle:
        (expected,) = [
            float(r["observation"]) for r in csv.DictReader(handle)
            if r["areacd"] == "E07000097" and r["indicator"] == "Drive to work" and r["period"] == "2016-01-01/P1Y"
        ]  # fmt: skip
    row = published_con.execute(
        """select area_code, published_area_code, value from fct_area_year_metrics
           where metric_id = 'travel_time_to_employment_centre' and breakdown = 'mode=car' and period = '2016'
             and published_area_code = 'E07000097'"""
    ).fetchone()
    assert row == ("E07000242", "E07000097", expected)


def test_boundary_changes_record_the_reorganisations(published_con, bundled_dir):
    changes = {
        (old, new): (kind, year)
        for old, new, kind, year in published_con.execute(
            "select old_code, new_code, change_kind, change_year from area_boundary_changes"
        ).fetchall()
    }
    start_years = json.loads((bundled_dir / "ons_geography/geo-start-years.json").read_text())
    assert changes[("E10000002", "E06000060")] == ("merger", 2020) == ("merger", start_years["E06000060"])
    assert changes[("E10000021", "E06000061")][0] == "split"
    assert changes[("E10000006", "E06000064")] == ("split", start_years["E06000064"])
    assert changes[("E07000026", "E06000063")] == ("merger", 2023)  # Allerdale into Cumberland
    assert changes[("E08000016", "E08000038")] == ("recode", 2025)  # Barnsley
    for (old, new), (_kind, year) in changes.items():
        if year is not None and new in start_years:
            assert year == start_years[new], (old, new)


def test_mission_groupings(published_con):
    groups = {}
    for grouping, code, basis in published_con.execute(
        "select grouping_id, area_code, basis from dim_area_groupings"
    ).fetchall():
        groups.setdefault(grouping, set()).add(code)
        assert basis in ("official", "derived", "proxy")
    assert groups["greater_south_east"] == {"E12000006", "E12000007", "E12000008"}
    assert len(groups["worst_affected_forces_20"]) == 20
    assert len(groups["neighbourhood_crime_worst_forces_20"]) == 20
    assert groups["combined_authority:E47000001"] == {
        f"E080000{i:02d}" for i in range(1, 11)
    }  # Greater Manchester
    # the lowest-skilled third: a third of English upper tiers with a level 3+ figure, all below the rest
    values = dict(published_con.execute(
        """select area_code, value from fct_area_year_metrics f join dim_areas a using (area_code)
           where metric_id = 'level3_qualifications' and a.is_current and a.is_utla and area_code like 'E%'
             and period = (select max(period) from fct_area_year_metrics where metric_id = 'level3_qualifications')
             and value is not null"""
    ).fetchall())  # fmt: skip
    # the first third in order of value, and every area tied with the last of them (no random split)
    cut = sorted(values.values())[math.ceil(len(values) / 3) - 1]
    lowest = groups["lowest_skilled_third"]
    assert lowest == {code for code, value in values.items() if value <= cut}
    assert len(lowest) >= math.ceil(len(values) / 3)


def test_metric_coverage_counts_promised_areas_independently(published_con):
    # HLE is promised for every current UK upper-tier authority; the publisher excludes two (its own note)
    promised, covered, missing = published_con.execute(
        "select promised_areas, covered_areas, missing_areas from metric_coverage where metric_id = 'hle_birth'"
    ).fetchone()
    assert promised == 218 and covered == 216
    assert set(missing.split(",")) == {"E06000053", "E09000001"}  # Isles of Scilly, City of London
    # KS2 is promised for England's 153 current upper tiers and covers them all
    assert published_con.execute(
        "select promised_areas, coverage_share from metric_coverage where metric_id = 'ks2_rwm_expected'"
    ).fetchone() == (153, 1.0)


def test_worst_affected_forces_are_ranked_by_volume_on_the_latest_edition(published_con):
    """The Statement ranks forces by VOLUME over 2015-16 to 2021-22: the proxy sums each English force's
    knife offences over the years held (2015-16 to 2018-19), read here from Table P5 of the March 2019
    workbook itself, and takes the 20 largest."""
    import openpyxl

    from orchestration.settings import get_settings

    path = get_settings().bundled_dir / "ons_pfa" / "policeforceareatablesyeendingmarch2019.xlsx"
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(workbook["Table P5"].iter_rows(values_only=True))
    workbook.close()
    assert [str(rows[3][c])[:18] for c in (12, 14, 16, 18)] == [
        "Apr '15 to Mar '16",
        "Apr '16 to Mar '17",
        "Apr '17 to Mar '18",
        "Apr '18 to Mar '19",
    ]
    volumes = {
        row[0]: sum(row[c] for c in (12, 14, 16, 18))
        for row in rows
        if isinstance(row[0], str) and row[0].startswith("E23")
    }
    expected = set(sorted(volumes, key=volumes.get, reverse=True)[:20])
    assert len(set(sorted(volumes.values(), reverse=True)[19:21])) == 2  # no tie at the cut
    members = dict(
        published_con.execute(
            "select area_code, note from dim_area_groupings where grouping_id = 'worst_affected_forces_20'"
        ).fetchall()
    )
    assert set(members) == expected
    for code, note in members.items():
        assert note.startswith("PROXY for the Statement's group")
        assert note.endswith(f"; {volumes[code]} offences over 4 years")
    # Surrey ranks by its revised count: 64 + 294 + 436 + 464
    assert volumes["E23000031"] == 1258

    # neighbourhood crime's group is its own: the 20 largest volumes of the four parts, 2017-18 and 2018-19
    neighbourhood = dict(
        published_con.execute(
            """select area_code, sum(numerator) from fct_area_year_metrics
        where metric_id = 'neighbourhood_crime_rate' and area_code like 'E23%' and year in (2018, 2019)
        group by area_code"""
        ).fetchall()
    )
    top = set(sorted(neighbourhood, key=neighbourhood.get, reverse=True)[:20])
    grouped = {
        code
        for (code,) in published_con.execute(
            "select area_code from dim_area_groupings where grouping_id = 'neighbourhood_crime_worst_forces_20'"
        ).fetchall()
    }
    assert grouped == top and grouped != set(members)
    gaps = dict(
        published_con.execute(
            "select metric_id, gap_method from mission_gaps where mission_id = 'M11' and is_statement_definition "
            "and is_latest"
        ).fetchall()
    )
    assert gaps == {
        "homicide_rate": "worst_20_forces_vs_rest",
        "knife_offences_rate": "worst_20_forces_vs_rest",
        "neighbourhood_crime_rate": "worst_20_neighbourhood_forces_vs_rest",
    }
