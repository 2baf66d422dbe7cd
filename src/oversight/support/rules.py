"""Who may see and manage support (django-rules; autodiscovered).

The regional team manages cases and actions in its region; SOAG members may raise and manage
actions for their system; ICB teams see their system's cases and actions (and those of the
organisations it hosts or is served by); organisation users see their own organisation's.
A case opened by an unpublished segment decision is seen only by those who see the decision.
An action's owner may record progress on it.

Opening a case or raising an action is checked against its subject (``has_perm(perm,
subject)``) before anything is written, so a refused request leaves no record behind.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from oversight.access.models import Role
from oversight.access.rules import holds, is_regional, role_scope, scoped
from oversight.access.visibility import visible_decisions_filter
from oversight.organisations.models import Organisation, System
from oversight.segmentation.models import Decision
from oversight.support.models import SoagAction, SupportCase


def visible_cases(user, qs: QuerySet[SupportCase] | None = None) -> QuerySet[SupportCase]:
    """Cases in the user's scope whose opening decision (if any) the user may see: a case
    opened by an unpublished decision stays with those who see that decision."""
    seen = Decision.objects.filter(visible_decisions_filter(user)).values("pk")
    cases = scoped(SupportCase.objects.all() if qs is None else qs, role_scope(user))
    return cases.filter(Q(decision__isnull=True) | Q(decision__in=seen))


def managed_cases(user, qs: QuerySet[SupportCase] | None = None) -> QuerySet[SupportCase]:
    """Cases the user may change: the regional team (and administrators) in its region."""
    return scoped(
        SupportCase.objects.all() if qs is None else qs, role_scope(user, {Role.Kind.REGIONAL})
    )


def visible_actions(user, qs: QuerySet[SoagAction] | None = None) -> QuerySet[SoagAction]:
    """Actions in the user's scope, and those the user owns."""
    q = role_scope(user)
    return scoped(
        SoagAction.objects.all() if qs is None else qs,
        None if q is None else q | Q(owner_id=user.pk),
    )


def managed_actions(user, qs: QuerySet[SoagAction] | None = None) -> QuerySet[SoagAction]:
    """Actions the user may change: regional team, administrators, SOAG members of the system."""
    return scoped(
        SoagAction.objects.all() if qs is None else qs,
        role_scope(user, {Role.Kind.REGIONAL, Role.Kind.SOAG_MEMBER}),
    )


def covers(user, subject: Organisation | System, kinds: set[str]) -> bool:
    """Whether the user's roles of ``kinds`` (administrators: any) cover the organisation or
    system, by the same scope as the case and action querysets above."""
    if isinstance(subject, Organisation):
        qs, q = (
            Organisation.objects.filter(pk=subject.pk),
            role_scope(user, kinds, organisation="", system=None),
        )
    else:
        qs, q = (
            System.objects.filter(pk=subject.pk),
            role_scope(user, kinds, organisation=None, system=""),
        )
    return scoped(qs, q).exists()


@rules.predicate
def manages_cases_of(user, subject: Organisation | System | None = None) -> bool:
    """Without a subject: no restriction (the role test does it); with one: a regional role
    (or administrator) covers it."""
    return subject is None or covers(user, subject, {Role.Kind.REGIONAL})


@rules.predicate
def manages_actions_of(user, subject: Organisation | System | None = None) -> bool:
    """Without a subject: no restriction; with one: a regional or SOAG role covers it."""
    return subject is None or covers(user, subject, {Role.Kind.REGIONAL, Role.Kind.SOAG_MEMBER})


@rules.predicate
def can_see_case(user, case: SupportCase | None = None) -> bool:
    return holds(visible_cases(user), case)


@rules.predicate
def can_manage_case(user, case: SupportCase | None = None) -> bool:
    return holds(managed_cases(user), case)


@rules.predicate
def can_see_action(user, action: SoagAction | None = None) -> bool:
    return holds(visible_actions(user), action)


@rules.predicate
def can_manage_action(user, action: SoagAction | None = None) -> bool:
    return holds(managed_actions(user), action)


@rules.predicate
def owns_action(user, action: SoagAction | None = None) -> bool:
    if action is None:
        return user.is_authenticated and SoagAction.objects.filter(owner_id=user.pk).exists()
    return action.owner_id == user.pk


@rules.predicate
def is_soag_member(user) -> bool:
    return (
        user.is_authenticated and user.oversight_roles.filter(kind=Role.Kind.SOAG_MEMBER).exists()
    )


rules.add_perm("support.view_supportcase", can_see_case)
rules.add_perm("support.manage_supportcase", can_manage_case)
rules.add_perm("support.view_soagaction", can_see_action)
rules.add_perm("support.manage_soagaction", can_manage_action)
rules.add_perm("support.update_soagaction", can_manage_action | owns_action)
rules.add_perm("support.add_supportcase", is_regional & manages_cases_of)
rules.add_perm("support.add_soagaction", (is_regional | is_soag_member) & manages_actions_of)
