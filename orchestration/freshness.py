"""How fresh each source's data is: the age of its latest period against its release cadence.

A source is *overdue* when its latest period ended longer ago than its cadence plus its usual
publication lag (catalogue `cadence_months`, `lag_months`; 12 and 12 by default), i.e. when the next
release should already have been picked up. An annual series with a year's lag warns at 24 months;
one published within a quarter (lag_months: 3) at 15.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from orchestration.sources.catalogue import Source


@dataclass(frozen=True)
class Freshness:
    source_id: str
    latest_period_end: date | None
    months_old: int | None
    limit_months: int
    status: str  # fresh | overdue | no periods

    @property
    def line(self) -> str:
        if self.latest_period_end is None:
            return f"{self.status} (reference data)"
        return (
            f"{self.status}: latest period ended {self.latest_period_end:%Y-%m-%d}, "
            f"{self.months_old} months ago (limit {self.limit_months})"
        )


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def assess(source: Source, latest_period_end: date | None, today: date) -> Freshness:
    limit = source.cadence_months + source.lag_months
    if latest_period_end is None:
        return Freshness(source.id, None, None, limit, "no periods")
    age = months_between(latest_period_end, today)
    return Freshness(source.id, latest_period_end, age, limit, "overdue" if age > limit else "fresh")
