"""Who may see and change risks (django-rules; autodiscovered).

A risk belongs to a system's register and concerns partner organisations or the system as a
whole. The regional team, ICB team and SOAG members see every risk of the systems their roles
cover; an organisation user sees the risks of its own organisation and the system-wide risks
(no partner named) of the systems it is part of, never another trust's. A risk's owner and
manager always see it.

Changing: the ICB team of the system (which keeps the register) and administrators, and a risk's
owner and manager. Organisation users may change the risks of their own organisation only.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from oversight.access.models import Role
from oversight.access.rules import holds, role_scope, scoped, visible_systems
from oversight.organisations.models import System
from oversight.risks.models import Risk

MANAGERS = {Role.Kind.ICB, Role.Kind.ORGANISATION}


def visible_risks(user, qs: QuerySet[Risk] | None = None) -> QuerySet[Risk]:
    qs = Risk.objects.all() if qs is None else qs
    q = role_scope(user, organisation="organisations", system="system")
    if q is None:
        return qs
    if not user.is_authenticated:
        return qs.none()
    system_wide = Q(organisations__isnull=True, system__in=visible_systems(user).values("pk"))
    return scoped(qs, q | system_wide | Q(owner_id=user.pk) | Q(manager_id=user.pk))


def managed_risks(user, qs: QuerySet[Risk] | None = None) -> QuerySet[Risk]:
    qs = Risk.objects.all() if qs is None else qs
    q = role_scope(user, MANAGERS, organisation="organisations", system="system")
    if q is None:
        return qs
    if not user.is_authenticated:
        return qs.none()
    return scoped(qs, q | Q(owner_id=user.pk) | Q(manager_id=user.pk))


def registers(user) -> QuerySet[System]:
    """Systems whose register the user may add risks to (ICB teams; administrators: all)."""
    return scoped(
        System.objects.all(), role_scope(user, {Role.Kind.ICB}, organisation=None, system="")
    )


@rules.predicate
def can_see_risk(user, risk: Risk | None = None) -> bool:
    return holds(visible_risks(user), risk)


@rules.predicate
def can_manage_risk(user, risk: Risk | None = None) -> bool:
    return holds(managed_risks(user), risk)


@rules.predicate
def keeps_a_register(user, system: System | None = None) -> bool:
    return holds(registers(user), system)


rules.add_perm("risks.view_risk", can_see_risk)
rules.add_perm("risks.manage_risk", can_manage_risk)
rules.add_perm("risks.add_risk", keeps_a_register)
rules.add_perm("risks.set_appetite", keeps_a_register)
