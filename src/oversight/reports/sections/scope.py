"""What a report is drawn for: the system, its oversight group, the board meeting, the period
since the last report and the day of issue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser

from oversight.governance.models import Body, Meeting
from oversight.metrics.models import Framework
from oversight.organisations.models import System

#: Who a board paper is written for: the board meeting in public, so anyone. It holds what
#: ``oversight.access.visibility`` lets anyone see: published figures and decisions, Part A
#: business only.
BOARD_IN_PUBLIC = AnonymousUser()


@dataclass(frozen=True)
class Scope:
    system: System
    committee: Body
    meeting: Meeting
    since: dt.date
    as_at: dt.date
    reader: Any = BOARD_IN_PUBLIC

    @property
    def until(self) -> dt.date:
        """The last day covered: the day of issue, or the board meeting if that is earlier."""
        return min(self.as_at, self.meeting.date)

    @property
    def framework(self) -> Framework | None:
        """The framework year in force on the day of issue."""
        return (Framework.objects.filter(year_start__lte=self.as_at).order_by("-year_start")
                .first())


def day(value: dt.date | None) -> str | None:
    """A date as the snapshot stores it (ISO), None kept."""
    return value.isoformat() if value else None
