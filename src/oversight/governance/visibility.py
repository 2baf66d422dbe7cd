"""Part B: who may see a confidential agenda item and its papers and minutes. The facts are
gathered here; the decision is ``oversight.access.visibility.may_see``, as everywhere.

A Part B item's audience is the users of the body's members on the meeting's date, of its
secretariat, of the people attending that item (an attendance listing the item, a deputy in a
member's place, a deputy the chair let attend for it). Everybody else sees nothing of it, not
even its title, in any page, list, API or export.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from oversight.access.visibility import PUBLIC, Restriction, may_see, only_visible
from oversight.governance.models import (
    MEMBER_POSITIONS,
    AgendaItem,
    Attendance,
    ItemPart,
    MinuteEntry,
    Paper,
    Person,
    Position,
)

PART_B = Q(part=ItemPart.B)


def item_audience(item: AgendaItem) -> frozenset[int]:
    """User ids of those who may see a Part B item."""
    meeting = item.meeting
    roles = meeting.body.memberships.current(meeting.date).filter(
        position__in=[*MEMBER_POSITIONS, Position.SECRETARIAT]
    )
    people = set(roles.values_list("person_id", flat=True))
    attending = Attendance.objects.filter(meeting=meeting).filter(
        Q(for_items=item) | Q(deputising_for__isnull=False)
    )
    people |= set(attending.values_list("person_id", flat=True))
    people |= set(item.rulings.filter(deputy__isnull=False).values_list("deputy_id", flat=True))
    users = Person.objects.filter(pk__in=people, user__isnull=False).values_list(
        "user_id", flat=True
    )
    return frozenset(users)


def item_restriction(item: AgendaItem) -> Restriction:
    return Restriction.confidential(item_audience(item)) if item.is_part_b else PUBLIC


def may_see_item(user, item: AgendaItem) -> bool:
    return may_see(user, item_restriction(item))


def visible_items(user, qs: QuerySet[AgendaItem] | None = None) -> QuerySet[AgendaItem]:
    """Agenda items the user may see: every Part A item, Part B only for their audience."""
    qs = AgendaItem.objects.all() if qs is None else qs
    return only_visible(user, qs, PART_B, item_restriction)


def visible_papers(user, qs: QuerySet[Paper] | None = None) -> QuerySet[Paper]:
    qs = Paper.objects.all() if qs is None else qs
    return only_visible(user, qs, Q(item__part=ItemPart.B), lambda p: item_restriction(p.item))


def visible_entries(user, qs: QuerySet[MinuteEntry] | None = None) -> QuerySet[MinuteEntry]:
    qs = MinuteEntry.objects.all() if qs is None else qs
    return only_visible(user, qs, Q(item__part=ItemPart.B), lambda e: item_restriction(e.item))
