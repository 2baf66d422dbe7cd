"""Stored observations and CQC ratings with their provenance: the batch and source row of each."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


def observation_rows(metric: str | None = None, org: str | None = None) -> Iterator[dict[str, Any]]:
    from django.db.models import Count

    query = Observation.objects.all()
    if metric:
        query = query.filter(metric__code=metric)
    if org:
        query = query.filter(organisation__ods_code=org.upper())
    query = query.annotate(revision_count=Count("revisions")).order_by(
        "metric__framework__code", "metric__code", "organisation__ods_code", "period_start"
    )
    for values in query.values_list(*FIELDS.values()).iterator(chunk_size=10_000):
        row = dict(zip(COLUMNS, values, strict=True))
        row["period_start"] = row["period_start"].isoformat()
        row["period_end"] = row["period_end"].isoformat()
        yield row


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


def cqc_rating_rows(org: str | None = None) -> Iterator[dict[str, Any]]:
    """Stored CQC ratings (current grades) with the batch and source row they came from and
    how many times they were revised."""
    from django.db.models import Count

    query = CqcRating.objects.all()
    if org:
        query = query.filter(organisation__ods_code=org.upper())
    query = query.annotate(revision_count=Count("revisions")).order_by(
        "organisation__ods_code", "published"
    )
    for values in query.values_list(*CQC_FIELDS.values()).iterator(chunk_size=10_000):
        row = dict(zip(CQC_COLUMNS, values, strict=True))
        row["published"] = row["published"].isoformat()
        yield row
