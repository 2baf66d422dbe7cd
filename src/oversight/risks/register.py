"""What the register says about each risk: band, appetite, trend, review due, escalation.

Plain functions over the models and the scoring configuration; views, the API, the CLI and the
rules all read risks through :func:`assess` so they agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from oversight.engine.risk import AppetiteLevel, Band, EscalationRule, Scoring, trend
from oversight.risks.models import Assessment, Risk, RiskAppetite
from oversight.risks.scoring import scoring_for


@dataclass(frozen=True)
class Appetites:
    """A system's approved appetites, by objective id and by consequence domain."""

    by_objective: dict[int, RiskAppetite] = field(default_factory=dict)
    by_domain: dict[str, RiskAppetite] = field(default_factory=dict)

    def of(self, risk: Risk) -> RiskAppetite | None:
        if risk.objective_id and risk.objective_id in self.by_objective:
            return self.by_objective[risk.objective_id]
        return self.by_domain.get(risk.consequence_domain)


def approved_appetites(system_ids: Iterable[int]) -> dict[int, Appetites]:
    out: dict[int, Appetites] = defaultdict(Appetites)
    for a in RiskAppetite.objects.filter(system_id__in=list(system_ids), approved_on__isnull=False):
        found = out[a.system_id]
        if a.objective_id:
            found.by_objective[a.objective_id] = a
        else:
            found.by_domain[a.domain] = a
    return out


@dataclass
class Assessed:
    """A risk with what the scoring and appetite make of it."""

    risk: Risk
    scoring: Scoring
    appetite: RiskAppetite | None
    appetite_level: AppetiteLevel | None
    previous_score: int | None
    today: dt.date

    @property
    def current_band(self) -> Band | None:
        return self.scoring.band(self.risk.current_score)

    @property
    def inherent_band(self) -> Band | None:
        return self.scoring.band(self.risk.inherent_score)

    @property
    def target_band(self) -> Band | None:
        return self.scoring.band(self.risk.target_score)

    @property
    def outside_appetite(self) -> bool:
        """Current score above the approved appetite of its objective (or domain)."""
        return (
            self.risk.is_live
            and self.appetite_level is not None
            and self.risk.current_score is not None
            and not self.appetite_level.tolerates(self.risk.current_score)
        )

    @property
    def trend(self) -> str:
        return trend(self.previous_score, self.risk.current_score)

    @property
    def review_overdue(self) -> bool:
        return self.risk.review_overdue(self.today)

    @property
    def required(self) -> tuple[str, list[EscalationRule]]:
        return self.scoring.required_level(self.risk.current_score, self.outside_appetite)

    @property
    def level_name(self) -> str:
        return self.scoring.level_name(self.risk.level)

    @property
    def theme_name(self) -> str:
        theme = self.scoring.themes.get(self.risk.theme)
        return theme.name if theme else self.risk.theme

    @property
    def domain_name(self) -> str:
        domain = self.scoring.domains.get(self.risk.consequence_domain)
        return domain.name if domain else self.risk.consequence_domain


def with_related(qs: QuerySet[Risk]) -> QuerySet[Risk]:
    return qs.select_related("system", "objective", "owner", "manager").prefetch_related(
        "organisations",
        Prefetch("assessments", queryset=Assessment.objects.order_by("assessed_on", "id")),
    )


def assess(risks: Iterable[Risk], today: dt.date | None = None) -> list[Assessed]:
    """Each risk with its band, appetite, trend and review state (risks should come through
    :func:`with_related`, so their assessments are prefetched)."""
    today = today or timezone.localdate()
    risks = list(risks)
    appetites = approved_appetites({r.system_id for r in risks})
    out = []
    for risk in risks:
        scoring = scoring_for(risk.system.code)
        appetite = appetites[risk.system_id].of(risk)
        out.append(
            Assessed(
                risk=risk,
                scoring=scoring,
                appetite=appetite,
                appetite_level=scoring.appetite.get(appetite.level) if appetite else None,
                previous_score=previous_score(risk),
                today=today,
            )
        )
    return out


def assess_one(risk: Risk, today: dt.date | None = None) -> Assessed:
    return assess([risk], today)[0]


def previous_score(risk: Risk) -> int | None:
    """The score of the review before the latest: the trend compares the current score with
    it. None when the risk has been assessed once or never."""
    scores = [a.score for a in risk.assessments.all()]
    return scores[-2] if len(scores) >= 2 else None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)
