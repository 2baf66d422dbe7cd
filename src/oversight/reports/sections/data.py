"""The data appendix: for the system, each place and each organisation, the key (scored)
metrics of the framework year by theme, with the latest value and its period, the national
quartile, the Making Data Count variation and assurance, and the load (batch) the figure came
from; and an SPC chart of every organisation's metric flagged as requiring intervention.

The figures are ``oversight.metrics.insight``'s (the dashboards' and the icon summary's), as the
board in public may see them: published loads only (``insight.visibility``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from oversight.engine.spc.vocabulary import CONCERN_VARIATIONS
from oversight.engine.units import format_value
from oversight.metrics.insight import (
    Insight,
    Insights,
    Visibility,
    insights,
    metric_series,
    published_values,
    visibility,
)
from oversight.metrics.models import Metric, Observation
from oversight.reports.sections.position import members
from oversight.reports.sections.scope import Scope, day

#: The assurance that says a target is consistently missed: with a special-cause concern, what
#: marks a metric as requiring intervention.
FAILING = "consistent_fail"
CHART_SIZE = (560, 260)


def requires_intervention(cell: Insight) -> bool:
    return cell.variation in CONCERN_VARIATIONS or cell.assurance == FAILING


def _sources(found: Insights, organisations, viewer: Visibility) -> dict[tuple, list[str]]:
    """(organisation id, metric id, period start) -> the load each shown figure came from,
    as the viewer sees it (a figure of an unpublished load shows the published one before)."""
    by_ods = {o.ods_code: o.pk for o in organisations}
    wanted = {(by_ods[c.subject], c.metric.pk, c.period_start) for c in found.cells.values()
              if c.subject in by_ods}
    if not wanted:
        return {}
    rows = (Observation.objects.filter(
        organisation_id__in={w[0] for w in wanted}, metric_id__in={w[1] for w in wanted},
        period_start__in={w[2] for w in wanted})
        .values_list("id", "organisation_id", "metric_id", "period_start", "batch_id",
                     "batch__file_name"))
    rows = [r for r in rows if r[1:4] in wanted]
    hidden = [r[0] for r in rows if viewer.hides(r[1], r[4])]
    earlier = published_values(hidden, viewer)
    out: dict[tuple, list[str]] = {}
    for oid, org, metric, start, batch, name in rows:
        if oid in earlier:
            batch, name = earlier[oid][4], earlier[oid][5]
        out[(org, metric, start)] = [f"{name} (load {batch})"]
    return out


def _cell(cell: Insight | None, sources: list[str], problem: str | None) -> dict[str, Any]:
    if cell is None:
        return {"value": None, "problem": problem or ""}
    return {
        "value": format_value(cell.value, cell.metric.unit),
        "period": cell.period_label,
        "quartile": cell.rank.quartile if cell.rank else None,
        "rank": f"{cell.rank.rank} of {cell.rank.peers}" if cell.rank else "",
        "variation": cell.variation,
        "variation_text": cell.variation_text,
        "assurance": cell.assurance,
        "assurance_text": cell.assurance_text,
        "organisations": cell.organisations,
        "intervention": requires_intervention(cell),
        "sources": sorted(set(sources)),
    }


def data_section(scope: Scope) -> dict[str, Any] | None:
    framework = scope.framework
    if framework is None:
        return None
    metrics = list(Metric.objects.filter(framework=framework, scored=True)
                   .select_related("theme__framework").order_by("theme__order", "code"))
    organisations = [o for o in members(scope.system) if o.is_open]
    icb = scope.system.icb
    subjects: list[tuple[str, str, str, list[int]]] = []  # key, name, level, member ids
    groups = {f"system:{scope.system.code}": [o.pk for o in organisations]}
    subjects.append((f"system:{scope.system.code}", f"{scope.system.name} (all organisations)",
                     "System", groups[f"system:{scope.system.code}"]))
    for place in scope.system.places.order_by("name"):
        ids = [o.pk for o in organisations if o.place_id == place.pk]
        if ids:
            groups[f"place:{place.code}"] = ids
            subjects.append((f"place:{place.code}", place.name, "Place", ids))
    shown = ([icb] if icb else []) + organisations
    subjects += [(o.ods_code, o.name, o.get_kind_display(), [o.pk]) for o in shown]
    viewer = visibility(scope.reader)
    found = insights(shown, metrics, groups=groups, viewer=viewer)
    sources = _sources(found, shown, viewer)

    def sources_of(ids: list[int], cell: Insight | None) -> list[str]:
        if cell is None:
            return []
        return [s for i in ids for s in sources.get((i, cell.metric.pk, cell.period_start), [])]

    by_theme: dict[int, list[Metric]] = defaultdict(list)
    for metric in metrics:
        by_theme[metric.theme_id].append(metric)
    out_subjects = []
    for key, name, level, ids in subjects:
        themes = []
        for metric_list in by_theme.values():
            rows = []
            for m in metric_list:
                cell = found.get(key, m.pk)
                problem = found.problem(key, m.pk)
                if cell is None and problem is None:
                    continue
                rows.append({"code": m.code, "name": m.name, "unit": m.unit,
                             **_cell(cell, sources_of(ids, cell), problem)})
            if rows:
                themes.append({"theme": metric_list[0].theme.name, "metrics": rows})
        if themes:  # practices, PCNs and councils report none of the key metrics
            out_subjects.append({"key": key, "name": name, "level": level, "themes": themes})
    return {
        "framework": framework.name,
        "subjects": out_subjects,
        "charts": _charts(found, shown, metrics, viewer),
    }


def _charts(found: Insights, organisations, metrics, viewer) -> list[dict[str, Any]]:
    """An SPC chart of each organisation's metric requiring intervention, newest data first."""
    by_ods = {o.ods_code: o for o in organisations}
    by_id = {m.pk: m for m in metrics}
    flagged = sorted((c for c in found.cells.values()
                      if c.subject in by_ods and requires_intervention(c)),
                     key=lambda c: (by_ods[c.subject].name, c.metric.theme.order, c.metric.code))
    charts = []
    for cell in flagged:
        organisation, metric = by_ods[cell.subject], by_id[cell.metric.pk]
        series = metric_series(organisation, metric, viewer)
        if not series.points:
            continue
        first, last = series.points[0], series.points[-1]
        title = f"{organisation.short_name}: {metric.name}"
        charts.append({
            "organisation": organisation.name,
            "metric": f"{metric.name} ({metric.code})",
            "period": f"{first.period_label} to {last.period_label}",
            "latest": format_value(last.value, metric.unit),
            "latest_period": last.period_label,
            "variation_text": series.variation_text,
            "assurance_text": series.assurance_text,
            "sources": sorted({f"{p.batch_name} (load {p.batch_id})" for p in series.points}),
            "svg": series.chart_svg(title, *CHART_SIZE, id_prefix=f"chart{len(charts) + 1}-"),
            "as_at": day(last.period_end),
        })
    return charts
