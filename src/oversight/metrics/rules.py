"""Who may load data (django-rules), and for which organisations.

Administrators, regional and ICB oversight teams may load any file; organisation users may load
rows for their own organisation only. SOAG members read, they do not load.
"""

from __future__ import annotations

import rules

from oversight.access.models import Role

LOADERS = {Role.Kind.ADMINISTRATOR, Role.Kind.REGIONAL, Role.Kind.ICB, Role.Kind.ORGANISATION}
UNRESTRICTED = {Role.Kind.ADMINISTRATOR, Role.Kind.REGIONAL, Role.Kind.ICB}


def upload_scope(user) -> frozenset[int] | None:
    """Organisation ids the user may load rows for; None means any organisation."""
    if user.is_superuser:
        return None
    roles = list(user.oversight_roles.all())
    if any(r.kind in UNRESTRICTED for r in roles):
        return None
    return frozenset(r.organisation_id for r in roles
                     if r.kind == Role.Kind.ORGANISATION and r.organisation_id)


@rules.predicate
def can_load_data(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.oversight_roles.filter(kind__in=LOADERS).exists()
    )


@rules.predicate
def can_see_batch(user, batch) -> bool:
    """Data loaders see every batch, organisation users only those they loaded."""
    if not can_load_data(user):
        return False
    return upload_scope(user) is None or batch.created_by_id == user.pk


rules.add_perm("metrics.load_data", can_load_data)
rules.add_perm("metrics.view_importbatch", can_see_batch)
