"""How fresh each source's data is: the age of its latest period against its release cadence.

A source is *overdue* when its latest period ended longer ago than its cadence plus its usual
publication lag (catalogue `cadence_months`, `lag_months`; 12 and 12 by default), i.e. when the next
release should already have been picked up. An annual series with a year's lag warns at 24 months;
one published within a quarter (lag_months: 3) at 15.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from orchestration.sources.catalogue import Source
from orchestration.warehouse import LOAD_LOG, raw_columns


@dataclass(frozen=True)
class Freshness:
    source_id: str
    latest_period_end: date | None
    months_old: int | None
    limit_months: int
    status: str  # fresh | overdue | no periods | release date unknown
    subject: str = "latest period ended"

    @property
    def line(self) -> str:
        if self.latest_period_end is None:
            return self.status if self.status == "release date unknown" else f"{self.status} (reference data)"
        return (
            f"{self.status}: {self.subject} {self.latest_period_end:%Y-%m-%d}, "
            f"{self.months_old} months ago (limit {self.limit_months})"
        )


def months_between(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later``; a month ending early counts whole on its last day
    (31 March to 30 April is one month)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    last_day_of_month = (later + timedelta(days=1)).month != later.month
    return months - (later.day < earlier.day and not last_day_of_month)


def assess(source: Source, latest_period_end: date | None, today: date) -> Freshness:
    limit = source.cadence_months + source.lag_months
    if latest_period_end is None:
        return Freshness(source.id, None, None, limit, "no periods", "")
    age = months_between(latest_period_end, today)
    return Freshness(source.id, latest_period_end, age, limit, "overdue" if age > limit else "fresh")


#: A release is overdue when none has come for a cadence plus this grace (annual: 15 months).
RELEASE_GRACE_MONTHS = 3


def assess_release(source: Source, released: date | None, today: date) -> Freshness:
    """Freshness by the publisher's release date (live mode's Last-Modified), where one is known."""
    limit = source.cadence_months + RELEASE_GRACE_MONTHS
    if released is None:
        return Freshness(source.id, None, None, limit, "release date unknown", "")
    age = months_between(released, today)
    return Freshness(source.id, released, age, limit, "overdue" if age > limit else "fresh", "released")


def latest_dates(con: duckdb.DuckDBPyConnection, source_id: str) -> tuple[date | None, date | None]:
    """(latest period end in ``raw.<source>``, publisher date of the source's latest load)."""
    period_end = None
    if "period_end" in raw_columns(con, source_id):
        period_end = con.execute(f'select max(period_end) from raw."{source_id}"').fetchone()[0]
    row = con.execute(
        f"select publisher_date from {LOAD_LOG} where source_id = ? order by loaded_at desc limit 1",
        [source_id],
    ).fetchone()
    released = row[0].date() if row and row[0] is not None else None
    return period_end, released
