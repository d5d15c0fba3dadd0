from datetime import date

import pytest

from orchestration.ingest.sources.periods import PeriodFormatError, parse_period


@pytest.mark.parametrize(
    ("raw", "label", "year", "start", "end"),
    [
        # three calendar years (HLE): baseline 2017-2019 ends in 2019
        ("2017-01-01/P3Y", "2017-2019", 2019, date(2017, 1, 1), date(2019, 12, 31)),
        # one calendar year
        ("2023-01-01/P1Y", "2023", 2023, date(2023, 1, 1), date(2023, 12, 31)),
        # academic year 2018/19 (KS2): ends August 2019
        ("2018-09-01/P1Y", "2018-19", 2019, date(2018, 9, 1), date(2019, 8, 31)),
        # financial year 2020/21 (public R&D)
        ("2020-04-01/P1Y", "2020-21", 2021, date(2020, 4, 1), date(2021, 3, 31)),
        # academic year of further education (August to July)
        ("2019-08-01/P1Y", "2019-20", 2020, date(2019, 8, 1), date(2020, 7, 31)),
        # rolling years are named by their end, never like a financial year: police recorded crime in
        # the year ending June 2025, gas meters' year from mid-May, Active Lives from mid-November
        ("2024-07-01/P1Y", "year ending Jun 2025", 2025, date(2024, 7, 1), date(2025, 6, 30)),
        ("2012-05-15/P1Y", "year ending May 2013", 2013, date(2012, 5, 15), date(2013, 5, 14)),
        ("2015-11-16/P1Y", "year ending Nov 2016", 2016, date(2015, 11, 16), date(2016, 11, 15)),
        ("2012-02-01/P1Y", "year ending Jan 2013", 2013, date(2012, 2, 1), date(2013, 1, 31)),
        # three financial years (homicide)
        ("2014-04-01/P3Y", "2014-15 to 2016-17", 2017, date(2014, 4, 1), date(2017, 3, 31)),
        # a point in time (median pay, coverage)
        ("2025-04-30", "2025-04-30", 2025, date(2025, 4, 30), date(2025, 4, 30)),
        # a month-based duration
        ("2024-01-01/P3M", "2024-01-01 to 2024-03-31", 2024, date(2024, 1, 1), date(2024, 3, 31)),
        ("2023-07-01/P1M", "Jul 2023", 2023, date(2023, 7, 1), date(2023, 7, 31)),  # short-term lets
        ("2025-12-01/P1M", "Dec 2025", 2025, date(2025, 12, 1), date(2025, 12, 31)),
        # surrounding whitespace is tolerated
        (" 2011-01-01/P3Y ", "2011-2013", 2013, date(2011, 1, 1), date(2013, 12, 31)),
    ],
)
def test_parse_period(raw, label, year, start, end):
    period = parse_period(raw)
    assert (period.label, period.year, period.start, period.end) == (label, year, start, end)


@pytest.mark.parametrize(
    "raw", ["2019/20", "2019-2020", "2019", "Q1 2020", "2019-13-01", "2019-01-01/P0Y", "2019-01-01/P", ""]
)
def test_other_period_formats_are_refused(raw):
    with pytest.raises(PeriodFormatError):
        parse_period(raw)
