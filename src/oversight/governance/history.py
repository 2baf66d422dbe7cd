"""Saving with the who, when and why that django-simple-history records."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

#: django-simple-history keeps the reason in a 100-character column.
REASON_LENGTH = 100


def record(obj: models.Model, *, user=None, reason: str = "", at: dt.datetime | None = None):
    """Save ``obj`` with its history row saying who (``user``), when (``at``: when it happened,
    default now; the demo dates its story) and why."""
    obj._history_user = user
    obj._change_reason = (reason or "").strip()[:REASON_LENGTH] or None
    obj._history_date = at or timezone.now()
    obj.save()
    for name in ("_history_user", "_change_reason", "_history_date"):
        obj.__dict__.pop(name, None)
    return obj
