"""The annual schedule from a body's pattern (ToR 7.1: normally monthly; the SOAG first met on
Tuesday 31 August 2021, the last Tuesday of the month)."""

import datetime as dt

import pytest

from oversight.governance.schedule import meeting_dates, nth_weekday

D = dt.date
TUESDAY = 1


def test_last_tuesdays_from_the_first_soag():
    got = meeting_dates(
        D(2021, 8, 1), D(2022, 3, 31), frequency="monthly", weekday=TUESDAY, week_of_month=-1
    )
    assert got == [
        D(2021, 8, 31),
        D(2021, 9, 28),
        D(2021, 10, 26),
        D(2021, 11, 30),
        # 28 December 2021 is a bank holiday (for Boxing Day): the next working day.
        D(2021, 12, 29),
        D(2022, 1, 25),
        D(2022, 2, 22),
        D(2022, 3, 29),
    ]


def test_a_bank_holiday_can_move_back_or_skip_the_month():
    span = (D(2021, 12, 1), D(2021, 12, 31))
    kw = {"frequency": "monthly", "weekday": TUESDAY, "week_of_month": -1}
    assert meeting_dates(*span, **kw, if_holiday="previous") == [D(2021, 12, 24)]
    assert meeting_dates(*span, **kw, if_holiday="skip") == []


def test_quarterly_from_a_given_month():
    got = meeting_dates(
        D(2022, 1, 1),
        D(2022, 12, 31),
        frequency="quarterly",
        weekday=2,
        week_of_month=2,
        first_month=4,
    )
    assert got == [D(2022, 1, 12), D(2022, 4, 13), D(2022, 7, 13), D(2022, 10, 12)]


def test_no_fifth_tuesday():
    assert nth_weekday(2021, 9, TUESDAY, 4) == D(2021, 9, 28)
    assert nth_weekday(2021, 8, TUESDAY, 5) == D(2021, 8, 31)
    assert nth_weekday(2021, 9, TUESDAY, 5) is None


def test_an_inverted_span_is_refused():
    with pytest.raises(ValueError, match="ends"):
        meeting_dates(D(2022, 1, 1), D(2021, 1, 1), frequency="monthly", weekday=1, week_of_month=1)
