"""Who may see and do what in governance (django-rules; autodiscovered).

- The **secretariat** of a body (a current secretariat membership whose person is the user)
  manages its meetings, agendas, papers, attendance, declarations and minutes; administrators
  may too.
- The **chair** (or deputy chair) rules on conflicts of interest and agrees urgent papers.
- **Members and attendees** of a body read its business; users whose roles cover the body's
  system (``oversight.access.rules.visible_systems``) read it too.
- Part B items, their papers and minutes are decided by ``oversight.governance.visibility``
  (``may_see``) on top of all this: a predicate here never grants them.

Every predicate takes a body or anything that belongs to one (meeting, item, paper, minutes,
entry, attendance, ruling); with no object it asks the model-level question.
"""

from __future__ import annotations

import datetime as dt

import rules
from django.utils import timezone

from oversight.access.models import Role
from oversight.access.rules import visible_systems
from oversight.governance.models import (
    MEMBER_POSITIONS,
    AgendaItem,
    Attendance,
    Body,
    ConflictRuling,
    Meeting,
    Membership,
    MinuteEntry,
    Minutes,
    Paper,
    PaperVersion,
    Position,
)
from oversight.governance.visibility import may_see_item

ATTENDEE_POSITIONS = (Position.ROUTINE_ATTENDEE, Position.INVITED_ATTENDEE)
CHAIR_POSITIONS = (Position.CHAIR, Position.DEPUTY_CHAIR)


def meeting_of(obj) -> Meeting | None:
    match obj:
        case Meeting():
            return obj
        case AgendaItem() | Attendance() | Minutes():
            return obj.meeting
        case Paper() | ConflictRuling():
            return obj.item.meeting
        case PaperVersion():
            return obj.paper.item.meeting
        case MinuteEntry():
            return obj.minutes.meeting
    return None


def body_of(obj) -> Body | None:
    if isinstance(obj, Body):
        return obj
    meeting = meeting_of(obj)
    return meeting.body if meeting is not None else None


def item_of(obj) -> AgendaItem | None:
    match obj:
        case AgendaItem():
            return obj
        case Paper() | ConflictRuling():
            return obj.item
        case PaperVersion():
            return obj.paper.item
        case MinuteEntry():
            return obj.item
    return None


def _on(obj) -> dt.date:
    meeting = meeting_of(obj)
    return meeting.date if meeting is not None else timezone.localdate()


def positions(user, obj=None) -> set[str]:
    """The user's positions on the object's body (any body when None) on the relevant day."""
    if not user.is_authenticated:
        return set()
    qs = Membership.objects.filter(person__user=user)
    body = body_of(obj)
    qs = qs.filter(body=body).current(_on(obj)) if body is not None else qs.current()
    return set(qs.values_list("position", flat=True))


def is_administrator(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.oversight_roles.filter(kind=Role.Kind.ADMINISTRATOR).exists()
    )


@rules.predicate
def is_secretariat(user, obj=None) -> bool:
    return is_administrator(user) or Position.SECRETARIAT in positions(user, obj)


@rules.predicate
def is_chair(user, obj=None) -> bool:
    return bool(positions(user, obj) & set(CHAIR_POSITIONS))


@rules.predicate
def is_member(user, obj=None) -> bool:
    return bool(positions(user, obj) & set(MEMBER_POSITIONS))


@rules.predicate
def is_attendee(user, obj=None) -> bool:
    if positions(user, obj) & set(ATTENDEE_POSITIONS):
        return True
    meeting = meeting_of(obj)
    return (
        meeting is not None
        and user.is_authenticated
        and meeting.attendances.filter(person__user=user).exists()
    )


@rules.predicate
def covers_body(user, obj=None) -> bool:
    """The user's oversight roles cover the body's system (any role: a body with no system)."""
    if not user.is_authenticated:
        return False
    body = body_of(obj)
    if body is None or body.system_id is None:
        return user.is_superuser or user.oversight_roles.exists()
    return visible_systems(user).filter(pk=body.system_id).exists()


@rules.predicate
def sees_item(user, obj=None) -> bool:
    """Part B items (and their papers and minutes) only for their audience."""
    item = item_of(obj)
    return item is None or may_see_item(user, item)


can_see_body = is_secretariat | is_member | is_attendee | covers_body

rules.add_perm("governance.view_body", can_see_body)
rules.add_perm("governance.view_meeting", can_see_body)
rules.add_perm("governance.view_agendaitem", can_see_body & sees_item)
rules.add_perm("governance.view_paper", can_see_body & sees_item)
rules.add_perm("governance.view_minutes", can_see_body)
rules.add_perm("governance.view_minuteentry", can_see_body & sees_item)
rules.add_perm("governance.view_declaration", can_see_body)
rules.add_perm("governance.manage_body", is_secretariat)
rules.add_perm("governance.manage_meeting", is_secretariat)
rules.add_perm("governance.manage_paper", is_secretariat & sees_item)
rules.add_perm("governance.manage_minutes", is_secretariat)
rules.add_perm("governance.record_attendance", is_secretariat)
rules.add_perm("governance.record_declaration", is_secretariat)
rules.add_perm("governance.rule_conflict", is_chair)
rules.add_perm("governance.agree_urgent_paper", is_chair)
