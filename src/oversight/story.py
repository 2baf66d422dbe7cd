"""The demo's story clock: events recorded on the dates the story gives them.

Each domain's demo runs its steps inside ``on(day)``, so decisions, case steps, meetings, risk
reviews and checkpoints, their history rows and notifications, read the story's dates and not
the day the demo was loaded (``time-machine`` holds the clock at 10 am London time).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from zoneinfo import ZoneInfo

import time_machine

LONDON = ZoneInfo("Europe/London")


def on(day: dt.date) -> AbstractContextManager:
    """Run what follows as at 10 am (London) on ``day``."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), LONDON), tick=False)
