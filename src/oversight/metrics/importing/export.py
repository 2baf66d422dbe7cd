"""Stored observations and CQC ratings with their provenance: the batch and source row of each.

Both are read as a viewer sees them (``viewer``: a user, or None for the command line's
administrator, who sees everything): figures of an unpublished load the viewer may not see are
the values they held before it (from a published load) or absent, exactly as on the pages
(``oversight.access.visibility`` through ``metrics.insight.visibility``), and unpublished CQC
ratings likewise absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from oversight.access.visibility import visible_ratings_filter
from oversight.metrics.insight import Visibility, published_values, visibility
from oversight.metrics.models import Observation
from oversight.organisations.models import CqcRating

FIELDS = {
    "observation_id": "id",
    "framework": "metric__framework__code",
    "metric_code": "metric__code",
    "org_code": "organisation__ods_code",
    "period_start": "period_start",
    "period_end": "period_end",
    "period_label": "period_label",
    "value": "value",
    "numerator": "numerator",
    "denominator": "denominator",
    "missing_reason": "missing_reason",
    "note": "note",
    "reporting_period": "reporting_period",
    "rank": "rank",
    "peer_median": "peer_median",
    "peer_lower_quartile": "peer_lower_quartile",
    "peer_upper_quartile": "peer_upper_quartile",
    "batch_id": "batch_id",
    "batch_file": "batch__file_name",
    "batch_checksum": "batch__checksum",
    "source_row": "source_row",
    "revisions": "revision_count",
}
COLUMNS = list(FIELDS)


def observation_rows(metric: str | None = None, org: str | None = None,
                     viewer=None) -> Iterator[dict[str, Any]]:
    from django.db.models import Count

    query = Observation.objects.all()
    if metric:
        query = query.filter(metric__code=metric)
    if org:
        query = query.filter(organisation__ods_code=org.upper())
    seen = _Seen.of(viewer, query)
    query = query.annotate(revision_count=Count("revisions")).order_by(
        "metric__framework__code", "metric__code", "organisation__ods_code", "period_start"
    )
    for values in query.values_list(*FIELDS.values()).iterator(chunk_size=10_000):
        row = seen.row(dict(zip(COLUMNS, values, strict=True)))
        if row is None:
            continue
        row["period_start"] = row["period_start"].isoformat()
        row["period_end"] = row["period_end"].isoformat()
        yield row


class _Seen:
    """The figures of a query its viewer may not see, and what each shows instead."""

    #: Columns that describe the unpublished load itself: empty on a figure shown as it was.
    OF_THE_LOAD = ("note", "reporting_period", "rank", "peer_median", "peer_lower_quartile",
                   "peer_upper_quartile", "batch_checksum", "source_row", "revisions")

    def __init__(self, earlier: dict[int, tuple[Any, ...]] | None = None,
                 hidden: frozenset[int] = frozenset()) -> None:
        self.earlier, self.hidden = earlier or {}, hidden

    @classmethod
    def of(cls, viewer, query) -> _Seen:
        if viewer is None:
            return cls()
        sees: Visibility = visibility(viewer)
        if not sees.hidden_batches or sees.unpublished_for is None:
            return cls()
        hidden = query.filter(batch_id__in=sees.hidden_batches).exclude(
            organisation_id__in=sees.unpublished_for)
        ids = frozenset(hidden.values_list("id", flat=True))
        return cls(published_values(ids, sees), ids)

    def row(self, row: dict[str, Any]) -> dict[str, Any] | None:
        if row["observation_id"] not in self.hidden:
            return row
        earlier = self.earlier.get(row["observation_id"])
        if earlier is None:
            return None
        value, numerator, denominator, missing, batch_id, batch_file = earlier
        return row | {c: None for c in self.OF_THE_LOAD} | {
            "value": value, "numerator": numerator, "denominator": denominator,
            "missing_reason": missing, "batch_id": batch_id, "batch_file": batch_file}


CQC_FIELDS = {
    "rating_id": "id",
    "org_code": "organisation__ods_code",
    "published": "published",
    **{c: c for c in ("overall", *CqcRating.KEY_QUESTIONS)},
    "batch_id": "batch_id",
    "batch_file": "batch__file_name",
    "batch_checksum": "batch__checksum",
    "source_row": "source_row",
    "revisions": "revision_count",
}
CQC_COLUMNS = list(CQC_FIELDS)


def cqc_rating_rows(org: str | None = None, viewer=None) -> Iterator[dict[str, Any]]:
    """Stored CQC ratings (current grades) with the batch and source row they came from and
    how many times they were revised; those ``viewer`` may see (None: all)."""
    from django.db.models import Count

    query = CqcRating.objects.all()
    if viewer is not None:
        query = query.filter(visible_ratings_filter(viewer))
    if org:
        query = query.filter(organisation__ods_code=org.upper())
    query = query.annotate(revision_count=Count("revisions")).order_by(
        "organisation__ods_code", "published"
    )
    for values in query.values_list(*CQC_FIELDS.values()).iterator(chunk_size=10_000):
        row = dict(zip(CQC_COLUMNS, values, strict=True))
        row["published"] = row["published"].isoformat()
        yield row
