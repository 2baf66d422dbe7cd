"""Risks suggested by oversight data, for their owners to accept or dismiss (people decide).

Three signals raise a suggestion on the register of the subject's system:

* the subject's latest proposal (its latest quarter, in the newest framework proposing for it)
  is segment 4;
* or, short of segment 4, that proposal's bottom-quartile trigger fired;
* an organisation's latest CQC rating of Requires improvement (overall).

Each signal is suggested once (``Risk.suggestion_key``): a dismissed suggestion is not raised
again, and a new quarter or a new rating is a new signal. A suggestion carries no owner or score;
the person who accepts it gives both (``lifecycle.fire(risk, "accept", ...)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max

from oversight.access.visibility import PUBLISHED_RATINGS
from oversight.organisations.models import CqcRating, Organisation, System
from oversight.risks.editing import raise_risk
from oversight.risks.models import Risk, RiskStatus
from oversight.segmentation.models import Proposal


@dataclass
class Suggested:
    created: list[Risk] = field(default_factory=list)
    already: int = 0

    def describe(self) -> str:
        return (
            f"{len(self.created)} risk(s) suggested"
            + (f" ({', '.join(r.reference for r in self.created)})" if self.created else "")
            + f"; {self.already} signal(s) suggested before."
        )


@dataclass(frozen=True)
class Signal:
    key: str
    system: System
    organisation: Organisation | None
    title: str
    because: str
    theme: str
    domain: str


def _latest_proposals(systems: list[System] | None):
    qs = Proposal.objects.filter(current=True).defer("facts", "warnings").select_related(
        "organisation__host_system", "system", "framework"
    )
    if systems is not None:
        codes = [s.pk for s in systems]
        qs = qs.filter(system_id__in=codes) | qs.filter(organisation__host_system_id__in=codes)
    latest: dict[tuple[int | None, int | None], Proposal] = {}
    for p in qs.order_by("quarter_end", "framework__year_start"):
        latest[(p.organisation_id, p.system_id)] = p
    return latest.values()


def signals(systems: list[System] | None = None) -> list[Signal]:
    out: list[Signal] = []
    for p in _latest_proposals(systems):
        system = p.system if p.system_id else p.organisation.host_system
        if system is None:
            continue
        name = p.subject.name
        where = f"{p.framework.name}, {p.quarter}"
        if p.segment == 4:
            why = "; ".join(r.get("label", r.get("rule", "")) for r in p.reasons
                            if r.get("summary") or r.get("rule") == "segment_4")
            out.append(Signal(
                f"segment4:{p.subject_code}:{p.framework.code}:{p.quarter}", system,
                p.organisation, f"{name}: proposed segment 4 ({p.quarter})",
                f"The {where} proposal puts {name} in segment 4" + (f": {why}." if why else "."),
                "quality", "quality",
            ))
        bottom = next((r for r in p.reasons if r.get("rule") == "bottom_quartile"
                       and r.get("summary")), None)
        if bottom is not None and p.segment != 4:
            out.append(Signal(
                f"bottom_quartile:{p.subject_code}:{p.framework.code}:{p.quarter}", system,
                p.organisation, f"{name}: bottom quartile nationally ({p.quarter})",
                f"The {where} proposal's bottom-quartile trigger fired: {bottom['signal']}.",
                "operational", "service",
            ))
    # Suggestions are seen by everyone who reads the register: published ratings only.
    ratings = CqcRating.objects.filter(PUBLISHED_RATINGS).select_related(
        "organisation__host_system")
    if systems is not None:
        ratings = ratings.filter(organisation__host_system__in=systems)
    newest = dict(
        ratings.values("organisation_id").annotate(d=Max("published"))
        .values_list("organisation_id", "d")
    )
    for r in ratings.filter(overall=CqcRating.Rating.REQUIRES_IMPROVEMENT):
        org = r.organisation
        if newest.get(org.pk) != r.published or org.host_system is None:
            continue
        out.append(Signal(
            f"cqc:{org.ods_code}:{r.published.isoformat()}", org.host_system, org,
            f"{org.name}: CQC rating Requires improvement",
            f"CQC rated {org.name} Requires improvement overall on {r.published:%d %B %Y} "
            f"(well-led: {r.get_well_led_display()}).", "quality", "quality",
        ))
    return out


def suggest_risks(systems: list[System] | None = None) -> Suggested:
    """Raise a suggested risk for every signal not suggested before (idempotent)."""
    done = Suggested()
    known = set(Risk.objects.exclude(suggestion_key="").values_list("suggestion_key", flat=True))
    with transaction.atomic():
        for s in signals(systems):
            key = s.key[:80]
            if key in known:
                done.already += 1
                continue
            risk = raise_risk(
                user=None, system=s.system, title=s.title[:300],
                organisations=[s.organisation] if s.organisation else [],
                status=RiskStatus.SUGGESTED, theme=s.theme, consequence_domain=s.domain,
                suggestion_key=key, suggested_because=s.because,
                reason=f"Suggested by oversight data: {s.because}",
            )
            known.add(key)
            done.created.append(risk)
    return done
