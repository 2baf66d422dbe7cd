"""The register of interests and the handling of conflicts (seed 003 §9.13; SOAG ToR 7.5-7.7):
declarations kept per person and reviewed annually, asked for at the start of each meeting;
for a conflicted member on an item, the chair's ruling (participates, joins the discussion but
not the decision, excluded), with the deputy who attends instead of an excluded member; all of
it in the minutes."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from oversight.governance.history import record
from oversight.governance.models import (
    AgendaItem,
    ConflictRuling,
    Declaration,
    InterestKind,
    Meeting,
    Person,
    Ruling,
)
from oversight.governance.papers import is_chair


def declare_interest(
    person: Person,
    *,
    kind: str,
    description: str,
    declared_on: dt.date,
    financial: bool = False,
    organisation=None,
    meeting: Meeting | None = None,
    user=None,
    at: dt.datetime | None = None,
) -> Declaration:
    """Enter an interest in the register (personal, professional or organisational)."""
    if kind not in InterestKind.values:
        raise ValidationError(
            f"{kind!r} is not a kind of interest (personal, professional, organisational)."
        )
    if not description.strip():
        raise ValidationError("Describe the interest.")
    declaration = Declaration(
        person=person,
        kind=kind,
        financial=financial,
        description=description.strip(),
        organisation=organisation,
        declared_on=declared_on,
        declared_at=meeting,
    )
    said = f"Declared{f' at {meeting}' if meeting else ''}"
    return record(declaration, user=user, reason=said, at=at)


def end_interest(declaration: Declaration, ended_on: dt.date, *, user=None, at=None) -> Declaration:
    if ended_on < declaration.declared_on:
        raise ValidationError("An interest cannot end before it was declared.")
    declaration.ended_on = ended_on
    return record(declaration, user=user, reason="Interest ended", at=at)


def review_interest(
    declaration: Declaration, reviewed_on: dt.date, *, user=None, at=None
) -> Declaration:
    """Record the annual review of a declaration (still accurate on ``reviewed_on``)."""
    if reviewed_on < declaration.declared_on:
        raise ValidationError("A declaration cannot be reviewed before it was made.")
    declaration.reviewed_on = reviewed_on
    return record(declaration, user=user, reason="Annual review", at=at)


def reviews_due(today: dt.date | None = None):
    """Current declarations whose annual review has passed."""
    today = today or timezone.localdate()
    return [d for d in current_declarations(today) if d.review_overdue(today)]


def current_declarations(on: dt.date, people=None):
    qs = Declaration.objects.filter(declared_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    )
    if people is not None:
        qs = qs.filter(person__in=people)
    return qs.select_related("person", "organisation")


def ask_declarations(meeting: Meeting, *, user=None, at: dt.datetime | None = None) -> Meeting:
    """Record that the chair asked those attending to declare their interests."""
    meeting.declarations_asked_at = at or timezone.now()
    return record(meeting, user=user, reason="Declarations of interest asked for", at=at)


def possible_conflicts(item: AgendaItem) -> list[Declaration]:
    """Current declarations of people at the meeting that concern the item's organisation."""
    if item.organisation_id is None:
        return []
    people = item.meeting.attendances.values("person")
    return list(
        current_declarations(item.meeting.date, people).filter(organisation=item.organisation)
    )


def rule_on_conflict(
    item: AgendaItem,
    person: Person,
    ruling: str,
    *,
    chair: Person,
    declaration: Declaration | None = None,
    deputy: Person | None = None,
    reason: str = "",
    user=None,
    at: dt.datetime | None = None,
) -> ConflictRuling:
    """The chair's decision on a conflicted member for one item (recorded or changed)."""
    meeting = item.meeting
    if ruling not in Ruling.values:
        raise ValidationError(
            f"{ruling!r} is not a ruling (participates, discussion_only, excluded)."
        )
    if not is_chair(chair, meeting.body, meeting.date):
        raise ValidationError(
            f"{chair} does not chair {meeting.body.short_name}: the chair decides on conflicts "
            "of interest."
        )
    if chair.pk == person.pk:
        raise ValidationError(
            "The chair cannot rule on their own conflict: the deputy chair rules instead."
        )
    if declaration is not None and declaration.person_id != person.pk:
        raise ValidationError(f"That declaration is {declaration.person}'s, not {person}'s.")
    if deputy is not None and ruling != Ruling.EXCLUDED:
        raise ValidationError(
            "A deputy attends in a member's place only when the chair excludes the member."
        )
    if deputy is not None and deputy.pk == person.pk:
        raise ValidationError("The excluded member cannot be their own deputy.")
    existing = item.rulings.filter(person=person).first()
    conflict = existing or ConflictRuling(item=item, person=person)
    conflict.ruling = ruling
    conflict.declaration = declaration
    conflict.deputy = deputy
    conflict.reason = reason.strip()
    conflict.ruled_by = chair
    conflict.ruled_at = at or timezone.now()
    said = Ruling(ruling).label
    return record(conflict, user=user, reason=f"Chair's ruling on {person}: {said}", at=at)


def conflict_minute(ruling: ConflictRuling) -> str:
    """How the conflict was handled, in words for the minutes."""
    d = ruling.declaration
    interest = (
        f"declared a{'n' if d.kind == InterestKind.ORGANISATIONAL else ''} "
        f"{d.get_kind_display().lower()}{' financial' if d.financial else ''} interest "
        f"({d.description})"
        if d
        else "has a conflict of interest"
    )
    by = f"The chair ({ruling.ruled_by})" if ruling.ruled_by_id else "The chair"
    outcome = {
        Ruling.PARTICIPATES: "ruled that they participate in the item",
        Ruling.DISCUSSION_ONLY: "ruled that they join the discussion but not the decision",
        Ruling.EXCLUDED: "excluded them from the item",
    }[Ruling(ruling.ruling)]
    text = f"{ruling.person} {interest}. {by} {outcome}"
    if ruling.deputy_id:
        text += f"; {ruling.deputy} attended in their place"
    text += "."
    if ruling.reason:
        text += f" Reason: {ruling.reason}"
    return text
