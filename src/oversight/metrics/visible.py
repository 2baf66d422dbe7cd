"""Stored figures as a viewer sees them: the unpublished-data rule of
`oversight.access.visibility` applied to observations (docs/importing.md, "Publication").

A viewer who may not see an organisation's unpublished load sees, for each figure that load
changed, the value it held before when that came from a published load, and nothing when it
did not. Every reader of observations (dashboards, metric pages, the rebase form, exports)
goes through `visibility(user)` and `visible_rows`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from oversight.access.visibility import unpublished_batches, unpublished_scope
from oversight.metrics.models import ObservationRevision


@dataclass(frozen=True)
class Visibility:
    """Which observations of unpublished batches a viewer sees (docs/importing.md).

    ``unpublished_for``: organisation ids whose unpublished data the viewer may see (None: all).
    ``hidden_batches``: the unpublished batches. Rows of those batches for other organisations
    are replaced by the value they held before, when that came from a published batch.
    """

    unpublished_for: frozenset[int] | None = frozenset()
    hidden_batches: frozenset[int] = frozenset()

    @property
    def token(self) -> str:
        """Part of every cache key: two viewers with the same token see the same data."""
        if not self.hidden_batches or self.unpublished_for is None:
            return "all"
        if not self.unpublished_for:
            return "published"
        ids = ",".join(map(str, sorted(self.unpublished_for)))
        return "u" + hashlib.sha256(ids.encode()).hexdigest()[:16]

    def hides(self, organisation_id: int, batch_id: int) -> bool:
        return (batch_id in self.hidden_batches and self.unpublished_for is not None
                and organisation_id not in self.unpublished_for)


#: Published data only: what SOAG members, anonymous code paths and national ranks see.
PUBLISHED = Visibility()
#: Everything stored, unpublished loads included: the command line acting for nobody.
EVERYTHING = Visibility(unpublished_for=None)


def visibility(user: Any) -> Visibility:
    """The viewer's visibility; the role query only runs when something is unpublished."""
    hidden = unpublished_batches()
    if not hidden:
        return Visibility(frozenset(), hidden)
    return Visibility(unpublished_scope(user), hidden)


def published_values(observation_ids: Iterable[int],
                      viewer: Visibility) -> dict[int, tuple[Any, ...]]:
    """For observations the viewer may not see: the newest earlier value from a published
    batch, as (value, numerator, denominator, missing_reason, batch id, batch file name)."""
    out: dict[int, tuple[Any, ...]] = {}
    ids = list(observation_ids)
    if not ids:
        return out
    rows = (ObservationRevision.objects.filter(observation_id__in=ids)
            .exclude(batch_id__in=viewer.hidden_batches).order_by("observation_id", "-id")
            .values_list("observation_id", "value", "numerator", "denominator",
                         "missing_reason", "batch_id", "batch__file_name"))
    for row in rows:
        out.setdefault(row[0], row[1:])
    return out


def visible_rows(qs: Any, columns: Sequence[str], viewer: Visibility,
                  *, value_required: bool) -> list[tuple[Any, ...]]:
    """``columns`` of the observations in ``qs`` as ``viewer`` sees them.

    ``columns`` must include value, numerator, denominator; missing_reason, batch_id and
    batch__file_name are replaced too when present.
    """
    if not viewer.hidden_batches or viewer.unpublished_for is None:
        if value_required:
            qs = qs.filter(value__isnull=False)
        return list(qs.order_by().values_list(*columns))
    if value_required:
        qs = qs.filter(Q(value__isnull=False) | Q(batch_id__in=viewer.hidden_batches))
    raw = list(qs.order_by().values_list("id", "organisation_id", "batch_id", *columns))
    hidden = [r[0] for r in raw if viewer.hides(r[1], r[2])]
    if not hidden:
        return [r[3:] for r in raw if not value_required or r[3 + columns.index("value")]
                is not None]
    earlier = published_values(hidden, viewer)
    replaced = {c: i for i, c in enumerate(("value", "numerator", "denominator",
                                            "missing_reason", "batch_id", "batch__file_name"))}
    at = {c: i for i, c in enumerate(columns) if c in replaced}
    out = []
    for r in raw:
        row = list(r[3:])
        if viewer.hides(r[1], r[2]):
            before = earlier.get(r[0])
            if before is None:
                continue
            for c, i in at.items():
                row[i] = before[replaced[c]]
        if value_required and row[columns.index("value")] is None:
            continue
        out.append(tuple(row))
    return out
