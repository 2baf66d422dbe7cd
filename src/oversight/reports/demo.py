"""The demo's board reports: the SOAG overview to the System Partnership Board of 15 September
2021 (seed 000, written from the demo's own first SOAG meeting of 31 August 2021, issued on
8 September, when the papers were due) and a current one to the board of 17 September 2025.

Run last, after every domain's demo (support, governance, risks, development, delegation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from oversight.governance.models import Body, ItemPurpose, Meeting, MeetingKind, MeetingStatus
from oversight.organisations.models import System
from oversight.reports.issue import issue
from oversight.reports.models import Report
from oversight.reports.preparing import start_report
from oversight.story import on

SYSTEM = "QUE"
BOARD = "SPB"
ISSUER = "demo"  # the SOAG's secretariat in the governance demo
LEAD = "Priya Nair, Joint ICS Interim Accountable Officer"
AUTHOR = "Sarah Fenwick, Director of Governance, Cambridgeshire and Peterborough CCG"


@dataclass(frozen=True)
class DemoReport:
    board_meeting: dt.date
    issued_on: dt.date
    since: dt.date
    agenda_item: str
    purpose: str
    paper_purpose: str
    recommendation: str
    commentary: dict[str, str]
    include_data: bool


#: Seed 000's cover sheet and narrative, for the demo's system and its first SOAG meeting.
SEPTEMBER_2021 = DemoReport(
    board_meeting=dt.date(2021, 9, 15),
    issued_on=dt.date(2021, 9, 8),
    since=dt.date(2021, 8, 1),
    agenda_item="2.4",
    purpose=ItemPurpose.INFORM,
    paper_purpose=(
        "The purpose of this report is to provide a summary of the System Oversight Framework "
        "and what this means for the Cambridgeshire and Peterborough system should we be rated "
        "as SOF4.\nThe report also provides an overview of the first meeting of the System "
        "Oversight and Assurance Group, which met for its inaugural meeting on 31 August 2021, "
        "together with a copy of the latest Terms of Reference for the Board's information."),
    recommendation=(
        "The Board is asked to note the overview of the System Oversight Framework, and the "
        "implications for Cambridgeshire and Peterborough, should we be rated as SOF4.\n"
        "The Board is asked to note the outcomes of the first meeting of the System Oversight "
        "and Assurance Group, held on 31 August 2021.\n"
        "The Board is asked to note the Terms of Reference set out in the appendix."),
    commentary={
        "framework": (
            "NHS England and NHS Improvement has introduced a new System Oversight Framework "
            "for 2021/22, a single framework covering individual places and the system as a "
            "whole, with a clear approach to improvement-focused intervention and support.\n"
            "We are working with NHS England and NHS Improvement to understand the segment in "
            "which the system will be placed: it is likely to be segment 4 because of our "
            "financial situation, although this is yet to be confirmed."),
        "soag": (
            "In terms of feedback the meeting was well received, with a view to improving it by "
            "focusing more on primary care from within the GP community. More time will be "
            "given to non-acute matters and to the debate on inequalities.\n"
            "Future reports will include a summary of high-level data for the system as an "
            "appendix, with the levels of assurance gained and the areas requiring "
            "intervention."),
    },
    include_data=False,
)

#: A current report: everything the 2021 report promised, the data appendix included.
SEPTEMBER_2025 = DemoReport(
    board_meeting=dt.date(2025, 9, 17),
    issued_on=dt.date(2025, 9, 10),
    since=dt.date(2025, 7, 1),
    agenda_item="3.1",
    purpose=ItemPurpose.ASSURE,
    paper_purpose=(
        "The purpose of this report is to give the Board the headlines of the System Oversight "
        "and Assurance Group's work since the last report: the levels of assurance it took, "
        "the areas requiring intervention and of good performance, the risks escalated to the "
        "Board and a summary of high-level data for the system."),
    recommendation=(
        "The Board is asked to note the levels of assurance taken by the group and the areas "
        "identified as requiring intervention.\n"
        "The Board is asked to note the summary of high-level data set out in the appendix."),
    commentary={
        "position": "The system remains in the Recovery Support Programme for finance; the "
                    "exit criteria and their progress are reviewed at each meeting.",
    },
    include_data=True,
)


@dataclass
class ReportsDemoSummary:
    issued: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if not self.issued:
            return "Reports demo already loaded."
        return f"Reports demo: issued {', '.join(self.issued)}."


def _board_meeting(board: Body, day: dt.date) -> Meeting:
    meeting, _ = Meeting.objects.get_or_create(
        body=board, date=day,
        defaults={"kind": MeetingKind.SCHEDULED, "status": MeetingStatus.PUBLISHED,
                  "location": "Meeting in public"})
    return meeting


def _issue(system: System, board: Body, spec: DemoReport, user) -> Report | None:
    with on(spec.issued_on):
        report = start_report(system, _board_meeting(board, spec.board_meeting),
                              since=spec.since, user=user)
        if report.versions.exists():
            return None
        report.agenda_item = spec.agenda_item
        report.lead, report.author, report.purpose = LEAD, AUTHOR, spec.purpose
        report.paper_purpose, report.recommendation = spec.paper_purpose, spec.recommendation
        report.commentary = dict(spec.commentary)
        report.include_data = spec.include_data
        report.save()
        issue(report, user)
    return report


def load_reports_demo() -> ReportsDemoSummary:
    """Issue the demo's two reports (once each)."""
    summary = ReportsDemoSummary()
    system = System.objects.get(code=SYSTEM)
    board = Body.objects.get(short_name=BOARD)
    user = get_user_model().objects.get(username=ISSUER)
    with transaction.atomic():
        for spec in (SEPTEMBER_2021, SEPTEMBER_2025):
            if _issue(system, board, spec, user) is not None:
                summary.issued.append(f"the SOAG overview to the {board.short_name} of "
                                      f"{spec.board_meeting:%-d %B %Y}")
    return summary
