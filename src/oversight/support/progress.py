"""Progress of each exit criterion: the latest value of its linked metric against the
criterion's threshold, with the Making Data Count variation and assurance icons (the SPC engine,
with the threshold as target, honouring the series' stored rebases), or the latest CQC rating
against the rating required."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from oversight.access.visibility import ratings_filter
from oversight.engine import spc
from oversight.engine.spc.vocabulary import assurance_label, variation_label
from oversight.engine.units import format_value
from oversight.metrics import charts
from oversight.metrics.insight import PUBLISHED, Visibility, load_observations
from oversight.metrics.rebases import series_rebases
from oversight.organisations.models import Organisation
from oversight.support.models import ExitCriterion, SupportCase


@dataclass(frozen=True)
class CriterionProgress:
    criterion: ExitCriterion
    measured_on: Organisation | None
    latest_value: float | None = None
    latest_label: str = ""
    points: int = 0
    variation: str | None = None
    assurance: str | None = None
    cqc_overall: str = ""
    cqc_published: object = None
    reached: bool | None = None

    @property
    def latest(self) -> str:
        """The latest figure in words, e.g. "74.2% (Sep-25)" or "Good (Mar 2024)"."""
        if self.latest_value is not None:
            shown = format_value(self.latest_value, self.criterion.metric.unit)
            return f"{shown} ({self.latest_label})"
        if self.cqc_overall:
            return f"{self.cqc_overall} ({self.cqc_published:%b %Y})"
        return ""

    @property
    def variation_icon(self) -> Markup:
        if self.variation is None:
            return Markup("")
        return charts.variation_icon(self.variation, variation_label(self.variation))

    @property
    def assurance_icon(self) -> Markup:
        if self.variation is None:
            return Markup("")
        return charts.assurance_icon(self.assurance, assurance_label(self.assurance))


def measured_organisation(case: SupportCase) -> Organisation | None:
    """The organisation whose figures measure the case: itself, or a system's ICB."""
    return case.organisation if case.organisation_id else case.system.icb


def criterion_progress(
    case: SupportCase, viewer: Visibility = PUBLISHED
) -> list[CriterionProgress]:
    """Each exit criterion's progress on the figures ``viewer`` may see."""
    if not hasattr(case, "rsp"):
        return []
    org = measured_organisation(case)
    return [
        _progress(c, org, viewer) for c in case.rsp.criteria.select_related("metric", "judged_by")
    ]


def progress_of(criterion: ExitCriterion, viewer: Visibility = PUBLISHED) -> CriterionProgress:
    """One exit criterion's progress on the figures ``viewer`` may see."""
    return _progress(criterion, measured_organisation(criterion.rsp.case), viewer)


def _progress(
    c: ExitCriterion, org: Organisation | None, viewer: Visibility
) -> CriterionProgress:
    if c.metric_id and org is not None:
        return _metric_progress(c, org, viewer)
    if c.cqc_rating and org is not None:
        rating = (org.cqc_ratings.filter(ratings_filter(viewer.unpublished_for))
                  .order_by("-published").first())
        return CriterionProgress(
            c,
            org,
            cqc_overall=rating.get_overall_display() if rating else "",
            cqc_published=rating.published if rating else None,
            reached=c.cqc_reached(rating.overall if rating else None),
        )
    return CriterionProgress(c, org)


def _metric_progress(c: ExitCriterion, org: Organisation, viewer: Visibility) -> CriterionProgress:
    rows = (
        load_observations([org.pk], [c.metric_id], viewer)
        .sort("period_start")
        .select("period_start", "value", "period_label")
        .rows()
    )
    if not rows:
        return CriterionProgress(c, org)
    rebase = sorted({r.date for r in series_rebases(c.metric, org)}) or None
    result = spc.compute_one(
        [r[0] for r in rows],
        [r[1] for r in rows],
        direction=c.metric.spc_direction,
        target=c.threshold,
        rebase=rebase,
    )
    summary = spc.summarise(result)
    latest = rows[-1]
    return CriterionProgress(
        c,
        org,
        latest_value=float(latest[1]),
        latest_label=latest[2],
        points=len(rows),
        variation=str(summary.variation_names[0]),
        assurance=summary.assurance_names[0] and str(summary.assurance_names[0]),
        reached=c.threshold_reached(float(latest[1])),
    )
