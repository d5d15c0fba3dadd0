"""Area profiles: one page per current local authority, values as the warehouse holds them, the
spine chart drawn to scale, and `mission-tracker profile` finding a page by code or name."""

from __future__ import annotations

import re
import stat
from html import escape, unescape
from html.parser import HTMLParser

import pandas as pd
import pytest

from orchestration.cli import main
from orchestration.deliver.report.labels import format_value
from orchestration.deliver.report.profiles import SPINE_PAD, SPINE_WIDTH, find_profile, spine_svg, trend_cell
from orchestration.settings import DBT_PROJECT_DIR


class _Rows(HTMLParser):
    """Each profile table row as its cells' text (without the spine's SVG or the small 'where' notes)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cells: list[str] | None = None
        self._text: list[str] | None = None
        self._hidden: list[bool] = []  # one entry per open <svg>/<span>: is its text left out?

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._text = []
        elif tag in ("svg", "span"):
            self._hidden.append(tag == "svg" or dict(attrs).get("class") == "where")

    def handle_endtag(self, tag):
        if tag in ("svg", "span") and self._hidden:
            self._hidden.pop()
        elif tag in ("td", "th") and self._cells is not None and self._text is not None:
            self._cells.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "tr" and self._cells is not None:
            self.rows.append(self._cells)
            self._cells = None

    def handle_data(self, data):
        if self._text is not None and not any(self._hidden):
            self._text.append(data)


def _rows(html: str) -> dict[str, list[str]]:
    parser = _Rows()
    parser.feed(html)
    return {cells[0]: cells for cells in parser.rows if cells and cells[0] != "Indicator"}


def _current_authorities(con) -> dict[str, str]:
    return dict(
        con.execute(
            "select area_code, area_name from dim_areas "
            "where is_current and area_level in ('county', 'unitary', 'district')"
        ).fetchall()
    )


def test_a_profile_exists_for_every_current_authority_and_names_its_area_england_sources_and_licence(
    built_warehouse, published_con
):
    folder = built_warehouse.settings.profiles_dir
    authorities = _current_authorities(published_con)
    assert len(authorities) > 350
    pages = {path.stem for path in folder.glob("*.html")} - {"index"}
    assert pages == set(authorities)
    index = (folder / "index.html").read_text(encoding="utf-8")
    for code, name in authorities.items():
        path = folder / f"{code}.html"
        html = path.read_text(encoding="utf-8")
        assert f"<h1>{escape(name)}</h1>" in html, code
        assert "England" in html and "Source" in html and "Open Government Licence v3.0" in html, code
        assert f'href="{code}.html"' in index
        assert path.stat().st_size < 100_000, (code, path.stat().st_size)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        # self-contained: no scripts, nothing fetched from elsewhere
        assert "<script" not in html and not re.search(
            r"""(src|href)\s*=\s*["']?(https?:)?//[^"']*\.(js|css)""", html
        )


@pytest.mark.parametrize(
    ("code", "metric_id", "breakdown"),
    [
        ("E06000009", "hle_birth", "sex=female"),  # Blackpool, a unitary authority
        ("E07000117", "employment_rate", "all"),  # Burnley, a district
        ("W06000015", "gva_per_hour", "all"),  # Cardiff: Wales has no England region, its nation stands in
    ],
)
def test_a_profile_shows_the_warehouse_values_for_its_area_england_and_region(
    built_warehouse, published_con, code, metric_id, breakdown
):
    """Independently of the profile mart: the authority's latest value in fct_area_year_metrics, and
    England's and its region's values for that same period, formatted the way the page prints them."""
    label, unit, decimals = published_con.execute(
        "select label, unit, decimals from dim_metrics where metric_id = ?", [metric_id]
    ).fetchone()
    period, value = published_con.execute(
        "select period, value from fct_area_year_metrics where area_code = ? and metric_id = ? and breakdown = ? "
        "and value is not null order by period_end desc limit 1",
        [code, metric_id, breakdown],
    ).fetchone()
    region = published_con.execute(
        "select region_code from dim_areas where area_code = ?", [code]
    ).fetchone()[0]

    def at(area: str) -> float | None:
        row = published_con.execute(
            "select value from fct_area_year_metrics where area_code = ? and metric_id = ? and breakdown = ? "
            "and period = ?",
            [area, metric_id, breakdown, period],
        ).fetchone()
        return row[0] if row else None

    html = (built_warehouse.settings.profiles_dir / f"{code}.html").read_text(encoding="utf-8")
    rows = _rows(html)
    extra = breakdown.split("=", 1)[1] if breakdown != "all" else ""
    name = f"{label} ({extra})" if extra else label
    cells = rows[unescape(name)]
    expected = [format_value(v, unit, decimals, compact=True) for v in (value, at("E92000001"), at(region))]
    assert cells[1:5] == [period, *expected]


def test_a_series_published_for_a_wider_area_says_so(built_warehouse):
    html = (built_warehouse.settings.profiles_dir / "E06000009.html").read_text(encoding="utf-8")
    berd = html[html.index("Business enterprise R&amp;D") :][:600]
    assert "published for region only: North West" in berd
    homicide = html[html.index("Homicide") :][:600]
    assert "published for police force area only: Lancashire" in homicide


def test_the_groupings_of_an_area_are_the_warehouse_groupings(built_warehouse, published_con):
    html = (built_warehouse.settings.profiles_dir / "E06000009.html").read_text(encoding="utf-8")
    rank = published_con.execute(
        "select rank_of_average_score from lookups.imd_local_authority_ranks where edition = 2025 "
        "and lad_code = 'E06000009'"
    ).fetchone()[0]
    decile = (rank - 1) // 30 + 1  # 296 districts: ntile(10) gives the first six deciles 30 each
    assert f"decile {decile} of 10 among English districts" in html
    assert "yes; also a Priority Education Investment Area" in html  # DfE's lists name Blackpool in both
    # a PEIA named by a district since merged: part of today's unitary, flagged as part, never the whole
    seed = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "education_investment_areas.csv")
    for name, unitary, district in (
        ("Scarborough", "E06000065", "E07000168"),
        ("West Somerset", "E06000066", "E07000191"),
    ):
        assert seed.set_index("name_as_published").loc[name, "matched_code"] == district
        page = unescape(
            (built_warehouse.settings.profiles_dir / f"{unitary}.html").read_text(encoding="utf-8")
        )
        assert (
            f"part of it (the former district {name} ({district})) is a Priority Education Investment Area, "
            "the rest is not" in page
        )
        assert "also a Priority Education Investment Area" not in page
    county = (built_warehouse.settings.profiles_dir / "E10000017.html").read_text(
        encoding="utf-8"
    )  # Lancashire
    assert "not published for a county" in county


ROW = {
    "metric_label": "Test metric",
    "authority_name": "Testshire",
    "region_name": "Test region",
    "unit": "percent",
    "decimals": 1,
    "polarity": "high_is_good",
    "additivity": "none",
    "group_min": 10.0,
    "group_p25": 20.0,
    "group_p75": 30.0,
    "group_max": 50.0,
    "group_areas": 5,
    "latest_value": 40.0,
    "england_value": 25.0,
    "region_value": 30.0,
    "cluster_median": 20.0,
    "benchmark_comparison": "better",
}


def _xs(svg: str) -> dict[str, float]:
    england = re.search(r'<rect x="([\d.]+)" y="1" width="2"', svg)
    area = re.search(r'<circle cx="([\d.]+)"', svg)
    ranges = re.findall(r'<rect x="([\d.]+)" y="6.0" width="([\d.]+)"', svg)
    return {
        "england": float(england.group(1)) + 1 if england else float("nan"),
        "area": float(area.group(1)),
        "range_left": float(ranges[0][0]),
        "range_right": float(ranges[0][0]) + float(ranges[0][1]),
        "iqr_left": float(ranges[1][0]),
        "iqr_right": float(ranges[1][0]) + float(ranges[1][1]),
    }


def test_the_spine_is_drawn_to_scale_with_better_to_the_right():
    """Hand-worked: the marks span 10..50 over [8, 212] px, so x = 8 + (v - 10) / 40 * 204."""
    scale = SPINE_WIDTH - 2 * SPINE_PAD

    def px(v: float) -> float:
        return SPINE_PAD + (v - 10) / 40 * scale

    xs = _xs(spine_svg(ROW))
    assert xs["range_left"] == pytest.approx(px(10), abs=0.06)
    assert xs["range_right"] == pytest.approx(px(50), abs=0.11)
    assert xs["iqr_left"] == pytest.approx(px(20), abs=0.06) and xs["iqr_right"] == pytest.approx(
        px(30), abs=0.11
    )
    assert xs["england"] == pytest.approx(px(25), abs=0.06)
    assert xs["area"] == pytest.approx(px(40), abs=0.06)
    assert 'fill="#92d050"' in spine_svg(ROW)  # better than England: Fingertips green

    # low is good: the same values mirrored, so the better (lower) end is on the right
    mirrored = _xs(spine_svg({**ROW, "polarity": "low_is_good", "benchmark_comparison": None}))
    assert mirrored["area"] == pytest.approx(SPINE_WIDTH - px(40), abs=0.06)
    assert mirrored["england"] == pytest.approx(SPINE_WIDTH - px(25), abs=0.06)
    assert 'fill="#bfbfbf"' in spine_svg({**ROW, "benchmark_comparison": None})  # not tested: grey


def test_a_total_is_not_set_against_englands_total_and_no_range_means_no_spine():
    total = spine_svg({**ROW, "additivity": "sum", "england_value": 1000.0})
    assert 'class="england"' not in total
    assert _xs(total)["range_right"] <= SPINE_WIDTH - SPINE_PAD + 0.1  # England's total does not stretch it
    assert spine_svg({**ROW, "group_min": None}) == ""


def test_the_trend_arrow_points_the_way_the_value_moved_and_greys_when_not_significant():
    improving_low = trend_cell(
        {"recent_trend": "improving", "polarity": "low_is_good", "trend_significant": True}
    )
    assert "&#9660;" in improving_low and "#15803d" in improving_low  # falling, and that is good
    worsening = trend_cell(
        {"recent_trend": "worsening", "polarity": "high_is_good", "trend_significant": False}
    )
    assert "&#9660;" in worsening and "#6b7280" in worsening and "not significant" in worsening


def test_find_profile_by_code_name_prefix_or_close_match(tmp_path):
    authorities = {
        "E06000009": "Blackpool",
        "E07000117": "Burnley",
        "E07000118": "Chorley",
        "E06000008": "Blackburn with Darwen",
    }
    assert find_profile(tmp_path, "e06000009", authorities) == (tmp_path / "E06000009.html", [])
    assert find_profile(tmp_path, "BLACKPOOL", authorities) == (tmp_path / "E06000009.html", [])
    assert find_profile(tmp_path, "Blackburn", authorities) == (tmp_path / "E06000008.html", [])
    assert find_profile(tmp_path, "Blakpool", authorities) == (None, ["Blackpool (E06000009)"])
    path, ambiguous = find_profile(tmp_path, "Bl", authorities)
    assert path is None and sorted(ambiguous) == [
        "Blackburn with Darwen (E06000008)",
        "Blackpool (E06000009)",
    ]


def test_the_profile_command_prints_where_the_page_is(built_warehouse, capsys):
    assert main(["profile", "Blackpool"]) == 0
    assert capsys.readouterr().out.strip() == str(built_warehouse.settings.profiles_dir / "E06000009.html")
    assert main(["profile", "Blakpool"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "error: no local authority matches 'Blakpool'"
    assert err[1].startswith("hint: did you mean: Blackpool (E06000009)? ")


def test_one_extreme_authority_is_clipped_from_the_spine_and_marked():
    """Westminster-like: the middle half spans 20..30 and one area sits at 185. The bar stops at the far-out
    fence, 30 + 3 * 10 = 60, with a chevron whose tip gives the true 185; the marks then span 10..60, so
    the middle half keeps a fifth of the spine instead of a fifteenth."""
    svg = spine_svg({**ROW, "group_max": 185.0})
    scale = SPINE_WIDTH - 2 * SPINE_PAD

    def px(v: float) -> float:
        return SPINE_PAD + (v - 10) / 50 * scale

    xs = _xs(svg)
    assert xs["range_right"] == pytest.approx(px(60), abs=0.11)
    assert xs["iqr_right"] - xs["iqr_left"] == pytest.approx(scale * 10 / 50, abs=0.2)
    (chevron,) = re.findall(r'<polyline class="clipped" points="([\d.]+),', svg)
    assert float(chevron) == pytest.approx(px(60), abs=0.11)
    assert "range clipped: the highest English area is 185.0%" in svg
    assert "range clipped" not in spine_svg(ROW)  # 50 is within 30 + 3 * 10: nothing clipped
    # the authority itself is never clipped away: its own value widens the scale
    own = _xs(spine_svg({**ROW, "group_max": 185.0, "latest_value": 185.0}))
    assert own["area"] == pytest.approx(SPINE_WIDTH - SPINE_PAD, abs=0.06)


# --- the devolved nations: their own benchmark and range, and no mission section vanishes -------------


def _sections(html: str) -> dict[int, str]:
    """mission number -> the text of its section."""
    parts = re.findall(r'<section class="mission" id="M(\d\d)">(.*?)</section>', html, re.S)
    return {int(number): re.sub(r"<[^>]+>", " ", body) for number, body in parts}


@pytest.mark.parametrize(
    ("code", "nation", "england_only", "not_measured", "not_published"),
    [
        # Cardiff: education, skills and leadership are England's; transport's connectivity has no data
        ("W06000015", "Wales", {5, 6, 12}, set(), {3}),
        # Glasgow: crime and transport's headlines cover England and Wales only
        ("S12000049", "Scotland", {5, 6, 12}, {3, 11}, {9}),
        # Belfast: transport likewise; homicide is published for Northern Ireland as a whole (shown as
        # such); pride in place's UK-wide headline (the Social Fabric Index) is missing
        ("N09000003", "Northern Ireland", {5, 6, 12}, {3}, {9}),
    ],
)
def test_a_devolved_profile_keeps_every_mission_and_says_why_one_is_empty(
    built_warehouse, code, nation, england_only, not_measured, not_published
):
    html = (built_warehouse.settings.profiles_dir / f"{code}.html").read_text(encoding="utf-8")
    sections = _sections(html)
    assert sorted(sections) == list(range(1, 13))
    for number, text in sections.items():
        if number in england_only:
            assert "England-only mission" in text, (number, text[:200])
        elif number in not_measured:
            assert f"Not measured for {nation}" in text, (number, text[:200])
        elif number in not_published:
            assert f"Not published for {nation}" in text, (number, text[:200])
        else:
            assert "Indicator" in text, (number, text[:200])  # a table of series
    assert "better than England (95% CI)" not in html
    assert f"{nation} range" in html and f"areas in {nation}" in html


def test_a_scottish_series_is_compared_with_scotland_and_drawn_against_scotlands_councils(
    built_warehouse, published_con
):
    """Glasgow's female healthy life expectancy: its benchmark is Scotland (the row says so) and its
    spine's range is Scotland's councils in the same period, counted here from the fact mart."""
    (period, benchmark, areas, low, high) = published_con.execute(
        "select latest_period, benchmark_area_name, group_areas, group_min, group_max "
        "from local_authority_profile where authority_code = 'S12000049' and metric_id = 'hle_birth' "
        "and breakdown = 'sex=female'"
    ).fetchone()
    councils = published_con.execute(
        "select count(*), min(value), max(value) from fct_area_year_metrics where metric_id = 'hle_birth' "
        "and breakdown = 'sex=female' and period = ? and area_code like 'S12%' and value is not null",
        [period],
    ).fetchone()
    assert benchmark == "Scotland"
    assert (areas, low, high) == councils and areas <= 32
    html = (built_warehouse.settings.profiles_dir / "S12000049.html").read_text(encoding="utf-8")
    health = _sections(html)[7]
    assert "compared with Scotland" in health


@pytest.mark.parametrize(
    ("code", "nation", "coverage"),
    [("W06000015", "Wales", "W"), ("S12000049", "Scotland", "S"), ("N09000003", "Northern Ireland", "NI")],
)
def test_a_devolved_profile_shows_its_nations_own_series_against_its_nations_areas(
    built_warehouse, published_con, code, nation, coverage
):
    """Every mission series published for this nation alone (coverage W, S or NI) with a figure for the
    authority is on its page, labelled as the nation's own, its range counted over the nation's areas
    in the fact mart, and compared with the nation where the source publishes a national figure."""
    expected = published_con.execute(
        """
        select distinct f.metric_id, f.breakdown
        from fct_area_year_metrics f join dim_metrics m using (metric_id)
        where m.coverage = ? and m.mission_id is not null and f.area_code = ? and f.value is not null
        order by 1, 2
        """,
        [coverage, code],
    ).fetchall()
    assert expected, f"no own series for {nation} in the fact mart"
    rows = published_con.execute(
        "select metric_id, breakdown, latest_period, group_areas, group_min, group_max, benchmark_area_name, "
        "metric_role from local_authority_profile where authority_code = ? and metric_role = 'supporting' "
        "order by 1, 2",
        [code],
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == expected
    letter = code[0]
    for metric_id, breakdown, period, areas, low, high, benchmark, _ in rows:
        counted = published_con.execute(
            "select count(*), min(value), max(value) from fct_area_year_metrics f join dim_areas a using (area_code) "
            "where f.metric_id = ? and f.breakdown = ? and f.period = ? and f.value is not null and a.is_current "
            "and left(f.area_code, 1) = ? and a.area_level = (select area_level from dim_areas where area_code = ?)",
            [metric_id, breakdown, period, letter, code],
        ).fetchone()
        assert (areas, low, high) == counted, (metric_id, breakdown)
        national = published_con.execute(
            "select count(*) from fct_area_year_metrics f join dim_areas a using (area_code) "
            "where f.metric_id = ? and f.breakdown = ? and f.period = ? and a.area_level = 'nation' "
            "and left(f.area_code, 1) = ? and f.value is not null",
            [metric_id, breakdown, period, letter],
        ).fetchone()[0]
        assert benchmark == (nation if national else None), (metric_id, benchmark)
    html = (built_warehouse.settings.profiles_dir / f"{code}.html").read_text(encoding="utf-8")
    assert html.count(f"{nation}'s own series;") == len(rows)  # each row says so
    assert "English areas" not in html
