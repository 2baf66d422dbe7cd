"""Decisions recorded in minutes under the scheme of delegation: each names the matter it is
taken under. A body may decide only a matter it holds (as a body: a chair's or secretariat's
matter is not the meeting's); otherwise the minute is refused, or recorded only as a
recommendation to the holder when the secretariat says so. Quoracy is governance's: an
inquorate meeting (for the item) records no decision and no recommendation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from oversight.governance.history import record
from oversight.governance.minutes import record_minute
from oversight.governance.models import AgendaItem, MinuteEntry, Minutes
from oversight.governance.visibility import visible_entries

from .conflicts import conflict_lines
from .models import HeldBy, Matter, MinutedDecision, Outcome


def check_holds(matter: Matter, minutes: Minutes) -> None:
    """Refuse a matter the meeting's body may not decide, saying who holds it."""
    meeting = minutes.meeting
    scheme = matter.scheme
    if scheme.approved_on is not None and scheme.approved_on > meeting.date:
        raise ValidationError(
            f"Version {scheme.version} of the scheme of delegation was approved on "
            f"{scheme.approved_on:%-d %B %Y}, after the meeting of {meeting.date:%-d %B %Y}."
        )
    if matter.held_by != HeldBy.BODY:
        raise ValidationError(
            f"Matter {matter.reference} ({matter.text}) is held by the {matter.held_by_label}, "
            "not decided by a meeting."
        )


def holds(matter: Matter, minutes: Minutes) -> bool:
    return matter.holder.body_id is not None and matter.holder.body_id == minutes.meeting.body_id


@transaction.atomic
def minute_decision(
    minutes: Minutes,
    item: AgendaItem,
    matter: Matter,
    *,
    decision: str,
    as_recommendation: bool = False,
    user=None,
    at: dt.datetime | None = None,
    **minute: object,
) -> MinuteEntry:
    """Minute a decision of the item under ``matter`` (the other fields as
    ``governance.minutes.record_minute``). Refused when the body does not hold the matter,
    unless ``as_recommendation``: then it is recorded as a recommendation to the holder."""
    check_holds(matter, minutes)
    body = minutes.meeting.body
    if holds(matter, minutes):
        outcome, recommended_to = Outcome.DECISION, None
    elif as_recommendation:
        outcome, recommended_to = Outcome.RECOMMENDATION, matter.holder
    else:
        raise ValidationError(
            f"{body.name} does not hold matter {matter.reference} ({matter.text}): it is held "
            f"by the {matter.held_by_label}. Record it as a recommendation to them."
        )
    if not decision.strip():
        raise ValidationError("Record the decision taken under the matter.")
    entry = record_minute(minutes, item, decision=decision, user=user, at=at, **minute)
    link = MinutedDecision.objects.filter(entry=entry).first() or MinutedDecision(entry=entry)
    link.matter, link.outcome, link.recommended_to = matter, outcome, recommended_to
    why = (
        f"Decision under matter {matter.reference}"
        if outcome == Outcome.DECISION
        else f"Recommendation to {matter.holder.name} under matter {matter.reference}"
    )
    record(link, user=user, reason=why, at=at)
    return entry


def decisions_under(user, matter: Matter) -> list[dict[str, Any]]:
    """The decisions and recommendations minuted under the matter (in the latest version of
    each meeting's minutes) that the user may read (``governance.view_minuteentry``: the body's
    readers, Part B only for its audience), newest first, each with its conflicts."""
    links = (
        MinutedDecision.objects.filter(entry__in=visible_entries(user), matter=matter)
        .select_related("entry__item", "entry__minutes__meeting__body", "recommended_to")
        .order_by("-entry__minutes__meeting__date", "-entry__minutes__version", "-pk")
    )
    seen: set[int] = set()
    out = []
    for d in links:
        if d.entry.item_id in seen or not user.has_perm("governance.view_minuteentry", d.entry):
            continue
        seen.add(d.entry.item_id)
        out.append(
            {"link": d, "entry": d.entry, "meeting": d.entry.minutes.meeting,
             "conflicts": conflict_lines(d.entry.item)}
        )  # fmt: skip
    return out
