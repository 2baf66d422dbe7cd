"""Year-to-date measures: the control chart is of the monthly movement (hand-worked)."""

import datetime as dt

import polars as pl

from oversight.engine.accumulation import monthly_movement


def test_monthly_movement_restarts_each_april_and_is_unknown_before_a_first_april() -> None:
    months = [dt.date(2022, m, 1) for m in (2, 3)] + [dt.date(2022, m, 1) for m in (4, 5, 6)]
    frame = pl.DataFrame({
        "subject": ["a"] * 5 + ["b"] * 2,
        "period_start": [*months, dt.date(2022, 4, 1), dt.date(2022, 5, 1)],
        "value": [-1.0, -2.5, 0.5, 1.0, 2.0, 3.0, 2.0],
    }).reverse()  # order does not matter
    moved = frame.with_columns(m=monthly_movement(by=("subject",))).sort("subject", "period_start")
    # February 2022 starts the series mid-year: unknown. March: -2.5 - -1.0. April restarts.
    assert moved["m"].to_list() == [None, -1.5, 0.5, 0.5, 1.0, 3.0, -1.0]
