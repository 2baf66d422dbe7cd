"""Who may load data (django-rules), and for which organisations.

Administrators, regional and ICB oversight teams may load any file; organisation users may load
rows for their own organisation only. SOAG members read, they do not load.

Publication: a batch loaded by an organisation user is unpublished until the ICB team of the
organisation's system, the regional team of its region or an administrator publishes it. Until
then its observations are seen only by those teams and the organisation's own users
(`oversight.access.visibility`); everyone else, SOAG members included, sees published data only.

Rebases (SPC limits recalculated from a date): recorded by the regional team covering the
organisation, its ICB team or an administrator; metric-wide rebases by administrators only.
"""

from __future__ import annotations

from collections.abc import Iterable

import rules
from django.db.models import QuerySet

from oversight.access.models import Role
from oversight.access.rules import role_scope
from oversight.access.visibility import visible_batches_filter
from oversight.metrics.models import ImportBatch
from oversight.organisations.models import Organisation

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


def visible_batches(user) -> QuerySet[ImportBatch]:
    """The import batches listed to the user (newest first): loaders only; an organisation
    user only their own loads; everyone only the unpublished loads they may see
    (``oversight.access.visibility``), so nobody learns of another organisation's unpublished
    load."""
    if not user.has_perm("metrics.load_data"):
        return ImportBatch.objects.none()
    batches = ImportBatch.objects.select_related("created_by", "framework").filter(
        visible_batches_filter(user))
    if upload_scope(user) is not None:
        batches = batches.filter(created_by=user)
    return batches


def publishes_on_load(user) -> bool:
    """Loads by unrestricted loaders and by the system (no user) are published at once."""
    return user is None or not user.is_authenticated or upload_scope(user) is None


def _covered(user, kinds: Iterable[str]) -> frozenset[int] | None:
    """Organisation ids the user's roles of these kinds cover; None means every organisation."""
    q = role_scope(user, kinds, organisation="", system=None)
    if q is None:
        return None
    return frozenset(Organisation.objects.filter(q).values_list("pk", flat=True))


def batch_organisations(batch) -> frozenset[int]:
    return frozenset(batch.observations.order_by().values_list("organisation_id", flat=True)
                     .distinct())


@rules.predicate
def can_publish_batch(user, batch) -> bool:
    """The ICB team, the regional team or an administrator covering every organisation the
    batch has rows for; an already published batch needs no publishing."""
    if batch is None or batch.published_at is not None or not user.is_authenticated:
        return False
    scope = _covered(user, {Role.Kind.REGIONAL, Role.Kind.ICB})
    if scope is None:
        return True
    return bool(scope) and batch_organisations(batch) <= scope


@rules.predicate
def can_load_data(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.oversight_roles.filter(kind__in=LOADERS).exists()
    )


@rules.predicate
def can_see_batch(user, batch) -> bool:
    """Data loaders see the batches listed to them (``visible_batches``)."""
    return batch is not None and visible_batches(user).filter(pk=batch.pk).exists()


@rules.predicate
def can_record_rebase(user, organisation=None) -> bool:
    """Record or remove a rebase of an organisation's series: the regional team covering it,
    its ICB team, administrators. Metric-wide rebases (no organisation): administrators only.
    Organisation users and SOAG members see rebases but do not record them."""
    if not user.is_authenticated:
        return False
    if organisation is None:
        return role_scope(user, set()) is None
    q = role_scope(user, {Role.Kind.REGIONAL, Role.Kind.ICB}, organisation="", system=None)
    return q is None or Organisation.objects.filter(q, pk=organisation.pk).exists()


rules.add_perm("metrics.load_data", can_load_data)
rules.add_perm("metrics.view_importbatch", can_see_batch)
rules.add_perm("metrics.publish_importbatch", can_publish_batch)
rules.add_perm("metrics.record_rebase", can_record_rebase)
