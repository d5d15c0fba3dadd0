"""How fresh each source's data is: the age of its latest period against its release cadence.

A source is *overdue* when its latest period ended longer ago than its cadence plus its usual
publication lag (catalogue `cadence_months`, `lag_months`; 12 and 12 by default), i.e. when the next
release should already have been picked up. An annual series with a year's lag warns at 24 months;
one published within a quarter (lag_months: 3) at 15.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from orchestration.ingest.sources.catalogue import Source
from orchestration.warehouse.loading import LOAD_LOG


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


def latest_dates(
    con: duckdb.DuckDBPyConnection, source_ids: Iterable[str]
) -> dict[str, tuple[date | None, date | None]]:
    """Per source: (latest period end in ``raw.<source>``, publisher date of its latest load), read
    in three queries for all of them (one per source cost ~8 ms each, 52 sources a refresh)."""
    wanted = list(dict.fromkeys(source_ids))
    with_periods = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.columns where table_schema = 'raw' "
            "and column_name = 'period_end'"
        ).fetchall()
    }
    period_ends: dict[str, date | None] = {}
    maxima = [
        f"select '{source_id}', max(period_end) from raw.\"{source_id}\""
        for source_id in wanted
        if source_id in with_periods
    ]
    if maxima:
        period_ends = dict(con.execute(" union all ".join(maxima)).fetchall())
    # the latest load's publisher date, NULL or not (arg_max would skip a NULL for an older date)
    released = {
        source_id: publisher_date.date() if publisher_date is not None else None
        for source_id, publisher_date in con.execute(
            f"select source_id, arg_max_null(publisher_date, loaded_at) from {LOAD_LOG} group by 1"
        ).fetchall()
    }
    return {source_id: (period_ends.get(source_id), released.get(source_id)) for source_id in wanted}
