"""ISO-8601 reference periods as publishers write them, turned into a label and a reference year.

Publishers give a period either as a plain date (``2025-04-30``: a point-in-time snapshot) or as an
ISO-8601 interval of a start date and a duration (``2011-01-01/P3Y``: three calendar years;
``2018-09-01/P1Y``: one academic year). The warehouse needs a human label and an integer reference
year that sorts and joins. The rule, applied everywhere:

* the reference ``year`` is the calendar year in which the period *ends* (academic year 2018/19 ->
  2019; the three years 2017-2019 -> 2019; a snapshot on 2025-04-30 -> 2025);
* the ``label`` reads as ONS writes periods: ``2019``, ``2018-19`` (a financial or academic year,
  starting in April, August or September), ``year ending Jun 2025`` (any other twelve months: a
  rolling year), ``2017-2019`` (several calendar years), ``2014-15 to 2016-17`` (several non-calendar years),
  ``2025-04-30`` (a date), ``Jul 2023`` (a calendar month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_PLAIN_DATE = re.compile(rf"^{_DATE}$")
_INTERVAL = re.compile(rf"^{_DATE}/P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")


class PeriodFormatError(ValueError):
    """A period string that is not an ISO-8601 date or date/duration interval."""


@dataclass(frozen=True)
class Period:
    """A parsed reference period."""

    raw: str
    label: str
    year: int
    start: date
    end: date  # inclusive last day (equals start for a point-in-time date)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    # ISO durations from the first of a month are all the real files use; clamp anything else.
    for candidate_day in range(day.day, 0, -1):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise PeriodFormatError(f"cannot add {months} months to {day}")  # pragma: no cover


def _to_date(year: str, month: str, day: str, raw: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise PeriodFormatError(f"{raw!r} holds an impossible date ({exc})") from None


#: Start months of the years publishers name "2018-19": the financial year (April) and the academic
#: year (August for further education, September for schools).
NAMED_YEAR_STARTS = (4, 8, 9)


def _label(start: date, end: date, years: int, months: int, days: int) -> str:
    if months == 0 and days == 0 and years >= 1:
        if start.month == 1 and start.day == 1:
            return str(start.year) if years == 1 else f"{start.year}-{end.year}"
        if years == 1 and not (start.day == 1 and start.month in NAMED_YEAR_STARTS):
            # any other twelve months is a rolling year, named by its end: "2024-25" would read as a
            # financial year (the police's year ending June 2025; gas meters' year ending May 2013)
            return f"year ending {end:%b %Y}"
        first = f"{start.year}-{(start.year + 1) % 100:02d}"
        if years == 1:
            return first
        last_start = start.year + years - 1
        return f"{first} to {last_start}-{(last_start + 1) % 100:02d}"
    if years == 0 and months == 1 and days == 0 and start.day == 1:
        return start.strftime("%b %Y")  # a calendar month, as ONS writes it: "Jul 2023"
    return f"{start.isoformat()} to {end.isoformat()}"


@lru_cache(maxsize=4096)
def parse_period(raw: str) -> Period:
    """Parse an ISO-8601 date or ``start/duration`` interval; raise PeriodFormatError otherwise.

    Cached: a file repeats a handful of periods over thousands of rows, and a Period is frozen."""
    text = raw.strip()
    plain = _PLAIN_DATE.match(text)
    if plain:
        day = _to_date(*plain.groups(), raw=raw)
        return Period(raw=raw, label=day.isoformat(), year=day.year, start=day, end=day)
    interval = _INTERVAL.match(text)
    if not interval or not any(interval.groups()[3:]):
        raise PeriodFormatError(
            f"{raw!r} is not an ISO-8601 date (YYYY-MM-DD) or interval (YYYY-MM-DD/PnY, e.g. 2011-01-01/P3Y)"
        )
    start = _to_date(*interval.groups()[:3], raw=raw)
    years, months, days = (int(part or 0) for part in interval.groups()[3:])
    if years == months == days == 0:
        raise PeriodFormatError(f"{raw!r} has a zero-length duration")
    end = _add_months(start, 12 * years + months) + timedelta(days=days) - timedelta(days=1)
    return Period(
        raw=raw,
        label=_label(start, end, years, months, days),
        year=end.year,
        start=start,
        end=end,
    )
