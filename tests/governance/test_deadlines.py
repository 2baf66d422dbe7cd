"""Deadlines in England working days (SOAG terms of reference 7.2-7.4: papers at least 5
working days before, draft minutes within 10 after, 7 working days' notice of an extraordinary
meeting). Expected dates are counted by hand on the calendar, bank holidays from GOV.UK."""

import datetime as dt

import pytest

from oversight.engine.periods import shift_working_days
from oversight.governance.data import DeadlineRule, RuleError, read_deadlines
from oversight.governance.deadlines import deadlines_on, notice_given

SOAG = DeadlineRule(papers_before=5, minutes_after=10, extraordinary_notice=7)
D = dt.date


def test_shipped_defaults_are_the_soag_terms():
    assert read_deadlines(None, "test") == SOAG


@pytest.mark.parametrize(
    ("meeting", "papers_due", "minutes_due"),
    [
        # The first SOAG, 31 Aug 2021: Monday 30 August is the summer bank holiday.
        (D(2021, 8, 31), D(2021, 8, 23), D(2021, 9, 14)),
        # Christmas 2021: 27 and 28 December and 3 January 2022 are bank holidays.
        (D(2022, 1, 4), D(2021, 12, 23), D(2022, 1, 18)),
        (D(2021, 12, 21), D(2021, 12, 14), D(2022, 1, 7)),
        # Easter 2022: Good Friday 15 April, Easter Monday 18 April.
        (D(2022, 4, 19), D(2022, 4, 8), D(2022, 5, 4)),
        (D(2022, 4, 12), D(2022, 4, 5), D(2022, 4, 28)),
        # The Platinum Jubilee, 2 and 3 June 2022.
        (D(2022, 6, 7), D(2022, 5, 27), D(2022, 6, 21)),
        (D(2022, 5, 31), D(2022, 5, 24), D(2022, 6, 16)),
        # The Queen's funeral, 19 September 2022.
        (D(2022, 9, 20), D(2022, 9, 12), D(2022, 10, 4)),
        (D(2022, 9, 13), D(2022, 9, 6), D(2022, 9, 28)),
    ],
)
def test_papers_and_minutes_deadlines(meeting, papers_due, minutes_due):
    got = deadlines_on(meeting, SOAG)
    assert (got.papers_due, got.minutes_due) == (papers_due, minutes_due)
    assert got.notice_due is None


@pytest.mark.parametrize(
    ("meeting", "notice_due"),
    [
        (D(2021, 12, 15), D(2021, 12, 6)),
        # Across Christmas: 21 December 2021 leaves 7 working days to 4 January 2022.
        (D(2022, 1, 4), D(2021, 12, 21)),
        (D(2021, 12, 30), D(2021, 12, 17)),
        # Across Easter 2022.
        (D(2022, 4, 21), D(2022, 4, 8)),
    ],
)
def test_last_day_to_call_an_extraordinary_meeting(meeting, notice_due):
    got = deadlines_on(meeting, SOAG, extraordinary=True)
    assert got.notice_due == notice_due
    assert notice_given(notice_due, meeting) == 7
    assert notice_given(shift_working_days(notice_due, 1), meeting) == 6


def test_a_body_with_its_own_deadlines():
    rule = read_deadlines({"papers_before": 7}, "test")
    assert rule.papers_before == 7 and rule.minutes_after == 10
    assert deadlines_on(D(2021, 8, 31), rule).papers_due == D(2021, 8, 19)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"papers_before": -1}, "'papers_before' must be a whole number"),
        ({"papers_before": "five"}, "'papers_before' must be a whole number"),
        ({"notice": 7}, "unknown deadline"),
    ],
)
def test_bad_deadline_rules_are_reported(raw, message):
    with pytest.raises(RuleError, match=message):
        read_deadlines(raw, "body X deadlines")
