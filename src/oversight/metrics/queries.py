"""Read-side queries over observations, shared by pages and reports."""

from __future__ import annotations

from dataclasses import dataclass

from oversight.metrics.models import Metric, Observation, Theme


@dataclass(frozen=True)
class ThemeRow:
    theme: Theme
    latest: list[Observation]


def latest_observations_by_theme(organisation) -> list[ThemeRow]:
    """The latest observation of every metric the organisation has data for, by theme."""
    latest: dict[int, Observation] = {}
    observations = (
        Observation.objects.filter(organisation=organisation)
        .select_related("metric__theme__framework")
        .order_by("metric_id", "period_start")
    )
    for observation in observations.iterator(chunk_size=5000):
        latest[observation.metric_id] = observation
    by_theme: dict[int, list[Observation]] = {}
    themes: dict[int, Theme] = {}
    for observation in latest.values():
        theme = observation.metric.theme
        themes[theme.pk] = theme
        by_theme.setdefault(theme.pk, []).append(observation)
    ordered = sorted(themes.values(), key=lambda t: (t.framework.year_start, t.order))
    return [
        ThemeRow(theme, sorted(by_theme[t.pk], key=lambda o: o.metric.code)) for t in ordered
    ]


def metrics_for(framework_code: str) -> list[Metric]:
    return list(
        Metric.objects.filter(framework__code=framework_code).select_related("theme")
    )
