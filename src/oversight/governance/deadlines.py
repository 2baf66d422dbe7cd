"""A meeting's deadlines in England working days, from its body's rule (data on the body,
defaults in ``governance/bodies.yaml``): papers issued at least N working days before the
meeting, draft minutes within N working days after it, and at least N working days' notice of an
extraordinary meeting (SOAG terms of reference 7.2-7.4: 7, 5 and 10)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from oversight.engine.periods import shift_working_days, working_days_between
from oversight.governance.data import DeadlineRule, deadline_rule


@dataclass(frozen=True)
class Deadlines:
    papers_due: dt.date
    minutes_due: dt.date
    #: The last day an extraordinary meeting on this date could be called (None if scheduled).
    notice_due: dt.date | None


def deadlines_on(day: dt.date, rule: DeadlineRule, *, extraordinary: bool = False) -> Deadlines:
    """The deadlines of a meeting on ``day`` under ``rule``."""
    return Deadlines(
        papers_due=shift_working_days(day, -rule.papers_before),
        minutes_due=shift_working_days(day, rule.minutes_after),
        notice_due=shift_working_days(day, -rule.extraordinary_notice) if extraordinary else None,
    )


def deadlines_for(meeting) -> Deadlines:
    return deadlines_on(
        meeting.date, deadline_rule(meeting.body), extraordinary=meeting.is_extraordinary
    )


def notice_given(called_on: dt.date, meeting_day: dt.date) -> int:
    """Working days of notice a meeting on ``meeting_day`` gets when called on ``called_on``."""
    return working_days_between(called_on, meeting_day)
