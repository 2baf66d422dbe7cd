"""Rebases: recording them, and the dates every SPC computation starts new limits at.

A rebase of an organisation's series, or of every organisation's series of a metric (a national
definition change), starts a new rebase group at its date (the period start of the first period
of the new process). Dates are validated against the periods the series actually has, so a
stored rebase always splits a series where it was meant to.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from oversight.metrics.models import Metric, Observation, Rebase
from oversight.metrics.visible import EVERYTHING, Visibility, visibility, visible_rows


class RebaseError(ValueError):
    """A rebase cannot be recorded; ``field`` names the argument at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def rebase_version() -> str:
    """Changes whenever a rebase is recorded, changed or removed (its history grows)."""
    latest = Rebase.history.aggregate(id=Max("history_id"), at=Max("history_date"))
    if latest["id"] is None:
        return "r0"
    return f"r{latest['id']}@{latest['at'].timestamp()}"


def series_periods(metric: Metric, organisation: Any | None,
                   viewer: Visibility) -> list[dt.date]:
    """Period starts with a value the viewer may see: of the organisation's series, or of any
    organisation's (a period only an unpublished load gives is not offered to a viewer who
    may not see that load)."""
    qs = Observation.objects.filter(metric=metric)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    rows = visible_rows(qs, ["period_start", "value", "numerator", "denominator"], viewer,
                        value_required=True)
    return sorted({row[0] for row in rows})


def check_date(date: dt.date, periods: list[dt.date]) -> None:
    """A rebase date must be the start of one of the series' periods."""
    if not periods:
        raise RebaseError("date", "The series has no values yet, so it cannot be rebased")
    if date < periods[0]:
        raise RebaseError("date", f"The date {date.isoformat()} is before the first period "
                                  f"of the series ({periods[0].isoformat()})")
    if date not in periods:
        later = next(p for p in periods if p > date) if date < periods[-1] else None
        hint = (f"; the next period starts on {later.isoformat()}" if later
                else f"; the last period starts on {periods[-1].isoformat()}")
        raise RebaseError("date", f"No period of the series starts on {date.isoformat()}{hint}")


def record_rebase(metric: Metric, organisation: Any | None, date: dt.date, reason: str,
                  user: Any | None = None) -> Rebase:
    """Validate and store a rebase (``organisation`` None: every organisation's series). Its
    date must start a period of the series as ``user`` sees it (the command line, acting for
    nobody, sees everything)."""
    reason = reason.strip()
    if not reason:
        raise RebaseError("reason", "Enter the reason for the rebase")
    viewer = visibility(user) if user is not None else EVERYTHING
    check_date(date, series_periods(metric, organisation, viewer))
    duplicate = Rebase.objects.filter(metric=metric, organisation=organisation, date=date)
    if duplicate.exists():
        raise RebaseError("date", f"A rebase from {date.isoformat()} is already recorded")
    try:
        with transaction.atomic():
            return Rebase.objects.create(metric=metric, organisation=organisation, date=date,
                                         reason=reason, recorded_by=user)
    except IntegrityError as exc:  # recorded by someone else meanwhile
        raise RebaseError("date", f"A rebase from {date.isoformat()} is already recorded") \
            from exc


def series_rebases(metric: Metric, organisation: Any) -> list[Rebase]:
    """Rebases that apply to one organisation's series: its own and the metric-wide ones."""
    return list(Rebase.objects.filter(metric=metric)
                .filter(Q(organisation=organisation) | Q(organisation__isnull=True))
                .select_related("organisation", "recorded_by").order_by("date", "id"))


def rebase_dates(metric_ids: Iterable[int] | None = None,
                 organisation_ids: Iterable[int] | None = None,
                 ) -> tuple[dict[int, set[dt.date]], dict[tuple[int, int], set[dt.date]]]:
    """Stored rebase dates as (metric-wide by metric id, per (organisation id, metric id))."""
    qs = Rebase.objects.order_by()
    if metric_ids is not None:
        qs = qs.filter(metric_id__in=list(metric_ids))
    metric_wide: dict[int, set[dt.date]] = defaultdict(set)
    own: dict[tuple[int, int], set[dt.date]] = defaultdict(set)
    orgs = None if organisation_ids is None else set(organisation_ids)
    for metric_id, org_id, date in qs.values_list("metric_id", "organisation_id", "date"):
        if org_id is None:
            metric_wide[metric_id].add(date)
        elif orgs is None or org_id in orgs:
            own[(org_id, metric_id)].add(date)
    return dict(metric_wide), dict(own)


def dates_for(metric_wide: Mapping[int, set[dt.date]],
              own: Mapping[tuple[int, int], set[dt.date]],
              metric_id: int, organisation_id: int | None) -> list[dt.date]:
    """The rebase dates of one series (``organisation_id`` None: an aggregate series, which
    honours metric-wide rebases only)."""
    dates = set(metric_wide.get(metric_id, ()))
    if organisation_id is not None:
        dates |= own.get((organisation_id, metric_id), set())
    return sorted(dates)
