"""Who may prepare and issue board reports, and who may read them (django-rules).

The SOAG's secretariat and the regional team covering the system (and administrators) prepare
and issue a system's reports; anyone whose roles cover the system reads its issued versions.
What a report holds is public business anyway (``sections.scope.BOARD_IN_PUBLIC``).
"""

from __future__ import annotations

import rules
from django.db.models import QuerySet

from oversight.access.rules import can_see_system, decides_for, is_regional, visible_systems
from oversight.governance.models import Body, Membership, Position
from oversight.governance.rules import is_administrator
from oversight.organisations.models import System
from oversight.reports.models import Report


def _system(obj) -> System | None:
    return obj.system if isinstance(obj, Report) else obj


def _secretariat_bodies(user) -> QuerySet[Body]:
    return Body.objects.filter(
        pk__in=Membership.objects.current().filter(person__user=user,
                                                   position=Position.SECRETARIAT)
        .values("body_id"))


@rules.predicate
def prepares(user, obj=None) -> bool:
    """Administrators; the regional team of the system's region; the secretariat of the
    report's group (for a system: of any of its bodies)."""
    if not user.is_authenticated:
        return False
    if is_administrator(user):
        return True
    system = _system(obj)
    if is_regional(user) and (system is None or decides_for(user, system)):
        return True
    bodies = _secretariat_bodies(user)
    if isinstance(obj, Report):
        return bodies.filter(pk=obj.committee_id).exists()
    return bodies.filter(system=system).exists() if system else bodies.exists()


@rules.predicate
def reads(user, obj=None) -> bool:
    system = _system(obj)
    return can_see_system(user, system)


rules.add_perm("reports.prepare_report", prepares)
rules.add_perm("reports.view_report", reads | prepares)


def preparable_systems(user) -> list[System]:
    """Systems the user may prepare reports for."""
    candidates = (visible_systems(user)
                  | System.objects.filter(governance_bodies__in=_secretariat_bodies(user)))
    return [s for s in candidates.distinct().order_by("name") if prepares(user, s)]


def readable(user, qs: QuerySet[Report] | None = None) -> QuerySet[Report]:
    """Reports whose issued versions the user may read, and drafts the user may prepare."""
    qs = Report.objects.all() if qs is None else qs
    seen = visible_systems(user).values("pk")
    issued = qs.filter(system__in=seen, versions__isnull=False)
    drafts = [r.pk for r in qs.filter(versions__isnull=True).select_related("system")
              if prepares(user, r)]
    return (issued | qs.filter(pk__in=drafts)).distinct()
