"""Figures that would break what reads them are refused by row: non-finite or absurd numbers,
ratios that do not give the value, periods outside the framework years, notes longer than their
column, CQC dates in the future, ranks outside their peer group. The ends of each valid range are
pinned: a percentage of exactly 100 is valid (the catalogue's valid_range is inclusive), 100.01
is not."""

import datetime as dt

import pytest

from oversight.metrics.importing import ImportRejected, checks, run_import
from oversight.metrics.models import Observation
from tests.metrics.importing.test_corrupted_files import NOF, render_csv

pytestmark = pytest.mark.django_db

HEADER = "org_code,metric_code,period_start,period_end,value,numerator,denominator,note\n"


def problems_of(data: bytes, fmt: str = "template") -> list[tuple[int | None, str, str]]:
    with pytest.raises(ImportRejected) as exc:
        run_import(data, "f.csv", fmt)
    return [(p.row, p.column, p.reason) for p in exc.value.problems.sorted()]


def row(value: str, num: str = "", den: str = "", note: str = "", metric: str = "RTT",
        start: str = "2025-06-01", end: str = "2025-06-30") -> bytes:
    return (HEADER + f"RAA,{metric},{start},{end},{value},{num},{den},{note}\n").encode()


@pytest.mark.parametrize("value", ["0", "100", "100.0", "0.0"])
def test_a_percentage_on_the_ends_of_its_range_is_stored(sof, trusts, value):
    run_import(row(value), "f.csv", "template")
    assert Observation.objects.get().value == float(value)


@pytest.mark.parametrize("value", ["100.01", "-0.01"])
def test_a_percentage_just_past_its_range_is_refused(sof, trusts, value):
    [(r, column, reason)] = problems_of(row(value))
    assert (r, column) == (2, "value") and "outside the metric's valid range 0.0 to 100.0" in reason


def test_an_infinite_ratio_is_refused_at_its_row(sof, trusts):
    """The issue's row: numerator 1e308 over denominator 1e-308."""
    found = problems_of(row("50", "1e308", "1e-308"))
    assert (2, "value", "numerator / denominator is not a finite number") in found


@pytest.mark.parametrize("column", ["value", "numerator", "denominator"])
def test_a_number_too_large_to_be_data_is_refused(sof, trusts, column):
    cells = {"value": "50", "numerator": "", "denominator": ""}
    cells[column] = "1e999"  # reads as infinity
    found = problems_of(row(cells["value"], cells["numerator"], cells["denominator"]))
    assert any(r == 2 and c == column and "not a finite number" in why for r, c, why in found)


def test_a_negative_count_is_refused(sof, trusts):
    found = problems_of(row("-1", metric="BEDS"))
    assert (2, "value", "-1.0 is negative; a count is never negative") in found


@pytest.mark.parametrize(("value", "num", "den"), [
    ("91.5", "915", "1000"), ("0.915", "915", "1000"), ("91.55", "915", "1000"),
    ("33.3", "1", "3"),
])
def test_a_ratio_that_gives_the_value_within_rounding_is_stored(sof, trusts, value, num, den):
    run_import(row(value, num, den), "f.csv", "template")
    assert Observation.objects.get().numerator == float(num)


def test_a_ratio_that_does_not_give_the_value_is_refused(sof, trusts):
    [(r, column, reason)] = problems_of(row("80", "915", "1000"))
    assert (r, column) == (2, "value")
    assert "does not match numerator / denominator = 0.915" in reason


@pytest.mark.parametrize(("start", "end", "column", "part"), [
    ("0000-01-01", "2025-06-30", "period_start", "earlier than any oversight data"),
    ("1999-04-01", "1999-04-30", "period_start", "earlier than any oversight data"),
    ("2025-06-01", "9999-12-31", "period_end", "the end of the next financial year"),
])
def test_periods_outside_the_framework_years_are_refused(sof, trusts, start, end, column, part):
    found = problems_of(row("50", start=start, end=end))
    assert any(r == 2 and c == column and part in why for r, c, why in found), found


def test_a_period_starting_after_today_is_refused(sof, trusts):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    found = problems_of(row("50", start=tomorrow.isoformat(), end=tomorrow.isoformat()))
    reason = "is in the future: a period must have begun to have a figure"
    assert (2, "period_start", reason) in found


def test_the_earliest_period_start_is_allowed():
    assert checks.rules().earliest_start == dt.date(2000, 4, 1)
    assert checks.latest_period_end(dt.date(2026, 3, 31)) == dt.date(2027, 3, 31)
    assert checks.latest_period_end(dt.date(2026, 4, 1)) == dt.date(2028, 3, 31)


def test_a_note_longer_than_its_column_is_refused_and_one_as_long_is_kept(sof, trusts):
    found = problems_of(row("50", note="x" * 301))
    assert (2, "note", "is 301 characters long; at most 300 are kept") in found
    run_import(row("50", note="x" * 300), "f.csv", "template")
    assert len(Observation.objects.get().note) == 300


CQC = "Provider ODS Code,Publication Date,Overall\n"


def test_a_cqc_rating_published_in_the_future_is_refused(trusts):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    found = problems_of(f"{CQC}RAA,{tomorrow:%Y-%m-%d},Good\n".encode(), "cqc")
    assert (2, "Publication Date", "publication date is in the future") in found
    today = dt.date.today()
    run_import(f"{CQC}RAA,{today:%Y-%m-%d},Good\n".encode(), "c.csv", "cqc")  # today: fine


def test_a_cqc_date_of_year_zero_is_refused(trusts):
    found = problems_of(f"{CQC}RAA,0000-01-01,Good\n".encode(), "cqc")
    assert any(r == 2 and c == "Publication Date" for r, c, _ in found), found


@pytest.fixture
def nof_metric(db):
    from tests.metrics.importing.test_corrupted_files import nof_framework

    return nof_framework.__wrapped__(db)


def nof_file(ranks: list[str]) -> bytes:
    rows = [["Q1 2025/26", "East of England", "Acute trust", org, f"Trust {org}", "OF0061",
             "6.5", "6.0", rank] for org, rank in zip(["RAA", "RBB", "RCC"], ranks, strict=True)]
    return render_csv(NOF, rows)


def test_ranks_up_to_the_population_are_stored_and_beyond_it_refused(trusts, nof_metric):
    run_import(nof_file(["1", "2", "3"]), "n.csv", "nof")  # rank = population: valid
    assert sorted(Observation.objects.values_list("rank", flat=True)) == [1, 2, 3]
    found = problems_of(nof_file(["1", "2", "4"]), "nof")
    assert found == [(4, "Rank", "rank 4 is not a whole number from 1 to 3 (the organisations "
                                 "ranked in its peer group)")]
    assert [r for r, _, _ in problems_of(nof_file(["0", "2", "1.5"]), "nof")] == [2, 4]
