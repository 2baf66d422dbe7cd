"""Permission rules (django-rules): what each role may see and do.

An organisation is visible to a user whose role covers it: administrators everything,
the regional team its region, ICB teams and SOAG members their system (host or served),
organisation users their own organisation.
"""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.db.models import Q, QuerySet

from oversight.access.models import Role
from oversight.organisations.models import Organisation, System

NOTHING = Q(pk__in=[])


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


def _role_reach(role: Role, organisation: str | None, system: str | None) -> Q:
    """What one role covers, as a filter over a model reaching an organisation and/or a system
    by the given lookup paths ("" for the model itself, None where it has no such link)."""
    q = NOTHING
    if organisation is not None:
        if role.region_id:
            q |= Q(**{_path(organisation, "region_id"): role.region_id})
        if role.system_id:
            # Served organisations by subquery: a join through the many-to-many link would
            # repeat rows of whatever is being filtered.
            served = Organisation.systems.through.objects.filter(system_id=role.system_id).values(
                "organisation_id"
            )
            q |= Q(**{_path(organisation, "host_system_id"): role.system_id}) | Q(
                **{_path(organisation, "pk__in"): served}
            )
        if role.organisation_id:
            q |= Q(**{_path(organisation, "pk"): role.organisation_id})
    if system is not None:
        if role.region_id:
            q |= Q(**{_path(system, "region_id"): role.region_id})
        if role.system_id:
            q |= Q(**{_path(system, "pk"): role.system_id})
    return q


def role_scope(
    user,
    kinds: Iterable[str] | None = None,
    *,
    organisation: str | None = "organisation",
    system: str | None = "system",
) -> Q | None:
    """The one definition of what a user's roles cover; None means everything.

    The regional team covers its region, ICB teams and SOAG members their system (host or
    served organisations and the system itself), organisation users their own organisation;
    administrators (and superusers) everything, whatever ``kinds`` says. ``kinds`` limits
    which of the user's other roles count. ``organisation`` and ``system`` are the lookup
    paths from the filtered model to the organisation and the system a row concerns ("" for
    the model itself, None if it has none).
    """
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return None
    wanted = None if kinds is None else set(kinds)
    q = NOTHING
    for role in user.oversight_roles.all():
        if role.kind == Role.Kind.ADMINISTRATOR:
            return None
        if wanted is not None and role.kind not in wanted:
            continue
        q |= _role_reach(role, organisation, system)
    return q


def scoped(qs: QuerySet, q: Q | None) -> QuerySet:
    """``qs`` limited to a role scope (a subquery, so joins through many-to-many links do not
    duplicate rows)."""
    if q is None:
        return qs
    return qs.filter(pk__in=qs.model.objects.filter(q).values("pk"))


def visible_organisations(user) -> QuerySet[Organisation]:
    """Every organisation the user may see."""
    return scoped(Organisation.objects.all(), role_scope(user, organisation="", system=None))


def visible_systems(user) -> QuerySet[System]:
    """Systems the user's roles cover, and those an organisation user's organisation is in."""
    q = role_scope(user, organisation=None, system="")
    if q is not None and user.is_authenticated:
        own = user.oversight_roles.filter(organisation__isnull=False).values("organisation_id")
        q |= Q(organisations__id__in=own) | Q(hosted__id__in=own)
    return scoped(System.objects.all(), q)


def holds(qs: QuerySet, obj=None) -> bool:
    """``obj`` is in ``qs``. A permission asked with no object (the admin's index, lists and
    add pages) is the model-level question, whether ``qs`` holds anything at all."""
    if obj is None:
        return qs.exists()
    return qs.filter(pk=obj.pk).exists()


@rules.predicate
def can_see_organisation(user, organisation: Organisation | None = None) -> bool:
    return holds(visible_organisations(user), organisation)


@rules.predicate
def can_see_system(user, system: System | None = None) -> bool:
    return holds(visible_systems(user), system)


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
