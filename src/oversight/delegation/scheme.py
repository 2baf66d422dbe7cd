"""Loading a scheme of delegation file into the database, and answering from the current scheme:
who holds a matter (by words), the scheme by holder, a matter's chain of delegation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from oversight.engine import delegation as engine
from oversight.governance.history import record
from oversight.governance.models import Body, Meeting

from .models import Holder, Matter, Scheme

SCHEME_FILE = Path(__file__).with_name("scheme-2017.yaml")


@transaction.atomic
def load_scheme(
    path: Path = SCHEME_FILE,
    *,
    approved_on: dt.date | None = None,
    meeting: Meeting | None = None,
    user=None,
    reason: str = "",
) -> Scheme:
    """Load a scheme file as a new version (refused if that version exists: a change to the
    scheme is a new version). Holders naming a governance body link to it when it exists."""
    try:
        data = engine.read_scheme(path)
    except engine.SchemeError as exc:
        raise ValidationError(str(exc)) from None
    if Scheme.objects.filter(version=data.version).exists():
        raise ValidationError(
            f"{path.name}: scheme version {data.version} is already loaded; "
            "a change to the scheme is a new version"
        )
    bodies = {b.short_name.upper(): b for b in Body.objects.all()}
    approver = bodies.get((data.approved_by or "").upper())
    if meeting is not None and approver is not None and meeting.body_id != approver.pk:
        raise ValidationError(
            f"{path.name}: the scheme is approved by {approver.name}, "
            f"not at a meeting of {meeting.body.name}"
        )
    why = reason or f"Scheme of delegation version {data.version} loaded from {path.name}"
    scheme = record(
        Scheme(
            version=data.version,
            title=data.title,
            source=data.source,
            kinds=data.kinds,
            approved_by=approver,
            approved_on=approved_on or (meeting.date if meeting else None),
            approved_at_meeting=meeting,
        ),
        user=user,
        reason=why,
    )
    holders = {
        h.key: record(
            Holder(
                scheme=scheme,
                key=h.key,
                name=h.name,
                body=bodies.get((h.body or "").upper()),
                statutory=h.statutory,
            ),
            user=user,
            reason=why,
        )
        for h in data.holders
    }
    for m in data.matters:
        record(
            Matter(
                scheme=scheme,
                table=m.table,
                table_title=m.table_title,
                number=m.number,
                text=m.text,
                holder=holders[m.holder],
                held_by=m.held_by,
                kind=m.kind,
                delegated_by=holders[m.delegated_by] if m.delegated_by else None,
            ),
            user=user,
            reason=why,
        )
    return scheme


def current_scheme() -> Scheme | None:
    """The scheme in force: the latest approved version (or the latest loaded, if none is)."""
    approved = Scheme.objects.filter(approved_on__isnull=False).order_by("-approved_on", "-pk")
    return approved.first() or Scheme.objects.order_by("-pk").first()


def who(question: str, scheme: Scheme | None = None) -> list[Matter]:
    """The matters of the scheme that answer the question, in the scheme's order."""
    scheme = scheme or current_scheme()
    if scheme is None:
        return []
    matters = scheme.matters.select_related("holder", "delegated_by")
    return [m for m in matters if engine.matches(question, m.text, m.kind)]


def chain(matter: Matter) -> list[Holder]:
    """Who holds the matter, then who delegated it, and who delegated to them, up the scheme."""
    scheme = matter.scheme
    delegated_by: dict[str, str | None] = {}
    for m in scheme.matters.select_related("holder", "delegated_by"):
        if m.delegated_by is not None:
            delegated_by.setdefault(m.holder.key, m.delegated_by.key)
    holders = {h.key: h for h in scheme.holders.all()}
    return [holders[k] for k in engine.delegation_chain(matter.holder.key, delegated_by)]


@dataclass(frozen=True)
class HolderMatters:
    holder: Holder
    delegated_by: Holder | None
    matters: list[Matter]


def by_holder(scheme: Scheme) -> list[HolderMatters]:
    """The scheme grouped by holder, in the order of its tables."""
    groups: dict[int, HolderMatters] = {}
    for m in scheme.matters.select_related("holder__body", "delegated_by"):
        if m.holder_id not in groups:
            groups[m.holder_id] = HolderMatters(m.holder, m.delegated_by, [])
        groups[m.holder_id].matters.append(m)
    return list(groups.values())
