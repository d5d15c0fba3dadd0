"""No untested change reads as a finding (issue 28, point 1).

A word of direction (improving, worsening, widening, narrowing and their forms) is a claim: it may
appear only where a test found the change significant. This scans every text column of every published
mart, the national report and every profile page. Where a mart may carry such a word, the row itself
must show the test that allows it; anywhere else the word must not appear at all.
"""

from __future__ import annotations

import re

import pytest

DIRECTION = re.compile(
    r"(?i)\b(improv(?:ing|ed|es|e)|worsen(?:ing|ed|s)?|widen(?:ing|ed|s)?|narrow(?:ing|ed|s)?)\b"
)

#: Columns whose text is not a finding about the data: the Statement's own wording of a mission or
#: target ("narrow the gap"), and catalogue descriptions of what a series measures.
PROSE = {
    ("dim_missions", "ambition"),  # the Statement's own ambition ("... the gap ... narrows")
    ("dim_metrics", "description"),  # what a series measures and the Statement's target for it
    ("dim_metrics", "target_kind"),  # a category of target: improve_everywhere
}


def _text_columns(con) -> list[tuple[str, str]]:
    return con.execute(
        """
        select c.table_name, c.column_name
        from information_schema.columns c
        join information_schema.tables t using (table_catalog, table_schema, table_name)
        where c.table_schema = 'main' and c.data_type = 'VARCHAR'
        order by 1, 2
        """
    ).fetchall()


def _significant_item(item: str) -> bool:
    """One claim of a list (a status label part, a basis item): its own test says significant."""
    return bool(re.search(r"(?<!not )significant", item)) and "not significant" not in item


def _check_scorecard_row(row: dict) -> list[str]:
    """mission_scorecard, local_authority_scorecard, local_authority_profile: verdict, trend and label."""
    problems = []
    verdict = row.get("verdict")
    significance = row.get("change_significance", "significant at 95%")  # the profile has none: its label
    if (
        verdict in ("improving", "worsening", "increased", "decreased")
        and significance != "significant at 95%"
    ):
        problems.append(f"verdict {row['verdict']} with {row['change_significance']}")
    if row.get("recent_trend") in ("improving", "worsening") and row.get("trend_significant") is not True:
        problems.append(f"recent_trend {row['recent_trend']} without a significant trend test")
    label = row.get("status_label") or ""
    for part in label.split("; "):
        if part.startswith("recent trend: "):
            continue  # checked on recent_trend above
        if DIRECTION.search(part) and not _significant_item(part):
            problems.append(f"status_label part {part!r}")
    if DIRECTION.search(row.get("direction") or ""):
        problems.append(f"direction {row['direction']!r}")
    return problems


def _check_summary_row(row: dict) -> list[str]:
    problems = []
    significant = row["headline_series_improving"] + row["headline_series_worsening"]
    if DIRECTION.search(row["headline_status"]) and significant == 0:
        problems.append(f"headline_status {row['headline_status']!r} with no significant series")
    tested_metrics = set()
    for item in (row["headline_basis"] or "").split(" | "):
        if DIRECTION.search(item.split("[")[0]):
            if "significance=significant at 95%" not in item:
                problems.append(f"headline_basis item {item!r}")
            tested_metrics.add(item.split(":")[0])
    for item in (row["headline_detail"] or "").split("; "):
        if DIRECTION.search(item) and item.split(" ")[0] not in {m.split(" ")[0] for m in tested_metrics}:
            problems.append(f"headline_detail item {item!r} has no significant test in headline_basis")
    significant_gaps = 0
    for item in (row["gap_basis"] or "").split(" | "):
        if DIRECTION.search(item.split("[")[0]):
            if not _significant_item(item):
                problems.append(f"gap_basis item {item!r} has no significant test")
            significant_gaps += 1
    if DIRECTION.search(row["gap_trend"] or "") and significant_gaps == 0:
        problems.append(f"gap_trend {row['gap_trend']!r} with no significant gap change")
    for column in ("confidence", "data_note"):
        if DIRECTION.search(row[column] or ""):
            problems.append(f"{column} {row[column]!r}")
    return problems


def _check_gap_row(row: dict) -> list[str]:
    """mission_gaps: narrowing or widening only where the row's own z test is significant at 95%."""
    problems = []
    if DIRECTION.search(row["gap_trend"] or ""):
        z = row.get("gap_change_z")
        if z is None or abs(z) <= 1.959964:
            problems.append(f"gap_trend {row['gap_trend']!r} with z={z}")
    for column, value in row.items():
        if column != "gap_trend" and isinstance(value, str) and DIRECTION.search(value):
            problems.append(f"{column}={value!r}")
    return problems


SCORECARD_LIKE = {"mission_scorecard", "local_authority_scorecard", "local_authority_profile"}


def test_no_mart_uses_a_direction_word_for_an_untested_change(published_con):
    columns = _text_columns(published_con)
    problems: list[str] = []
    checked_rows = 0
    for table in sorted({t for t, _ in columns}):
        names = [c for t, c in columns if t == table and (t, c) not in PROSE]
        if not names:
            continue
        hits = " or ".join(f"regexp_matches({c}, '(?i)\\b(improv|worsen|widen|narrow)')" for c in names)
        rows = published_con.execute(f"select * from {table} where {hits}").df().to_dict("records")
        checked_rows += len(rows)
        for row in rows:
            row = {k: (None if v != v else v) for k, v in row.items()}  # NaN -> None
            if table in SCORECARD_LIKE:
                found = _check_scorecard_row(row)
            elif table == "mission_summary":
                found = _check_summary_row(row)
            elif table == "mission_gaps":
                found = _check_gap_row(row)
            else:
                found = [f"{c}={row[c]!r}" for c in names if DIRECTION.search(str(row[c] or ""))]
            problems += [f"{table}: {p}" for p in found]
    assert checked_rows > 0, "the scan found no direction word at all: is it reading the marts?"
    assert not problems, "\n".join(problems[:20]) + f"\n({len(problems)} in all)"


def _blocks(html: str) -> list[str]:
    """The page's text in the smallest blocks a reader takes as one statement: a table row, a
    paragraph, a list item, a span (a badge, a trend cell's note), a caption. The Methods section,
    which defines the words, is left out."""
    html = re.sub(r'(?s)<section class="methods".*?</section>', " ", html)
    html = re.sub(r"(?s)<(style|script|svg)[^>]*>.*?</\1>", " ", html)
    html = re.sub(r"</(tr|p|li|span|figcaption|h\d|div|title)>", "\x00", html)
    text = re.sub(r"<[^>]+>", " ", html)
    return [re.sub(r"\s+", " ", block).strip() for block in text.split("\x00")]


def test_no_page_uses_a_direction_word_for_an_untested_change(built_warehouse):
    pages = [
        built_warehouse.settings.report_path,
        *sorted(built_warehouse.settings.profiles_dir.glob("*.html")),
    ]
    assert len(pages) > 300
    problems = []
    claims = 0
    for page in pages:
        for block in _blocks(page.read_text(encoding="utf-8")):
            if DIRECTION.search(block):
                claims += 1
                if not _significant_item(block):
                    problems.append(f"{page.name}: {block[:200]}")
    assert claims > 0, "no direction word on any page: the scan reads nothing"
    assert not problems, "\n".join(problems[:20]) + f"\n({len(problems)} in all)"


@pytest.mark.parametrize(
    ("block", "ok"),
    [
        ("Healthy life expectancy 63.5 60.9 worsening significant at 95%", True),
        ("▲ improving, significant least-squares slope, t-test at 99.8%", True),
        ("▲ improving, not significant", False),
        ("Gross median weekly pay 2019 2025 improving not tested: no confidence interval", False),
        ("Gap: narrowing", False),
    ],
)
def test_the_page_rule_tells_a_tested_claim_from_an_untested_one(block, ok):
    assert bool(DIRECTION.search(block)) and _significant_item(block) == ok
