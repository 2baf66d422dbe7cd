"""Measures that accumulate through the financial year (year to date, restarting each April).

A year-to-date figure climbs or falls month by month and starts again in April: drawn as an
XmR chart it is a sawtooth whose every April looks like a special cause. What varies from
month to month is the movement, the month's own contribution, so the control chart of such a
measure is of its monthly movement: the year-to-date value less the month before's in the same
financial year (April's movement is April's value).
"""

from __future__ import annotations

import polars as pl

from oversight.engine.periods import FIRST_MONTH, financial_year_start


def financial_year_of(start: str = "period_start") -> pl.Expr:
    """The calendar year in which each period's financial year began (``periods``' rule)."""
    return pl.col(start).map_elements(financial_year_start, return_dtype=pl.Int32, skip_nulls=True)


def monthly_movement(value: str = "value", start: str = "period_start",
                     by: tuple[str, ...] = ()) -> pl.Expr:
    """Each month's movement of a year-to-date ``value`` within its series (``by``) and
    financial year. Rows need not be sorted; a missing month makes the next movement span it.
    Null where it cannot be known: the first month of a series that starts after April."""
    earlier = pl.col(value).shift(1).over([*by, financial_year_of(start)], order_by=start)
    april = pl.when(pl.col(start).dt.month() == FIRST_MONTH).then(pl.col(value))
    return (pl.col(value) - earlier).fill_null(april)
