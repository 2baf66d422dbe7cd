"""Deadlines as the Cambridge and Peterborough ICS development plan (seed 004, 31 March 2021)
writes them. Every form in the plan's workplan appears here with the due date worked out by hand
on a calendar: the NHS financial year starts on 1 April, so Q1 2021/22 ends on 30 June 2021 and
"June 2021/22" is the June of 2021/22, June 2021."""

import datetime as dt

import pytest

from oversight.engine.deadlines import DeadlineError, parse_deadline

D = dt.date


@pytest.mark.parametrize(
    ("written", "due", "form"),
    [
        # Quarters, short and long years ("Align on core purpose ... Q1 21/22")
        ("Q1 21/22", D(2021, 6, 30), "quarter"),
        ("Q1 2021/22", D(2021, 6, 30), "quarter"),
        ("Q2 21/22", D(2021, 9, 30), "quarter"),
        ("Q2 2021/22", D(2021, 9, 30), "quarter"),
        ("Q3 21/22", D(2021, 12, 31), "quarter"),
        ("Q3 2021/22", D(2021, 12, 31), "quarter"),
        ("Q4 21/22", D(2022, 3, 31), "quarter"),
        ("Q4 2021/22", D(2022, 3, 31), "quarter"),
        ("Q2 22/23", D(2022, 9, 30), "quarter"),
        ("Q2 2022/23", D(2022, 9, 30), "quarter"),
        # "by ..." and "by end of ..." change nothing: the quarter's last day
        ("by Q1 2021/22", D(2021, 6, 30), "quarter"),
        ("by Q2 2021/22", D(2021, 9, 30), "quarter"),
        ("by Q3 2021/22", D(2021, 12, 31), "quarter"),
        ("by Q4 21/22", D(2022, 3, 31), "quarter"),
        ("by Q2 22/23", D(2022, 9, 30), "quarter"),
        ("by end of Q2 2021/22", D(2021, 9, 30), "quarter"),
        ("by end of Q4 20/21", D(2021, 3, 31), "quarter"),
        # Months: the month's last day
        ("June 2021", D(2021, 6, 30), "month"),
        ("July 2021", D(2021, 7, 31), "month"),
        ("August 2021", D(2021, 8, 31), "month"),
        ("September 2021", D(2021, 9, 30), "month"),
        ("by September 2021", D(2021, 9, 30), "month"),
        ("by Sept 2021", D(2021, 9, 30), "month"),
        ("by April 2021", D(2021, 4, 30), "month"),
        ("during April 2021", D(2021, 4, 30), "month"),
        ("to be completed April 2021", D(2021, 4, 30), "month"),
        ("by end of March 2021", D(2021, 3, 31), "month"),
        ("Ongoing, to be completed by March 2021", D(2021, 3, 31), "month"),
        # A month within a financial year: June of 2021/22 is June 2021; February is 2022
        ("June 2021/22", D(2021, 6, 30), "month"),
        ("February 2021/22", D(2022, 2, 28), "month"),
        # "early": the first third of the period (10 of March's 31 days; a quarter's 1st month)
        ("early March 2021", D(2021, 3, 10), "month"),
        ("by early March 2021", D(2021, 3, 10), "month"),
        ("early Q1 2021/22", D(2021, 4, 30), "quarter"),
        # A financial year: "2021/22 People Plan is in place"
        ("2021/22", D(2022, 3, 31), "year"),
    ],
)
def test_every_deadline_form_in_the_plan(written: str, due: dt.date, form: str) -> None:
    deadline = parse_deadline(written)
    assert deadline.due == due
    assert deadline.form == form
    assert deadline.text == written  # the wording is kept as written
    assert not deadline.ongoing


@pytest.mark.parametrize(
    ("written", "starts", "due"),
    [
        ("Phase 1 (Q1-Q4 21/22)", D(2021, 4, 1), D(2022, 3, 31)),
        ("Phase 2 (Q1-Q2 22/23)", D(2022, 4, 1), D(2022, 9, 30)),
    ],
)
def test_a_phase_runs_from_its_first_quarter_to_its_last(written, starts, due) -> None:
    deadline = parse_deadline(written)
    assert (deadline.starts, deadline.due, deadline.form) == (starts, due, "phase")


def test_an_open_ended_phase_starts_and_goes_on() -> None:
    deadline = parse_deadline("Phase 3 (Q3 22/23 onward)")
    assert deadline.starts == D(2022, 10, 1)
    assert deadline.due is None and deadline.ongoing


def test_ongoing_has_no_due_date_and_is_never_late() -> None:
    deadline = parse_deadline("Ongoing")
    assert deadline.due is None and deadline.ongoing and deadline.form == "ongoing"
    assert not deadline.is_late(D(2030, 1, 1), achieved=False)


def test_late_is_due_before_today_and_not_achieved() -> None:
    deadline = parse_deadline("Q1 21/22")
    assert deadline.quarter == "Q1 2021/22"
    assert not deadline.is_late(D(2021, 6, 30), achieved=False)  # due today: not yet late
    assert deadline.is_late(D(2021, 7, 1), achieved=False)
    assert not deadline.is_late(D(2021, 7, 1), achieved=True)


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("", "no deadline given"),
        ("soon", "cannot read the deadline 'soon'"),
        ("June", "cannot read the deadline 'June'"),
        ("Q5 21/22", "cannot read"),
        ("Q2 2021/23", "the second year must follow the first"),
        ("Phase 1 (Q4-Q1 21/22)", "cannot read"),
        ("when the operating model is in place", "write a quarter"),
    ],
)
def test_unreadable_wording_is_refused_never_guessed(written: str, says: str) -> None:
    with pytest.raises(DeadlineError, match=says.replace("(", r"\(")):
        parse_deadline(written)
