"""The delegation demo, dated as a story (``on(day)``): the seed's whole scheme of delegation
approved by the STP Board, a chair for each deciding body (invented names), three business cases
(one per route, at different stages, one refused at the Investment Committee with a conflicted
member excluded, one through to the trusts' final sign-off and minuted under its matter), an
urgent decision ratified by one partner and awaiting another, and a dispute the regional
Bipartite resolved. Needs the governance demo's bodies and the C&P trusts. Loaded once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from oversight.delegation.business_cases import (
    decide_step,
    evaluate_case,
    propose,
    sign_off,
)
from oversight.delegation.decisions import minute_decision
from oversight.delegation.disputes import record_outcome, refer_dispute
from oversight.delegation.models import BusinessCase, ImprovementProject, Scheme
from oversight.delegation.projects import advance, sign_off_project
from oversight.delegation.scheme import load_scheme
from oversight.delegation.urgent import (
    consult,
    propose_urgent,
    ratify,
    report_for_ratification,
    take,
)
from oversight.governance.demo import SECRETARIAT_USER
from oversight.governance.history import record
from oversight.governance.interests import declare_interest, rule_on_conflict
from oversight.governance.meetings import add_item, record_attendance
from oversight.governance.minutes import current_minutes, draft_minutes
from oversight.governance.models import Body, Meeting, Membership, Person, Position
from oversight.organisations.models import Organisation
from oversight.story import on

DECIDING = ["HCE", "CAG", "DEG", "FPPG", "IC"]
D = dt.date


@dataclass
class DelegationDemoSummary:
    created: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return "Delegation: " + (", ".join(self.created) or "already loaded")


def load_delegation_demo() -> DelegationDemoSummary:
    summary = DelegationDemoSummary()
    if Scheme.objects.filter(version="2017").exists():
        return summary
    bodies = {b.short_name: b for b in Body.objects.filter(short_name__in=[*DECIDING, "SPB"])}
    missing = sorted(set(DECIDING) - set(bodies))
    if missing:
        raise RuntimeError(f"load the governance demo first: no body {', '.join(missing)}")
    trusts = list(Organisation.objects.filter(ods_code__in=["RGT", "RGN"]).order_by("ods_code"))
    if len(trusts) != 2:
        raise RuntimeError("load the demo reference data first: trusts RGT and RGN")
    with transaction.atomic():
        with on(D(2017, 11, 30)):
            scheme = load_scheme(approved_on=D(2017, 11, 30))
        summary.created.append("scheme of delegation 2017 (105 matters)")
        chairs = _chairs(bodies)
        _cases(bodies, chairs, trusts, scheme)
        summary.created.append(f"{BusinessCase.objects.count()} business cases")
        _dispute(bodies)
        summary.created.append("a dispute resolved by the regional Bipartite")
        _urgent(trusts)
        summary.created.append("an urgent decision awaiting ratification")
        _projects(bodies, chairs)
        summary.created.append("2 improvement projects")
    return summary


def _chairs(bodies: dict[str, Body]) -> dict[str, Person]:
    """A chair for each deciding body (invented names), so its meetings can be quorate."""
    chairs = {}
    with on(D(2022, 1, 4)):
        for short in DECIDING:
            body = bodies[short]
            person = record(Person(name=f"Chair of {short} (demo)"), reason="Demo chair")
            record(
                Membership(body=body, person=person, position=Position.CHAIR),
                reason="Demo chair",
            )
            chairs[short] = person
        _programme_office(bodies)
    return chairs


def _programme_office(bodies: dict[str, Body]) -> None:
    """The demo login (governance's secretariat) serves the deciding bodies too, so it can
    record cases, steps, sign-offs, urgent decisions and disputes on the demo's pages."""
    secretary = Person.objects.filter(user__username=SECRETARIAT_USER).first()
    if secretary is None:
        return
    for short in DECIDING:
        record(
            Membership(body=bodies[short], person=secretary, position=Position.SECRETARIAT),
            reason="Demo programme office",
        )


def _meeting(body: Body, chair: Person, day: dt.date) -> Meeting:
    with on(day):
        meeting = Meeting.objects.filter(body=body, date=day).first() or record(
            Meeting(body=body, date=day), reason="Demo meeting"
        )
        if not meeting.attendances.filter(person=chair).exists():
            record_attendance(meeting, chair)
    return meeting


def _step(case, step, body, chairs, day, why):
    meeting = _meeting(body, chairs[body.short_name], day)
    with on(day):
        decide_step(case, step, meeting, reason=why)


def _outline(case, bodies, chairs, start: dt.date, through: str) -> None:
    steps = [
        ("clinical_vision", "CAG", "Clinical vision set"),
        ("vision", "HCE", "Vision approved"),
        ("gateway", "DEG", "Gateway proposal approved"),
        ("proposals", "CAG", "Proposals approved (CAG)"),
        ("proposals", "FPPG", "Proposals approved (FPPG)"),
        ("full_case", "DEG", "Full business case developed"),
    ]
    for n, (step, short, why) in enumerate(steps):
        _step(case, step, bodies[short], chairs, start + dt.timedelta(weeks=2 * n), why)
        if step == through and short != "CAG":
            return


def _cases(bodies, chairs, trusts, scheme) -> None:
    scores = {"priorities": 4, "quality": 4, "return": 3, "deliverability": 4}
    with on(D(2022, 1, 10)):
        frailty = propose(
            "Frailty virtual ward",
            "sif",
            amount_asked=Decimal("850000"),
            delivery_group=bodies["DEG"],
            organisations=trusts,
        )
        discharge = propose(
            "Discharge to assess hub",
            "local",
            amount_asked=Decimal("320000"),
            delivery_group=bodies["DEG"],
            organisations=trusts[:1],
        )
        pathway = propose(
            "Shared musculoskeletal pathway",
            "none",
            delivery_group=bodies["DEG"],
            organisations=trusts,
        )
    # Route 1: through the Investment Committee, funded in part, approved by the HCE, then the
    # trusts' boards give the final sign-off.
    _outline(frailty, bodies, chairs, D(2022, 1, 17), "full_case")
    for t in trusts:
        with on(D(2022, 4, 20)):
            sign_off(frailty, t, authority="Board", signed_on=D(2022, 4, 20))
    ic = _meeting(bodies["IC"], chairs["IC"], D(2022, 5, 4))
    with on(D(2022, 5, 4)):
        evaluate_case(
            frailty,
            ic,
            scores=scores,
            outcome="part",
            amount_awarded=Decimal("600000"),
            reason="Strong fit with the frailty priority; fund the first two localities",
        )
    _approve_minuted(frailty, bodies["HCE"], chairs, scheme)
    for t, day in zip(trusts, [D(2022, 6, 9), D(2022, 6, 30)], strict=True):
        with on(day):
            sign_off(frailty, t, authority="Board", signed_on=day)
    # Route 2: refused at the Investment Committee.
    _outline(discharge, bodies, chairs, D(2022, 2, 7), "full_case")
    with on(D(2022, 5, 10)):
        sign_off(discharge, trusts[0], authority="CCG CEC", signed_on=D(2022, 5, 10))
    ic2 = _meeting(bodies["IC"], chairs["IC"], D(2022, 6, 1))
    item = _conflicted_item(ic2, chairs["IC"], trusts[0])
    with on(D(2022, 6, 1)):
        evaluate_case(
            discharge,
            ic2,
            item=item,
            scores={"priorities": 2, "quality": 2, "return": 1, "deliverability": 2},
            outcome="not",
            reason="Duplicates the funded virtual ward; savings not evidenced",
        )
    # Route 3: no investment, waiting at the outline stage for the gateway.
    _outline(pathway, bodies, chairs, D(2022, 3, 7), "vision")


def _approve_minuted(case, hce: Body, chairs, scheme) -> None:
    """The HCE approves the case at its meeting of 18 May 2022, minuted under table 5's "To
    approve business cases to support delivery of the STP"."""
    day = D(2022, 5, 18)
    meeting = _meeting(hce, chairs["HCE"], day)
    with on(day):
        item = add_item(
            meeting, number="4", title=f"{case.title}: full business case", purpose="decision"
        )
        decide_step(case, "approval", meeting, item=item, reason="Approved as funded")
        minutes = current_minutes(meeting) or draft_minutes(meeting)
        minute_decision(
            minutes,
            item,
            scheme.matters.get(text__startswith="To approve business cases"),
            decision="The full business case is approved as funded by the Investment Committee "
            "(£600,000 for the first two localities).",
        )


def _conflicted_item(meeting: Meeting, chair: Person, trust: Organisation):
    """The discharge hub at the Investment Committee: the trust's director of finance, a
    member, declared the trust's interest and the chair excluded them; a lay member keeps the
    meeting quorate."""
    with on(D(2022, 5, 25)):
        dof = record(Person(name=f"Director of Finance, {trust.ods_code} (demo)"), reason="Demo")
        lay = record(Person(name="Lay member for finance (demo)"), reason="Demo")
        for person in (dof, lay):
            record(
                Membership(body=meeting.body, person=person, start=D(2022, 5, 25)),
                reason="Demo member",
            )
        declared = declare_interest(
            dof,
            kind="organisational",
            financial=True,
            organisation=trust,
            description=f"Director of Finance of {trust.name}, whose hub the case funds",
            declared_on=D(2022, 5, 25),
        )
    with on(meeting.date):
        for person in (dof, lay):
            record_attendance(meeting, person)
        item = add_item(
            meeting,
            number="3",
            title="Discharge to assess hub: full business case",
            purpose="decision",
            organisation=trust,
        )
        rule_on_conflict(
            item,
            dof,
            "excluded",
            chair=chair,
            declaration=declared,
            reason="A financial interest in the trust the case funds",
        )
    return item


def _dispute(bodies) -> None:
    """An issue the HCE could not resolve, referred to the regional Bipartite and decided."""
    frailty = BusinessCase.objects.get(title="Frailty virtual ward")
    with on(D(2022, 7, 4)):
        dispute = refer_dispute(
            "Share of the frailty virtual ward's savings",
            "The two acute trusts disagree on how the ward's bed-day savings are shared",
            raised_in=bodies["HCE"],
            local_attempts="Discussed at the HCE in June and July 2022 without agreement",
            referred_on=D(2022, 7, 4),
            case=frailty,
        )
    with on(D(2022, 7, 26)):
        record_outcome(
            dispute,
            "Savings shared in proportion to each trust's beds in the ward; reviewed at six months",
            D(2022, 7, 26),
        )


def _urgent(trusts) -> None:
    rgn, rgt = (next(t for t in trusts if t.ods_code == c) for c in ("RGN", "RGT"))
    with on(D(2022, 12, 19)):
        urgent = propose_urgent(
            "Winter escalation beds",
            "Open 24 escalation beds across the acute trusts from 23 December",
            "Bed occupancy above 97%; the HCE does not meet again until January",
            trusts,
        )
        for t in trusts:
            for role, title in [
                ("chair", "Chair"),
                ("chief_executive", "Chief Executive"),
                ("director_of_finance", "Director of Finance"),
            ]:
                consult(urgent, t, role, f"{title}, {t.ods_code} (demo)", D(2022, 12, 19))
    with on(D(2022, 12, 20)):
        take(urgent, D(2022, 12, 20))
        a = report_for_ratification(urgent, rgt, D(2023, 1, 12), "Board")
        report_for_ratification(urgent, rgn, D(2023, 1, 26), "Board")
    with on(D(2023, 1, 12)):
        ratify(a, D(2023, 1, 12))


def _projects(bodies, chairs) -> None:
    """One project signed off and in Deploy; one in Design, waiting for an SRO."""
    with on(D(2022, 2, 1)):
        sro = record(Person(name="Director of Strategy (demo)"), reason="Demo SRO")
        falls = record(
            ImprovementProject(title="Falls prevention", group=bodies["DEG"], sro=sro),
            reason="Project proposed",
        )
        record(
            ImprovementProject(title="Outpatient transformation", group=bodies["DEG"]),
            reason="Project proposed",
        )
    hce = _meeting(bodies["HCE"], chairs["HCE"], D(2022, 2, 3))
    with on(D(2022, 2, 3)):
        sign_off_project(falls, hce)
    with on(D(2022, 4, 6)):
        advance(falls, reason="Design complete; pilot in two practices")
    with on(D(2022, 9, 7)):
        advance(falls, reason="Pilot evaluated; rolling out across the system")
