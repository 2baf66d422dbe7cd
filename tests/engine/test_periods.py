"""The NHS calendar: financial years and quarters, and England's working days.

Bank holidays are England's as GOV.UK publishes them; the expected dates are counted by hand on
a calendar."""

import datetime as dt

import numpy as np
import pytest

from oversight.engine import periods

D = dt.date


def test_quarter_labels() -> None:
    assert periods.financial_quarter(np.datetime64("2022-03-31").astype(object)) == "Q4 2021/22"
    assert periods.quarter_bounds("Q1 2025/26")[0].isoformat() == "2025-04-01"
    assert periods.quarter_bounds("Q3 2021/22")[1].isoformat() == "2021-12-31"
    with pytest.raises(ValueError, match="not a financial quarter"):
        periods.quarter_bounds("2021 Q3")


@pytest.mark.parametrize(
    ("label", "end"),
    [
        ("Q2 21/22", D(2021, 9, 30)),
        ("Q2 2021/22", D(2021, 9, 30)),
        ("Q4 2021/22", D(2022, 3, 31)),
        ("q1 2021-22", D(2021, 6, 30)),
        ("Q3 2025/26", D(2025, 12, 31)),
    ],
)
def test_quarter_end_in_the_forms_the_plan_writes(label, end) -> None:
    assert periods.quarter_end(label) == end


@pytest.mark.parametrize("label", ["Q5 2021/22", "Q2 2021/23", "Q2", "2021/22", ""])
def test_not_a_quarter(label) -> None:
    with pytest.raises(ValueError, match="not a financial"):
        periods.quarter_bounds(label)


def test_years_and_months() -> None:
    assert periods.financial_year(D(2021, 4, 1)) == "2021/22"
    assert periods.financial_year(D(2022, 3, 31)) == "2021/22"
    assert periods.financial_year(D(1999, 12, 1)) == "1999/00"
    assert periods.year_bounds("21/22") == (D(2021, 4, 1), D(2022, 3, 31))
    assert periods.month_label(D(2016, 4, 1)) == "Apr 2016"
    assert periods.quarters_between(D(2021, 5, 1), D(2022, 1, 31)) == [
        "Q1 2021/22", "Q2 2021/22", "Q3 2021/22", "Q4 2021/22"
    ]


def test_the_2022_extra_bank_holidays_are_not_working_days() -> None:
    # Platinum Jubilee (2 and 3 June 2022), the Queen's funeral (19 September 2022), the
    # coronation (8 May 2023).
    for day in (D(2022, 6, 2), D(2022, 6, 3), D(2022, 9, 19), D(2023, 5, 8)):
        assert not periods.is_working_day(day)
    assert periods.is_working_day(D(2022, 9, 20))


@pytest.mark.parametrize(
    ("day", "shift", "expected"),
    [
        # Papers five working days before Monday 26 September 2022: the funeral is skipped.
        (D(2022, 9, 26), -5, D(2022, 9, 16)),
        # Minutes ten working days after Friday 24 December 2021: 27 and 28 December and
        # 3 January 2022 are bank holidays (substitute days).
        (D(2021, 12, 24), 10, D(2022, 1, 12)),
        # Papers five working days before Tuesday 19 April 2022: Good Friday 15 April and
        # Easter Monday 18 April.
        (D(2022, 4, 19), -5, D(2022, 4, 8)),
        # A Saturday meeting: the Friday before is its first working day before.
        (D(2022, 10, 1), -1, D(2022, 9, 30)),
        (D(2022, 10, 1), 1, D(2022, 10, 3)),
        (D(2022, 10, 3), 0, D(2022, 10, 3)),
    ],
)
def test_shift_working_days(day, shift, expected) -> None:
    assert periods.shift_working_days(day, shift) == expected


def test_working_days_between_counts_notice() -> None:
    # Called on Monday 12 December 2022 for Thursday 22 December: 8 working days' notice.
    assert periods.working_days_between(D(2022, 12, 12), D(2022, 12, 22)) == 8
    # Over Christmas 2022: 23 Dec (1), then 28, 29, 30 Dec (26 and 27 are bank holidays), 3 Jan
    # (2 January is the New Year substitute day).
    assert periods.working_days_between(D(2022, 12, 22), D(2023, 1, 3)) == 5
    assert periods.working_days_between(D(2023, 1, 3), D(2022, 12, 22)) == -5
    assert periods.working_days_late(D(2023, 1, 3), D(2022, 12, 22)) == 0


def test_bank_holidays_listed() -> None:
    assert periods.bank_holidays(D(2022, 9, 1), D(2022, 9, 30)) == [D(2022, 9, 19)]
    assert list(periods.working_days(D(2022, 9, 17), D(2022, 9, 20))) == [D(2022, 9, 20)]
