"""Is a figure plausible for its metric? Checks every format runs before anything is stored.

A value the database accepts can still break what reads it: an infinite ratio takes the SPC
engine (and every page built on it) down, a date in year 0 cannot be read back, a note longer
than its column fails the whole write. Each check here adds a row-level problem naming the
column and the limit; the limits live in ``plausibility.yaml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from oversight.engine.periods import FIRST_MONTH, financial_year_start
from oversight.metrics.importing.validation import Problems

RULES_FILE = Path(__file__).with_name("plausibility.yaml")


@dataclass(frozen=True)
class Plausibility:
    largest_magnitude: float
    non_negative_units: frozenset[str]
    ratio_scales: tuple[float, ...]
    ratio_absolute: float
    ratio_relative: float
    earliest_start: dt.date
    financial_years_ahead: int
    cqc_earliest: dt.date


@cache
def rules() -> Plausibility:
    data = yaml.safe_load(RULES_FILE.read_text())
    return Plausibility(
        largest_magnitude=float(data["largest_magnitude"]),
        non_negative_units=frozenset(data["non_negative_units"]),
        ratio_scales=tuple(float(s) for s in data["ratio"]["scales"]),
        ratio_absolute=float(data["ratio"]["absolute"]),
        ratio_relative=float(data["ratio"]["relative"]),
        earliest_start=data["periods"]["earliest_start"],
        financial_years_ahead=int(data["periods"]["latest_end_financial_years_ahead"]),
        cqc_earliest=data["cqc"]["earliest_published"],
    )


def latest_period_end(today: dt.date | None = None) -> dt.date:
    """The last day a period may end on: the end of the financial year(s) ahead of today."""
    today = today or dt.date.today()
    after = financial_year_start(today) + rules().financial_years_ahead + 1
    return dt.date(after, FIRST_MONTH, 1) - dt.timedelta(days=1)


def check_finite(frame: pl.DataFrame, columns: dict[str, str], problems: Problems) -> None:
    """Each of ``columns`` (staged name -> header as written) finite and of a plausible size."""
    limit = rules().largest_magnitude
    for column, header in columns.items():
        v = pl.col(column)
        bad = frame.filter((v.is_nan() | v.is_infinite() | (v.abs() > limit)).fill_null(False))
        problems.add_frame(bad, header, f"is not a finite number of at most {limit:g} in size")


def check_non_negative(frame: pl.DataFrame, columns: dict[str, str], problems: Problems) -> None:
    """Counts and other non-negative units (by the metric's ``unit``) are not negative."""
    units = list(rules().non_negative_units)
    for column, header in columns.items():
        bad = frame.filter((pl.col("unit").is_in(units) & (pl.col(column) < 0)).fill_null(False))
        problems.add_frame(bad, header,
                           pl.format("{} is negative; a {} is never negative", pl.col(column),
                                     pl.col("unit")))


def check_ratio(frame: pl.DataFrame, header: str, problems: Problems,
                value: str = "value_n", numerator: str = "numerator_n",
                denominator: str = "denominator_n") -> None:
    """When value, numerator and denominator are all given, numerator / denominator (scaled
    as the value is published) gives the value within rounding."""
    r = rules()
    ratio = pl.col(numerator) / pl.col(denominator)
    given = (pl.col(value).is_not_null() & pl.col(numerator).is_not_null()
             & pl.col(denominator).is_not_null() & (pl.col(denominator) != 0))
    tolerance = pl.max_horizontal(pl.lit(r.ratio_absolute), pl.col(value).abs() * r.ratio_relative)
    agrees = pl.any_horizontal([(ratio * scale - pl.col(value)).abs() <= tolerance
                                for scale in r.ratio_scales])
    infinite = given & (ratio.is_infinite() | ratio.is_nan())
    problems.add_frame(frame.filter(infinite.fill_null(False)), header,
                       "numerator / denominator is not a finite number")
    problems.add_frame(
        frame.filter((given & ~infinite & ~agrees).fill_null(False)), header,
        pl.format("{} does not match numerator / denominator = {} (nor that ratio x100, x1,000 "
                  "...) within rounding", pl.col(value), ratio.round(6)),
    )


def check_periods(frame: pl.DataFrame, start: str, end: str, start_header: str,
                  end_header: str, problems: Problems, today: dt.date | None = None) -> None:
    """Periods within the years the framework data covers: not before the earliest start,
    not starting after today, not ending after the financial year ahead."""
    r = rules()
    today = today or dt.date.today()
    latest = latest_period_end(today)
    problems.add_frame(frame.filter(pl.col(start) < r.earliest_start), start_header,
                       f"is before {r.earliest_start:%d/%m/%Y}, earlier than any oversight data")
    problems.add_frame(frame.filter(pl.col(start) > today), start_header,
                       "is in the future: a period must have begun to have a figure")
    problems.add_frame(frame.filter(pl.col(end) > latest), end_header,
                       f"is after {latest:%d/%m/%Y}, the end of the next financial year")


def check_published(frame: pl.DataFrame, column: str, header: str, problems: Problems,
                    today: dt.date | None = None) -> None:
    """A CQC publication date that has happened, and not before CQC rated anyone."""
    today = today or dt.date.today()
    earliest = rules().cqc_earliest
    problems.add_frame(frame.filter(pl.col(column) > today), header,
                       "publication date is in the future")
    problems.add_frame(frame.filter(pl.col(column) < earliest), header,
                       f"publication date is before {earliest:%d/%m/%Y}, when CQC began rating")


def check_length(frame: pl.DataFrame, column: str, header: str, limit: int,
                 problems: Problems) -> None:
    """Text no longer than the column that stores it."""
    bad = frame.filter((pl.col(column).str.len_chars() > limit).fill_null(False))
    problems.add_frame(bad, header,
                       pl.format(f"is {{}} characters long; at most {limit} are kept",
                                 pl.col(column).str.len_chars()))


def check_rank(frame: pl.DataFrame, group: list[str], header: str, problems: Problems,
               rank: str = "rank") -> None:
    """A published rank is a whole number from 1 to the number ranked in its peer group (the
    rows of the same metric, quarter and trust type with a rank)."""
    ranked = frame.filter(pl.col(rank).is_not_null()).with_columns(
        pl.len().over(group).alias("_population"))
    r = pl.col(rank)
    shown = pl.when(r == r.round(0)).then(r.cast(pl.Int64).cast(pl.String)).otherwise(
        r.cast(pl.String))
    problems.add_frame(
        ranked.filter((r < 1) | (r != r.round(0)) | (r > pl.col("_population"))), header,
        pl.format("rank {} is not a whole number from 1 to {} (the organisations ranked in "
                  "its peer group)", shown, pl.col("_population")),
    )
