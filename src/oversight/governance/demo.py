"""The governance demo (called by the demo loader after support; idempotent).

The Cambridgeshire and Peterborough bodies of ``bodies.yaml`` (seed 003 §8) and the System
Oversight and Assurance Group as its terms of reference v1.7 (August 2021, seed 000 Appendix A)
describe it: the Annex 1 membership by sector with first and second representatives, nominated
deputies, routine attendees and the secretariat; a register of interests; and its meetings,
monthly from its first on 31 August 2021 (the four areas of seed 000 §3.1 minuted) to March
2022, among them one inquorate (26 October 2021), one with a Part B item from which a conflicted
member is excluded and her deputy attends (30 November 2021), an extraordinary meeting and the
December meeting cancelled; then the 2022/23 schedule published. Every event is recorded on the
day the story gives it (history rows dated then, not on the day the demo loads).

People are invented (the seed's names are real people's): the sectors and roles are the seed's.
The demo user ``demo`` is also the SOAG's secretariat; ``soag-que`` sits on it as the NHS
England performance and improvement member; ``cuh`` holds no governance role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from oversight.engine.periods import shift_working_days
from oversight.governance import interests, meetings, minutes, papers
from oversight.governance.data import read_pattern, shipped
from oversight.governance.history import record
from oversight.governance.models import (
    AgendaItem,
    Body,
    Meeting,
    Membership,
    MinuteEntry,
    Minutes,
    Paper,
    Person,
    Position,
    TermsOfReference,
)
from oversight.organisations.models import Organisation, System
from oversight.story import on
from oversight.support.lifecycle import fire
from oversight.support.models import SoagAction
from oversight.support.notify import mark_read

SYSTEM = "QUE"
SECRETARIAT_USER = "demo"
MEMBER_USER = "soag-que"
FIRST_MEETING = dt.date(2021, 8, 31)
#: A meeting's draft minutes and the day they are issued.
Drafted = tuple[Minutes, dt.date]
#: The day System Leaders approved the SOAG's terms of reference v1.7 (seed 000).
TOR_APPROVED = dt.date(2021, 8, 3)


@dataclass
class GovernanceDemoSummary:
    created: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if not self.created:
            return "Governance demo already loaded."
        return f"Governance demo: created {', '.join(self.created)}."


# ----------------------------------------------------------------------------- SOAG membership

#: Annex 1, row by row: sector, representative (1/2), invented name, job title, ODS code of the
#: organisation, position, quoracy group, the nominated deputy (name, job title).
#: ICB members: the lay chair, the ICS accountable officer and the chairs of the ICS's finance,
#: quality, commissioning, transformation and clinical groups; NHS England directors: the
#: NHSE/I performance director (deputy chair) and the joint performance and improvement lead.
ANNEX_1: tuple[tuple, ...] = (
    (
        "Lay Chair",
        None,
        "Dr Helen Marsh",
        "Lay Chair (also representing primary care)",
        None,
        Position.CHAIR,
        "icb_member",
        ("Dr Rachel Osei", "Lay member"),
    ),
    (
        "Deputy Chair / ICS AO",
        1,
        "Martin Hale",
        "NHS England and Improvement Director of Performance, East of England",
        None,
        Position.DEPUTY_CHAIR,
        "nhse_director",
        ("Joanne Pike", "Deputy Director of Performance, NHS England and Improvement"),
    ),
    (
        "Deputy Chair / ICS AO",
        2,
        "Priya Nair",
        "Joint ICS Interim Accountable Officer",
        None,
        Position.DEPUTY_CHAIR,
        "icb_member",
        ("Stuart Bell", "Director of Strategy, ICS"),
    ),
    (
        "Chair of FPPG",
        None,
        "Oliver Grant",
        "Chief Finance Officer, ICS",
        None,
        Position.MEMBER,
        "icb_member",
        ("Claire Budd", "Deputy Chief Finance Officer"),
    ),
    (
        "Chair of Quality group",
        None,
        "Ruth Okafor",
        "Chief Nurse, ICS",
        None,
        Position.MEMBER,
        "icb_member",
        ("Linda Acheson", "Deputy Chief Nurse"),
    ),
    (
        "Chair of strategic Commissioning group",
        1,
        "Sian Doyle",
        "Director of Commissioning",
        None,
        Position.MEMBER,
        "icb_member",
        ("Hugh Fenton", "Head of Commissioning"),
    ),
    (
        "Chair of strategic Commissioning group",
        2,
        "Tom Baxter",
        "Director of Integrated Commissioning",
        None,
        Position.MEMBER,
        "icb_member",
        None,
    ),
    (
        "Chair of Transformation and Planning",
        None,
        "Kieran Walsh",
        "Director of Transformation",
        None,
        Position.MEMBER,
        "icb_member",
        ("Amira Haddad", "Head of Planning"),
    ),
    (
        "Chair of Provider collaborative (COO's)",
        None,
        "Grace Lim",
        "Chief Operating Officer",
        "RGT",
        Position.MEMBER,
        "",
        ("Daniel Frost", "Deputy Chief Operating Officer"),
    ),
    (
        "Acute Provider and chair of the HIE board",
        None,
        "Catherine Webb",
        "Chief Executive",
        "RGN",
        Position.MEMBER,
        "",
        ("Dr Owen Price", "Deputy Chief Executive"),
    ),
    (
        "Acute Provider",
        None,
        "Robert Singh",
        "Chief Executive",
        "RGT",
        Position.MEMBER,
        "",
        ("Fiona Barr", "Director of Strategy"),
    ),
    (
        "Mental Health Provider",
        None,
        "Deborah Quinn",
        "Chief Executive; Chair of the MH/LD collaborative",
        "RT1",
        Position.MEMBER,
        "",
        ("Neil Carter", "Deputy Chief Executive"),
    ),
    (
        "Acute Provider",
        None,
        "Simon Pryce",
        "Chief Executive",
        "RGM",
        Position.MEMBER,
        "",
        ("Helen Ashby", "Chief Operating Officer"),
    ),
    (
        "Chair of CYP collaborative",
        None,
        "Janet Forde",
        "Executive Director, People and Communities",
        "E10000003",
        Position.MEMBER,
        "",
        None,
    ),
    (
        "Local Government",
        None,
        "Janet Forde",
        "Executive Director, People and Communities",
        "E10000003",
        Position.MEMBER,
        "",
        ("Imran Siddiqui", "Director of Public Health"),
    ),
    (
        "Community provision",
        1,
        "Deborah Quinn",
        "Chief Executive",
        "RT1",
        Position.MEMBER,
        "",
        None,
    ),
    (
        "Community provision",
        2,
        "Mark Ellison",
        "Chief Executive",
        "RYV",
        Position.MEMBER,
        "",
        ("Paula Jordan", "Director of Operations"),
    ),
    (
        "Clinical Leadership",
        1,
        "Dr Alan Gibbs",
        "Medical Director, ICS",
        None,
        Position.MEMBER,
        "icb_member",
        ("Dr Sarah Cole", "Deputy Medical Director"),
    ),
    (
        "Clinical Leadership",
        2,
        "Dr Farah Malik",
        "GP; Clinical Lead",
        None,
        Position.MEMBER,
        "icb_member",
        None,
    ),
    (
        "North ICP",
        None,
        "Nadia Shah",
        "Managing Director, North ICP",
        None,
        Position.MEMBER,
        "",
        ("Gavin Reid", "Deputy Managing Director, North ICP"),
    ),
    (
        "South ICP",
        None,
        "Paul Denton",
        "Managing Director, South ICP",
        None,
        Position.MEMBER,
        "",
        ("Erin Walsh", "Deputy Managing Director, South ICP"),
    ),
    (
        "NHS ICS/EI joint Performance and Improvement",
        None,
        "Alison Carver",
        "Director of Performance and Improvement (NHS England and ICS)",
        None,
        Position.MEMBER,
        "nhse_director",
        ("Ben Howarth", "Head of Performance"),
    ),
    (
        "Healthwatch",
        None,
        "Sandra Price",
        "Chief Executive, Healthwatch Cambridgeshire and Peterborough",
        None,
        Position.MEMBER,
        "",
        ("Kate Lowry", "Engagement Manager"),
    ),
)

#: ToR 4.5: routine additional attendees.
ROUTINE_ATTENDEES = (
    (
        "Members of the ICS executive who do not chair a committee",
        "Lucy Hart",
        "Director of Digital, ICS",
    ),
    ("LMC CEO", "Dr Ian Moss", "Chief Executive, Local Medical Committee"),
)

TOR_RESPONSIBILITIES = [
    "I. Lead the development of a dashboard of key performance, quality and transformation "
    "metrics for the partnership; take an overview of performance and transformation at whole "
    "system, place and organisation levels in relation to partnership objectives and wider "
    "national requirements.",
    "II. Take an overview of transformation programme delivery.",
    "III. Receive reports from C&P committees, collaboratives and enabling workstreams on issues "
    "which require escalation.",
    "IV. Develop and maintain connections with other key groups and organisations which have a "
    "role in performance development and improvement: the Care Quality Commission and other "
    "regulators, Quality Surveillance Groups, collaboratives and delivery boards.",
    "V. Lead the development of a framework for peer review and support for the ICS partnership "
    "and oversee its application; advise on the deployment of improvement support and on the "
    "need for formal action and interventions: improvement or recovery plans, peer review of "
    "plans, expert external review, co-ordinated formal intervention and improvement support, "
    "restrictions on access to discretionary funding and financial incentives.",
    "VI. Discharge the regulatory duties currently held by NHSE/I.",
]

TOR_AMENDMENTS = (
    "Key amendments after the System Leaders meeting of 3 August 2021: membership of the MH "
    "CEO and the MH/LD collaborative chair; sections 5 and 6 recognise that SOAG may hold "
    "delegated powers from the ICB / NHSE/I as set out in the Scheme of Delegation; the need "
    "for a separate assurance meeting, recognising the different responsibilities of members "
    "at Board and Committee level; section 5 sets quoracy at 3 ICB members and 1 Director of "
    "NHSE/I; amendments in light of the model constitution."
)

TOR_PURPOSE = (
    "As a committee of the ICS Board, to hold the delivery partners and itself (for "
    "non-delegated functions) to account, whilst ensuring the required support is available, "
    "to enable improvement; and to oversee and monitor regulatory interventions and coordinate "
    "remedial action across system partners."
)


def load_governance_demo() -> GovernanceDemoSummary:
    """Create the demo's bodies, the SOAG and its story (once). Needs system QUE, its trusts
    and the demo users from the demo loader."""
    summary = GovernanceDemoSummary()
    try:
        system = System.objects.get(code=SYSTEM)
        secretary = get_user_model().objects.get(username=SECRETARIAT_USER)
    except (System.DoesNotExist, get_user_model().DoesNotExist) as exc:
        raise RuntimeError(f"load the demo reference data first: {exc}") from exc
    member_user = get_user_model().objects.filter(username=MEMBER_USER).first()
    with transaction.atomic():
        with on(TOR_APPROVED):
            made = _bodies(system, secretary)
        if made:
            summary.created.append(f"{made} bodies")
        soag = Body.objects.get(short_name="SOAG")
        if soag.meetings.filter(date=FIRST_MEETING).exists():
            return summary
        with on(TOR_APPROVED):
            people = _soag_membership(soag, secretary, member_user)
        summary.created.append(
            f"SOAG terms of reference v1.7 and {soag.memberships.count()} memberships"
        )
        _register(people, secretary)
        story = Story(soag, people, secretary)
        story.run()
        summary.created.append(f"{soag.meetings.count()} SOAG meetings (August 2021 to March 2023)")
    return summary


def _bodies(system: System, user) -> int:
    """The bodies of bodies.yaml, with their reporting lines (created once)."""
    made = 0
    specs = shipped()["bodies"]
    for spec in specs:
        if Body.objects.filter(short_name=spec["short_name"]).exists():
            continue
        pattern = spec.get("pattern")
        shape = read_pattern(pattern, f"bodies.yaml, {spec['short_name']}") if pattern else None
        body = Body(
            short_name=spec["short_name"],
            name=spec["name"],
            kind=spec["kind"],
            system=system,
            recommends_to=spec.get("recommends_to", ""),
            role=spec.get("role", ""),
            decision_method=spec.get("decision_method", "vote"),
            quoracy=spec.get("quoracy", {}),
            deadlines=spec.get("deadlines", {}),
            secretariat_team=spec.get("secretariat_team", ""),
            location=spec.get("location", ""),
        )
        if shape is not None:
            body.frequency = shape.frequency
            body.weekday = shape.weekday
            body.week_of_month = shape.week_of_month
            body.start_time = shape.start_time
        record(body, user=user, reason="Governance framework (seed 003 §8)")
        made += 1
    for spec in specs:
        if spec.get("reports_to"):
            body = Body.objects.get(short_name=spec["short_name"])
            if body.reports_to_id is None:
                body.reports_to = Body.objects.get(short_name=spec["reports_to"])
                record(body, user=user, reason="Reporting line")
    return made


def _soag_membership(soag: Body, secretary, member_user) -> dict[str, Person]:
    start = TOR_APPROVED
    record(
        TermsOfReference(
            body=soag,
            version="1.7",
            dated=dt.date(2021, 8, 1),
            purpose=TOR_PURPOSE,
            responsibilities=TOR_RESPONSIBILITIES,
            key_amendments=TOR_AMENDMENTS,
            approved_by="System Leaders",
            approved_on=TOR_APPROVED,
        ),
        user=secretary,
        reason="Terms of reference v1.7 (August 2021)",
    )
    orgs = {o.ods_code: o for o in Organisation.objects.all()}
    people: dict[str, Person] = {}

    def person(name: str, title: str, ods: str | None = None, user=None) -> Person:
        if name not in people:
            people[name] = record(
                Person(
                    name=name,
                    job_title=title,
                    organisation=orgs.get(ods) if ods else None,
                    user=user,
                ),
                user=secretary,
                reason="SOAG membership (Annex 1)",
            )
        return people[name]

    for sector, rep, name, title, ods, position, group, deputy in ANNEX_1:
        user = member_user if name == "Alison Carver" else None
        member = person(name, title, ods, user)
        nominated = person(deputy[0], deputy[1], ods) if deputy else None
        record(
            Membership(
                body=soag,
                person=member,
                sector=sector,
                role_title=title,
                position=position,
                representative=rep,
                quoracy_group=group,
                nominated_deputy=nominated,
                start=start,
            ),
            user=secretary,
            reason="Annex 1 membership",
        )
    for role, name, title in ROUTINE_ATTENDEES:
        record(
            Membership(
                body=soag,
                person=person(name, title),
                sector=role,
                role_title=title,
                position=Position.ROUTINE_ATTENDEE,
                start=start,
            ),
            user=secretary,
            reason="Routine additional attendee (ToR 4.5)",
        )
    full = secretary.get_full_name() or secretary.get_username()
    clerk = person(
        f"{full} (secretariat)", "NHS England Performance and System Support Team", user=secretary
    )
    record(
        Membership(
            body=soag,
            person=clerk,
            sector="Secretariat",
            role_title=clerk.job_title,
            position=Position.SECRETARIAT,
            start=start,
        ),
        user=secretary,
        reason="Secretariat (ToR 7.8)",
    )
    return people


def _register(people: dict[str, Person], user) -> None:
    """Declarations made at the first meeting (31 August 2021)."""
    orgs = {
        o.ods_code: o
        for o in Organisation.objects.filter(ods_code__in=["RGN", "RGT", "RT1", "RGM"])
    }
    day = FIRST_MEETING
    entries = [
        (
            "Catherine Webb",
            "organisational",
            False,
            "Chief Executive of North West Anglia NHS Foundation Trust",
            "RGN",
            None,
        ),
        (
            "Robert Singh",
            "organisational",
            False,
            "Chief Executive of Cambridge University Hospitals NHS Foundation Trust",
            "RGT",
            None,
        ),
        (
            "Grace Lim",
            "organisational",
            False,
            "Chief Operating Officer of Cambridge University Hospitals NHS Foundation Trust",
            "RGT",
            None,
        ),
        (
            "Deborah Quinn",
            "organisational",
            False,
            "Chief Executive of Cambridgeshire and "
            "Peterborough NHS Foundation Trust; chair of the MH/LD collaborative",
            "RT1",
            None,
        ),
        (
            "Simon Pryce",
            "organisational",
            False,
            "Chief Executive of Royal Papworth Hospital NHS Foundation Trust",
            "RGM",
            None,
        ),
        (
            "Dr Farah Malik",
            "professional",
            True,
            "GP partner in a Peterborough practice holding NHS contracts",
            None,
            dt.date(2022, 8, 30),
        ),
        (
            "Dr Helen Marsh",
            "personal",
            False,
            "Spouse is a consultant at Cambridge University Hospitals NHS Foundation Trust",
            "RGT",
            dt.date(2022, 8, 30),
        ),
        ("Sandra Price", "professional", False, "Trustee of a local carers' charity", None, None),
    ]
    for name, kind, financial, description, ods, reviewed in entries:
        with on(day):
            declaration = interests.declare_interest(
                people[name],
                kind=kind,
                financial=financial,
                description=description,
                declared_on=day,
                organisation=orgs.get(ods) if ods else None,
                user=user,
            )
        if reviewed:
            with on(reviewed):
                interests.review_interest(declaration, reviewed, user=user)


# ----------------------------------------------------------------------------- the meetings


class Story:
    """The SOAG's meetings from August 2021 to March 2022, then the 2022/23 schedule."""

    def __init__(self, soag: Body, people: dict[str, Person], secretary) -> None:
        self.soag, self.p, self.user = soag, people, secretary
        self.members = {
            m.person.name: m for m in soag.memberships.members().select_related("person")
        }

    # the steps each meeting takes

    def attend(
        self,
        meeting: Meeting,
        names: Iterable[str],
        *,
        apologies: Iterable[str] = (),
        deputies: Iterable[str] = (),
        remote: Iterable[str] = (),
    ) -> None:
        with on(meeting.date):
            for name in names:
                meetings.record_attendance(
                    meeting,
                    self.p[name],
                    mode="remote" if name in remote else "in_person",
                    user=self.user,
                )
            for name in apologies:
                meetings.record_attendance(meeting, self.p[name], "apologies", user=self.user)
            for member in deputies:
                membership = self.members[member]
                meetings.record_attendance(
                    meeting, membership.nominated_deputy, deputising_for=membership, user=self.user
                )

    def item(
        self, meeting: Meeting, number: str, title: str, purpose: str, **kw: Any
    ) -> AgendaItem:
        with on(meeting.papers_due):
            return meetings.add_item(
                meeting, number=number, title=title, purpose=purpose, user=self.user, **kw
            )

    def paper(
        self,
        item: AgendaItem,
        title: str,
        lead: str,
        purpose: str = "",
        recommendation: str = "",
        **kw: Any,
    ) -> Paper:
        with on(item.meeting.papers_due):
            paper = papers.add_paper(
                item,
                title=title,
                report_purpose=item.purpose,
                lead=self.p[lead],
                author=self.p[lead],
                purpose=purpose,
                recommendation=recommendation,
                user=self.user,
                **kw,
            )
            # A file is named as a person would save it: "2021/22" would read as a folder.
            file_name = f"{title[:60].replace('/', '-')}.pdf"
            papers.upload_version(paper, file_name, _pdf(title), user=self.user)
        return paper

    def issue(self, meeting: Meeting, day: dt.date | None = None) -> None:
        with on(day or meeting.papers_due):
            for paper in papers.Paper.objects.filter(
                item__meeting=meeting, issued_at__isnull=True
            ):
                papers.issue_paper(paper, user=self.user)

    def minute(self, mins: Minutes, item: AgendaItem, **kw: Any) -> MinuteEntry:
        with on(mins.meeting.date):
            return minutes.record_minute(mins, item, user=self.user, **kw)

    def held(self, meeting: Meeting, chair: str) -> None:
        meeting.chaired_by = self.p[chair]
        with on(meeting.date):
            meetings.mark_held(meeting, user=self.user)
            interests.ask_declarations(meeting, user=self.user)

    def draft(self, meeting: Meeting, issued_after: int = 7) -> Drafted:
        with on(meeting.date):
            drafted = minutes.draft_minutes(meeting, user=self.user)
        return drafted, shift_working_days(meeting.date, issued_after)

    def close(self, drafted: Minutes, issued_on: dt.date, approved_at: Meeting) -> None:
        with on(issued_on):
            minutes.issue_draft(drafted, user=self.user)
        with on(approved_at.date):
            minutes.approve_minutes(drafted, approved_at, user=self.user)
        with on(approved_at.date + dt.timedelta(days=2)):
            minutes.publish_minutes(drafted, user=self.user)

    # the story

    def run(self) -> None:
        with on(dt.date(2021, 8, 4)):
            meetings.publish_schedule(
                self.soag, dt.date(2021, 8, 1), dt.date(2022, 3, 31), user=self.user
            )
        m = {x.date: x for x in self.soag.meetings.all()}
        aug, sep, octo, nov = (
            m[dt.date(2021, 8, 31)],
            m[dt.date(2021, 9, 28)],
            m[dt.date(2021, 10, 26)],
            m[dt.date(2021, 11, 30)],
        )
        dec, jan, feb, mar = (
            m[dt.date(2021, 12, 29)],
            m[dt.date(2022, 1, 25)],
            m[dt.date(2022, 2, 22)],
            m[dt.date(2022, 3, 29)],
        )
        first = self.first_meeting(aug)
        second = self.september(sep)
        self.close(*first, sep)
        third = self.inquorate_october(octo)
        called_on = dt.date(2021, 12, 6)
        with on(called_on):
            extraordinary = meetings.call_extraordinary(
                self.soag,
                dt.date(2021, 12, 15),
                "Winter pressures: urgent and emergency care and elective activity across the "
                "system",
                called_on=called_on,
                user=self.user,
            )
        fourth = self.november_part_b(nov)
        self.close(*second, nov)
        self.close(*third, nov)
        fifth = self.extraordinary(extraordinary)
        with on(dt.date(2021, 12, 7)):
            meetings.cancel_meeting(
                dec,
                "Christmas period: business taken at the extraordinary meeting of 15 December",
                user=self.user,
            )
        previous = [fourth, fifth]
        for meeting, topic in (
            (jan, "Elective recovery and waiting lists"),
            (feb, "H2 financial position and 2022/23 planning"),
            (mar, "SOF 4 exit plan: progress"),
        ):
            drafted = self.routine(meeting, topic)
            for earlier in previous:
                self.close(*earlier, meeting)
            previous = [drafted]
        with on(dt.date(2022, 3, 30)):
            meetings.publish_schedule(
                self.soag, dt.date(2022, 4, 1), dt.date(2023, 3, 31), user=self.user
            )

    def first_meeting(self, meeting: Meeting) -> Drafted:
        """31 August 2021 (seed 000 §3.1): the four areas minuted."""
        welcome = self.item(
            meeting,
            "1",
            "Welcome, apologies and declarations of interest",
            "inform",
            minutes_allotted=5,
        )
        uec = self.item(
            meeting,
            "2",
            "Urgent and emergency care",
            "assure",
            lead=self.p["Nadia Shah"],
            presenter=self.p["Paul Denton"],
            minutes_allotted=40,
        )
        planned = self.item(
            meeting,
            "3",
            "Planned care and diagnostics",
            "assure",
            lead=self.p["Grace Lim"],
            minutes_allotted=25,
        )
        quality = self.item(
            meeting,
            "4",
            "Quality and patient safety",
            "assure",
            lead=self.p["Ruth Okafor"],
            minutes_allotted=25,
        )
        finance = self.item(
            meeting,
            "5",
            "Finance and use of resources",
            "assure",
            lead=self.p["Oliver Grant"],
            minutes_allotted=30,
        )
        feedback = self.item(
            meeting, "6", "Feedback on the meeting and forward plan", "inform", minutes_allotted=10
        )
        self.paper(
            uec,
            "UEC improvement and action plans: North and South ICPs",
            "Nadia Shah",
            "Initial improvement and action plans following the UEC escalation meetings.",
            "SOAG is asked to take assurance on the plans and agree the KPIs to track.",
        )
        self.paper(
            planned,
            "Planned care and diagnostic recovery approach",
            "Grace Lim",
            "The recovery approach at a high level.",
            "To note the approach.",
        )
        self.paper(
            finance,
            "H1 financial position, H2 planning and the SOF 4 exit plan",
            "Oliver Grant",
            "The H1 position, progress on H2 planning and the "
            "Medium-Term Financial Plan; the approach to the SOF 4 exit plan.",
            "To note the H1 position and consider the approach to the SOF 4 exit plan.",
            presented_before=[{"body": "FPPG", "date": "2021-08-12"}],
        )
        self.issue(meeting)
        self.attend(
            meeting,
            [
                "Priya Nair",
                "Martin Hale",
                "Oliver Grant",
                "Ruth Okafor",
                "Kieran Walsh",
                "Dr Alan Gibbs",
                "Grace Lim",
                "Catherine Webb",
                "Robert Singh",
                "Deborah Quinn",
                "Nadia Shah",
                "Paul Denton",
                "Alison Carver",
                "Sandra Price",
                "Dr Ian Moss",
            ],
            apologies=["Dr Helen Marsh", "Simon Pryce"],
            deputies=["Simon Pryce"],
            remote=["Sandra Price", "Dr Ian Moss"],
        )
        self.held(meeting, "Priya Nair")
        drafted, issued = self.draft(meeting)
        self.minute(
            drafted,
            welcome,
            discussion="The Joint ICS Interim Accountable Officer "
            "chaired the inaugural meeting in the lay chair's absence. Members' "
            "declarations were entered in the register of interests.",
        )
        action_on = self.minute(
            drafted,
            uec,
            discussion="Following escalation meetings on UEC performance, the North and South "
            "ICPs set out their initial improvement and action plans. Further work is needed; "
            "future sessions will be dedicated to this and progress tracked against the chosen "
            "KPIs. A recurrent theme was the availability of workforce.",
            decision="The KPIs proposed by the ICPs are agreed for tracking progress; the "
            "People Board workforce plan is to be discussed at the next meeting.",
            assurance="limited",
            finding="intervention",
        )
        self.minute(
            drafted,
            planned,
            discussion="The planned care and diagnostic recovery approach was set out at a "
            "high level. Further work is under way in the system-wide planned care group and "
            "the COO group: mutual aid, further capital investment and capacity modelling.",
            assurance="partial",
        )
        self.minute(
            drafted,
            quality,
            discussion="The system-wide quality group are working well together and discussing "
            "how to report future quality risks to SOAG by exception. Current issues include "
            "the shortage of qualified midwives and of other support staff (vacancies and "
            "absence).",
            assurance="reasonable",
            finding="good",
        )
        self.minute(
            drafted,
            finance,
            discussion="The latest H1 financial position was noted, and the progress made on "
            "H2 planning and the development of the Medium-Term Financial Plan discussed. The "
            "approach to the SOF 4 exit plan was also considered.",
            assurance="limited",
            finding="intervention",
            escalate_to_board=True,
            escalation="The likely SOF 4 rating on finance and the approach to the exit plan "
            "are reported to the System Partnership Board.",
        )
        self.minute(
            drafted,
            feedback,
            discussion="The meeting was well received; it would be improved by more focus on "
            "primary care from within the GP community, and more time on non-acute matters. "
            "The debate on inequalities needs developing. The business cycle is being "
            "finalised.",
        )
        with on(meeting.date):
            action = minutes.raise_minute_action(
                action_on,
                user=self.user,
                subject=self.soag.system,
                kind="plan",
                title="UEC improvement plans: progress against the agreed KPIs",
                owner=self.user,
                due=dt.date(2021, 10, 26),
                description="North and South ICPs report progress on their UEC improvement and "
                "action plans against the KPIs agreed on 31 August 2021.",
            )
            mark_read(self.user, action=action)
        with on(action.due):
            _complete(
                action,
                self.user,
                "Both ICPs reported progress against the KPIs on 26 October 2021 (minuted).",
            )
        return drafted, issued

    def september(self, meeting: Meeting) -> Drafted:
        minutes_item = self.item(meeting, "1", "Minutes of 31 August 2021 and actions", "approval")
        workforce = self.item(
            meeting,
            "2",
            "Workforce: the People Board workforce plan",
            "assure",
            lead=self.p["Priya Nair"],
        )
        fppg = self.item(
            meeting,
            "3",
            "Report from the Financial Performance and Planning Group",
            "assure",
            kind="committee_report",
            reporting_body=Body.objects.get(short_name="FPPG"),
            lead=self.p["Oliver Grant"],
        )
        collab = self.item(
            meeting,
            "4",
            "Acute and Specialist Provider Collaborative: quarterly programme update",
            "inform",
            kind="programme_update",
            lead=self.p["Grace Lim"],
        )
        self.paper(
            workforce,
            "People Board workforce plan and initiatives",
            "Priya Nair",
            "The workforce plan and initiatives to relieve current pressures.",
            "SOAG is asked to take assurance on the plan.",
        )
        self.issue(meeting)
        self.attend(
            meeting,
            [
                "Dr Helen Marsh",
                "Priya Nair",
                "Oliver Grant",
                "Ruth Okafor",
                "Sian Doyle",
                "Dr Alan Gibbs",
                "Alison Carver",
                "Grace Lim",
                "Robert Singh",
                "Simon Pryce",
                "Mark Ellison",
                "Janet Forde",
                "Sandra Price",
                "Lucy Hart",
            ],
            apologies=["Martin Hale", "Catherine Webb", "Deborah Quinn"],
            deputies=["Catherine Webb"],
            remote=["Janet Forde"],
        )
        self.held(meeting, "Dr Helen Marsh")
        drafted, issued = self.draft(meeting)
        self.minute(
            drafted,
            minutes_item,
            discussion="The draft minutes of 31 August 2021 "
            "were reviewed; the UEC action is in progress.",
            decision="The minutes of 31 August 2021 are approved as a true record.",
        )
        self.minute(
            drafted,
            workforce,
            discussion="The People Board workforce plan was "
            "presented, with initiatives to relieve current pressures in nursing, "
            "midwifery and support roles.",
            assurance="partial",
        )
        self.minute(
            drafted,
            fppg,
            discussion="FPPG reported on the H2 plan submission and the "
            "Medium-Term Financial Plan.",
            assurance="limited",
        )
        self.minute(
            drafted,
            collab,
            discussion="The collaborative set out its programme for "
            "the quarter: elective mutual aid and diagnostic capacity.",
        )
        return drafted, issued

    def inquorate_october(self, meeting: Meeting) -> Drafted:
        """26 October 2021: only two ICB members present, so no decision."""
        winter = self.item(
            meeting, "1", "System winter plan 2021/22", "decision", lead=self.p["Kieran Walsh"]
        )
        uec = self.item(
            meeting,
            "2",
            "UEC improvement plans: progress against the KPIs",
            "assure",
            lead=self.p["Nadia Shah"],
        )
        self.paper(
            winter,
            "System winter plan 2021/22",
            "Kieran Walsh",
            "The system's plan for surge and winter.",
            "SOAG is asked to approve the winter plan.",
        )
        self.issue(meeting)
        self.attend(
            meeting,
            [
                "Dr Helen Marsh",
                "Ruth Okafor",
                "Martin Hale",
                "Alison Carver",
                "Robert Singh",
                "Nadia Shah",
                "Paul Denton",
                "Sandra Price",
            ],
            apologies=[
                "Priya Nair",
                "Oliver Grant",
                "Sian Doyle",
                "Tom Baxter",
                "Kieran Walsh",
                "Dr Alan Gibbs",
                "Dr Farah Malik",
            ],
        )
        self.held(meeting, "Dr Helen Marsh")
        drafted, issued = self.draft(meeting)
        self.minute(
            drafted,
            winter,
            discussion="The meeting was not quorate (two ICB members "
            "present, three needed): the winter plan was discussed and no decision "
            "taken; it returns to the November meeting.",
        )
        self.minute(
            drafted,
            uec,
            discussion="Both ICPs reported progress against the agreed "
            "KPIs; ambulance handover delays remain the main concern.",
            assurance="limited",
        )
        return drafted, issued

    def november_part_b(self, meeting: Meeting) -> Drafted:
        """30 November 2021: a Part B item on North West Anglia from which its chief
        executive is excluded; her nominated deputy attends in her place."""
        trust = Organisation.objects.filter(ods_code="RGN").first()
        winter = self.item(
            meeting, "1", "System winter plan 2021/22", "decision", lead=self.p["Kieran Walsh"]
        )
        maternity = self.item(
            meeting,
            "2",
            "Exception report: maternity staffing",
            "assure",
            kind="exception_report",
            lead=self.p["Ruth Okafor"],
            reporting_body=None,
        )
        part_b = self.item(
            meeting,
            "3",
            "North West Anglia NHS Foundation Trust: Recovery "
            "Support Programme exit readiness and transitional support",
            "decision",
            part="B",
            organisation=trust,
            lead=self.p["Martin Hale"],
        )
        self.paper(
            winter,
            "System winter plan 2021/22 (revised)",
            "Kieran Walsh",
            "The winter plan revised after the October discussion.",
            "SOAG is asked to approve the winter plan.",
        )
        late = self.paper(
            maternity,
            "Maternity staffing: exception report",
            "Ruth Okafor",
            "Midwifery vacancies and absence across the system.",
            "SOAG is asked to note the position and the mitigations.",
        )
        self.paper(
            part_b,
            "North West Anglia NHS FT: RSP exit criteria and evidence",
            "Martin Hale",
            "Evidence against the RSP exit criteria.",
            "SOAG is asked to recommend to the Regional Support Group that the trust "
            "is ready to exit the RSP into transitional mandated support.",
        )
        with on(meeting.papers_due):
            for paper in papers.Paper.objects.filter(item__meeting=meeting).exclude(pk=late.pk):
                papers.issue_paper(paper, user=self.user)
        # The maternity exception report came late: an urgent paper with the chair's agreement.
        with on(meeting.date - dt.timedelta(days=4)):
            papers.agree_urgent(late, self.p["Dr Helen Marsh"], user=self.user)
            papers.issue_paper(late, user=self.user)
        self.attend(
            meeting,
            [
                "Dr Helen Marsh",
                "Priya Nair",
                "Martin Hale",
                "Oliver Grant",
                "Ruth Okafor",
                "Dr Alan Gibbs",
                "Alison Carver",
                "Catherine Webb",
                "Robert Singh",
                "Deborah Quinn",
                "Nadia Shah",
                "Sandra Price",
            ],
            apologies=["Kieran Walsh"],
            deputies=["Kieran Walsh"],
        )
        webb = self.members["Catherine Webb"]
        with on(meeting.date):
            meetings.record_attendance(
                meeting, webb.nominated_deputy, for_items=[part_b], user=self.user
            )
        self.held(meeting, "Dr Helen Marsh")
        declaration = self.p["Catherine Webb"].declarations.first()
        with on(meeting.date):
            interests.rule_on_conflict(
                part_b,
                self.p["Catherine Webb"],
                "excluded",
                chair=self.p["Dr Helen Marsh"],
                declaration=declaration,
                deputy=webb.nominated_deputy,
                reason="The item concerns the trust she leads.",
                user=self.user,
            )
        drafted, issued = self.draft(meeting)
        self.minute(
            drafted,
            winter,
            discussion="The revised winter plan was presented.",
            decision="The system winter plan 2021/22 is approved.",
            assurance="reasonable",
        )
        self.minute(
            drafted,
            maternity,
            discussion="Received as an urgent paper with the "
            "chair's agreement. Midwifery vacancies remain high; mutual aid between "
            "units is in place.",
            assurance="partial",
        )
        self.minute(
            drafted,
            part_b,
            discussion="Evidence against each exit criterion was "
            "reviewed with the trust's deputy chief executive.",
            decision="SOAG recommends to the Regional Support Group that the trust "
            "exits the Recovery Support Programme into transitional mandated support.",
            assurance="reasonable",
        )
        return drafted, issued

    def extraordinary(self, meeting: Meeting) -> Drafted:
        item = self.item(meeting, "1", meeting.reason, "decision", lead=self.p["Priya Nair"])
        self.paper(
            item,
            "Winter pressures: system position and options",
            "Priya Nair",
            "The UEC and elective position and options for the holiday period.",
            "SOAG is asked to agree the system's response.",
        )
        self.issue(meeting)
        self.attend(
            meeting,
            [
                "Dr Helen Marsh",
                "Priya Nair",
                "Oliver Grant",
                "Ruth Okafor",
                "Martin Hale",
                "Alison Carver",
                "Robert Singh",
                "Catherine Webb",
                "Nadia Shah",
                "Paul Denton",
            ],
            remote=["Martin Hale", "Alison Carver", "Catherine Webb"],
        )
        self.held(meeting, "Dr Helen Marsh")
        drafted, issued = self.draft(meeting)
        self.minute(
            drafted,
            item,
            discussion="UEC pressures and elective activity over the holiday period were reviewed.",
            decision="Mutual aid for elective cancer "
            "and urgent activity is agreed across the acute providers.",
            assurance="limited",
            escalate_to_board=True,
            escalation="Winter pressures and the mutual aid agreed are reported to the "
            "System Partnership Board.",
        )
        return drafted, issued

    def routine(self, meeting: Meeting, topic: str) -> Drafted:
        item = self.item(meeting, "1", topic, "assure", lead=self.p["Oliver Grant"])
        uec = self.item(
            meeting,
            "2",
            "Urgent and emergency care: performance",
            "assure",
            lead=self.p["Nadia Shah"],
        )
        self.paper(item, topic, "Oliver Grant", topic + ".", "To take assurance.")
        self.issue(meeting)
        self.attend(
            meeting,
            [
                "Dr Helen Marsh",
                "Priya Nair",
                "Oliver Grant",
                "Ruth Okafor",
                "Dr Alan Gibbs",
                "Martin Hale",
                "Alison Carver",
                "Robert Singh",
                "Nadia Shah",
                "Paul Denton",
            ],
        )
        self.held(meeting, "Dr Helen Marsh")
        drafted, issued = self.draft(meeting)
        self.minute(
            drafted, item, discussion=f"{topic}: the position was reviewed.", assurance="partial"
        )
        self.minute(
            drafted,
            uec,
            discussion="Performance against the four-hour standard and "
            "ambulance handovers was reviewed.",
            assurance="limited",
        )
        return drafted, issued


def _complete(action: SoagAction, user, evidence: str) -> None:
    """Complete a demo action with its evidence."""
    action.evidence = evidence
    action.save()
    fire(action, "complete", user, evidence)


def _pdf(title: str) -> bytes:
    """A one-page PDF carrying the paper's title (demo files)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")[:90]
    stream = f"BT /F1 14 Tf 56 780 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
