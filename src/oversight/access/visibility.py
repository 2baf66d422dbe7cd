"""Who may see what is not public: one rule, one place.

Two things are not public in Oversight:

* **Unpublished data**: figures an organisation user loaded, until the teams that oversee the
  organisation publish them. Before publication they are seen by that organisation's own users
  and by the teams overseeing it (the ICB team of its system, the regional team of its region)
  and administrators; SOAG members and everyone else see published data only.
* **Part B business**: confidential agenda items of a governance meeting (individual providers'
  regulatory matters) and their papers. They are seen by that meeting's members, the attendees
  of the item and the body's secretariat; nobody else sees even their titles.

Every page, list, API endpoint, export and report asks :func:`may_see` (one item) or filters
with the same facts; a domain describes its item with a :class:`Restriction` and never decides
for itself. ``tests/access/test_visibility.py`` and the role x URL matrix guard it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from oversight.access.models import Role
from oversight.access.rules import role_scope
from oversight.organisations.models import CqcRating, Organisation

#: The roles that may see an organisation's data before it is published (with administrators).
SEES_UNPUBLISHED = frozenset({Role.Kind.REGIONAL, Role.Kind.ICB, Role.Kind.ORGANISATION})


@dataclass(frozen=True)
class Restriction:
    """What keeps an item from the public, as facts its domain gathers.

    ``published``: False for data awaiting publication, then ``organisations`` names whose data
    it is (ids). ``audience``: for confidential (Part B) business, the ids of the users who may
    see it; None when the item is not confidential.
    """

    published: bool = True
    organisations: frozenset[int] = frozenset()
    audience: frozenset[int] | None = None

    @classmethod
    def unpublished(cls, *organisation_ids: int) -> Restriction:
        return cls(published=False, organisations=frozenset(organisation_ids))

    @classmethod
    def confidential(cls, user_ids) -> Restriction:
        return cls(audience=frozenset(user_ids))


PUBLIC = Restriction()


def unpublished_scope(user) -> frozenset[int] | None:
    """Organisation ids whose unpublished data the user may see; None means all of them."""
    q = role_scope(user, SEES_UNPUBLISHED, organisation="", system=None)
    if q is None:
        return None
    return frozenset(Organisation.objects.filter(q).values_list("pk", flat=True))


def may_see(user, restriction: Restriction) -> bool:
    """Whether ``user`` may see an item restricted so (its title included)."""
    if restriction.audience is not None and (
        not user.is_authenticated or user.pk not in restriction.audience
    ):
        return False
    if restriction.published:
        return True
    if not user.is_authenticated:
        return False
    scope = unpublished_scope(user)
    return scope is None or restriction.organisations <= scope


def only_visible(user, qs, restricted, restriction_of):
    """``qs`` without the rows matching the filter ``restricted`` that ``user`` may not see,
    each row decided by :func:`may_see` on ``restriction_of(row)``; rows outside ``restricted``
    pass untouched. For lists, APIs and exports of items only some of which are restricted
    (e.g. Part B agenda items among Part A ones)."""
    hidden = [row.pk for row in qs.filter(restricted) if not may_see(user, restriction_of(row))]
    return qs.exclude(pk__in=hidden) if hidden else qs


# ----------------------------------------------------------------------------- stored data
# The filters below say the same as may_see for whole tables at once, so lists, pages, the API
# and exports need not fetch rows one by one.


def batch_restriction(batch) -> Restriction:
    """An import batch: unpublished while it is applied and unpublished, for the organisations
    it holds figures or ratings for."""
    if batch.published_at is not None or batch.status != batch.Status.APPLIED:
        return PUBLIC
    organisations = set(batch.observations.order_by().values_list("organisation_id", flat=True)
                        .distinct())
    organisations |= set(batch.cqc_ratings.values_list("organisation_id", flat=True))
    return Restriction.unpublished(*organisations)


def visible_batches_filter(user) -> Q:
    """Import batches ``user`` may see: published and rejected ones, those the user loaded, and
    unpublished ones every organisation of which the user may see unpublished (a regional team
    of another region, an ICB team of another system and SOAG members see none of them)."""
    # The metrics models by name: access sits below metrics in the layers (docs/architecture.md)
    ImportBatch = apps.get_model("metrics", "ImportBatch")  # noqa: N806
    Observation = apps.get_model("metrics", "Observation")  # noqa: N806

    if not user.is_authenticated:
        return Q(pk__in=[])
    scope = unpublished_scope(user)
    if scope is None:
        return Q()
    outside = (Exists(Observation.objects.filter(batch=OuterRef("pk"))
                      .exclude(organisation_id__in=scope))
               | Exists(CqcRating.objects.filter(batch=OuterRef("pk"))
                        .exclude(organisation_id__in=scope)))
    unpublished = Q(published_at__isnull=True, status=ImportBatch.Status.APPLIED)
    return ~unpublished | Q(created_by=user.pk) | (unpublished & ~outside)


def unpublished_batches() -> frozenset[int]:
    """Ids of the import batches awaiting publication (applied, not yet published)."""
    ImportBatch = apps.get_model("metrics", "ImportBatch")  # noqa: N806
    return frozenset(ImportBatch.objects.filter(published_at__isnull=True,
                                                status=ImportBatch.Status.APPLIED)
                     .values_list("id", flat=True))


def ratings_filter(scope: frozenset[int] | None) -> Q:
    """CQC ratings seen by a viewer whose unpublished scope (:func:`unpublished_scope`) is
    ``scope``: those from published loads (or none), and unpublished ones of the organisations
    in ``scope`` (None: all)."""
    if scope is None:
        return Q()
    published = Q(batch__isnull=True) | Q(batch__published_at__isnull=False)
    return published | Q(organisation_id__in=scope) if scope else published


#: CQC ratings everyone may see: what proposals, suggested risks and other views shared by
#: every viewer are built from.
PUBLISHED_RATINGS = ratings_filter(frozenset())


def visible_ratings_filter(user) -> Q:
    """CQC ratings ``user`` may see: those from published loads (or none), and unpublished
    ones of organisations whose unpublished data the user may see."""
    return ratings_filter(unpublished_scope(user) if user.is_authenticated else frozenset())


#: The roles that see a segment decision before it is published (with administrators):
#: organisation users and SOAG members see it once published.
SEES_UNPUBLISHED_DECISIONS = frozenset({Role.Kind.REGIONAL, Role.Kind.ICB})


def visible_decisions_filter(user) -> Q:
    """Segment decisions ``user`` may see: published ones, and unpublished ones of the subjects
    the user's regional or ICB role covers (administrators: all). Support cases opened by a
    decision follow it."""
    scope = role_scope(user, SEES_UNPUBLISHED_DECISIONS)
    if scope is None:
        return Q()
    return Q(publication__isnull=False) | scope
