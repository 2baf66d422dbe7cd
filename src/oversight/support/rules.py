"""Who may see and manage support (django-rules; autodiscovered).

The regional team manages cases and actions in its region; SOAG members may raise and manage
actions for their system; ICB teams see their system's cases and actions (and those of the
organisations it hosts or is served by); organisation users see their own organisation's.
An action's owner may record progress on it.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from oversight.access.models import Role
from oversight.access.rules import is_regional
from oversight.support.models import SoagAction, SupportCase

NOTHING = Q(pk__in=[])


def _scope(user, kinds: set[str] | None = None) -> Q | None:
    """A filter over models with ``organisation`` and ``system`` fields; None means all."""
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return None
    q = NOTHING
    for role in user.oversight_roles.all():
        if kinds is not None and role.kind not in kinds:
            continue
        if role.kind == Role.Kind.ADMINISTRATOR:
            return None
        if role.kind == Role.Kind.REGIONAL and role.region_id:
            q |= Q(organisation__region_id=role.region_id) | Q(system__region_id=role.region_id)
        elif role.kind in (Role.Kind.ICB, Role.Kind.SOAG_MEMBER) and role.system_id:
            q |= (Q(system_id=role.system_id) | Q(organisation__host_system_id=role.system_id)
                  | Q(organisation__systems__id=role.system_id))
        elif role.kind == Role.Kind.ORGANISATION and role.organisation_id:
            q |= Q(organisation_id=role.organisation_id)
    return q


def _filter(qs: QuerySet, q: Q | None) -> QuerySet:
    if q is None:
        return qs
    return qs.filter(pk__in=qs.model.objects.filter(q).values("pk"))


def visible_cases(user, qs: QuerySet[SupportCase] | None = None) -> QuerySet[SupportCase]:
    return _filter(SupportCase.objects.all() if qs is None else qs, _scope(user))


def managed_cases(user, qs: QuerySet[SupportCase] | None = None) -> QuerySet[SupportCase]:
    """Cases the user may change: the regional team (and administrators) in its region."""
    return _filter(SupportCase.objects.all() if qs is None else qs,
                   _scope(user, {Role.Kind.REGIONAL, Role.Kind.ADMINISTRATOR}))


def visible_actions(user, qs: QuerySet[SoagAction] | None = None) -> QuerySet[SoagAction]:
    base = SoagAction.objects.all() if qs is None else qs
    q = _scope(user)
    if q is None:
        return base
    return base.filter(pk__in=SoagAction.objects.filter(q | Q(owner_id=user.pk)).values("pk"))


def managed_actions(user, qs: QuerySet[SoagAction] | None = None) -> QuerySet[SoagAction]:
    """Actions the user may change: regional team, administrators, SOAG members of the system."""
    return _filter(SoagAction.objects.all() if qs is None else qs,
                   _scope(user, {Role.Kind.REGIONAL, Role.Kind.ADMINISTRATOR,
                                 Role.Kind.SOAG_MEMBER}))


@rules.predicate
def can_see_case(user, case: SupportCase) -> bool:
    return visible_cases(user).filter(pk=case.pk).exists()


@rules.predicate
def can_manage_case(user, case: SupportCase) -> bool:
    return managed_cases(user).filter(pk=case.pk).exists()


@rules.predicate
def can_see_action(user, action: SoagAction) -> bool:
    return visible_actions(user).filter(pk=action.pk).exists()


@rules.predicate
def can_manage_action(user, action: SoagAction) -> bool:
    return managed_actions(user).filter(pk=action.pk).exists()


@rules.predicate
def owns_action(user, action: SoagAction) -> bool:
    return action.owner_id == user.pk


@rules.predicate
def is_soag_member(user) -> bool:
    return user.is_authenticated and user.oversight_roles.filter(
        kind=Role.Kind.SOAG_MEMBER).exists()


rules.add_perm("support.view_supportcase", can_see_case)
rules.add_perm("support.manage_supportcase", can_manage_case)
rules.add_perm("support.view_soagaction", can_see_action)
rules.add_perm("support.manage_soagaction", can_manage_action)
rules.add_perm("support.update_soagaction", can_manage_action | owns_action)
rules.add_perm("support.add_soagaction", is_regional | is_soag_member)
