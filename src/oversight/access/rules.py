"""Permission rules (django-rules): what each role may see and do.

An organisation is visible to a user whose role covers it: administrators everything,
the regional team its region, ICB teams and SOAG members their system (host or served),
organisation users their own organisation.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from oversight.access.models import Role
from oversight.organisations.models import Organisation, System


def visible_organisations(user) -> QuerySet[Organisation]:
    """Every organisation the user may see."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    q = Q(pk__in=[])
    for role in user.oversight_roles.all():
        if role.kind == Role.Kind.ADMINISTRATOR:
            return Organisation.objects.all()
        if role.region_id:
            q |= Q(region_id=role.region_id)
        if role.system_id:
            q |= Q(host_system_id=role.system_id) | Q(systems__id=role.system_id)
        if role.organisation_id:
            q |= Q(pk=role.organisation_id)
    return Organisation.objects.filter(q).distinct()


def visible_systems(user) -> QuerySet[System]:
    if not user.is_authenticated:
        return System.objects.none()
    if user.is_superuser:
        return System.objects.all()
    q = Q(pk__in=[])
    for role in user.oversight_roles.all():
        if role.kind == Role.Kind.ADMINISTRATOR:
            return System.objects.all()
        if role.region_id:
            q |= Q(region_id=role.region_id)
        if role.system_id:
            q |= Q(pk=role.system_id)
        if role.organisation_id:
            q |= Q(organisations__id=role.organisation_id) | Q(hosted__id=role.organisation_id)
    return System.objects.filter(q).distinct()


@rules.predicate
def can_see_organisation(user, organisation: Organisation) -> bool:
    return visible_organisations(user).filter(pk=organisation.pk).exists()


@rules.predicate
def can_see_system(user, system: System) -> bool:
    return visible_systems(user).filter(pk=system.pk).exists()


@rules.predicate
def is_regional(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser
        or user.oversight_roles.filter(
            kind__in=[Role.Kind.REGIONAL, Role.Kind.ADMINISTRATOR]
        ).exists()
    )


@rules.predicate
def decides_for(user, subject=None) -> bool:
    """A regional role covers the organisation's or system's region (administrators: all)."""
    if subject is None or user.is_superuser:
        return True
    region_id = getattr(subject, "region_id", None)
    return any(
        role.kind == Role.Kind.ADMINISTRATOR
        or (role.kind == Role.Kind.REGIONAL and role.region_id == region_id)
        for role in user.oversight_roles.all()
    )


rules.add_perm("organisations.view_organisation", can_see_organisation)
rules.add_perm("organisations.view_system", can_see_system)
rules.add_perm("segmentation.decide", is_regional & decides_for)
