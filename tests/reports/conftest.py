"""Fixtures of the reports tests: the text of a PDF as pdftotext reads it (poppler-utils), and
a small system for the SOAG overview report: two trusts in one place, a board and its SOAG with
one held meeting (a Part A item and a Part B item), segments published and not, figures
published and not, a board-level risk and a development plan assessed at a checkpoint."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from django.utils import timezone

from oversight.governance.models import BodyKind, MeetingStatus
from oversight.segmentation.models import DecisionPublication
from tests.factories import (
    ActionFactory,
    BodyFactory,
    CheckpointFactory,
    DecisionFactory,
    DevelopmentAssessmentFactory,
    FrameworkFactory,
    ImportBatchFactory,
    MeetingFactory,
    MetricFactory,
    MinuteEntryFactory,
    MinutesFactory,
    ObservationFactory,
    OrganisationFactory,
    PlaceFactory,
    PlanFactory,
    ReportFactory,
    RiskFactory,
    SoagActionFactory,
    SystemFactory,
    TermsOfReferenceFactory,
    UserFactory,
)

AS_AT = dt.date(2021, 9, 8)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Issued versions keep their PDF and Word files, and board papers theirs: in a folder of
    the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db) -> SimpleNamespace:
    return build_world()


def build_world() -> SimpleNamespace:
    """The world's records (for the ``world`` fixture and the browser journey's)."""
    w = SimpleNamespace()
    w.framework = FrameworkFactory(code="sof-2021-22", name="System Oversight Framework 2021/22",
                                   year_start=dt.date(2021, 4, 1))
    w.system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough")
    w.place = PlaceFactory(system=w.system, code="SOUTH", name="South ICP")
    w.trust = OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals",
                                  host_system=w.system, place=w.place)
    w.other = OrganisationFactory(ods_code="RGN", name="North West Anglia", host_system=w.system,
                                  place=w.place)
    w.board = BodyFactory(short_name="SPB", name="System Partnership Board",
                          kind=BodyKind.BOARD, system=w.system)
    w.soag = BodyFactory(soag=True, system=w.system, reports_to=w.board)
    w.terms = TermsOfReferenceFactory(body=w.soag, version="1.7", dated=dt.date(2021, 8, 1),
                                      purpose="To hold the delivery partners to account.")
    w.meeting = MeetingFactory(body=w.soag, date=dt.date(2021, 8, 31), status=MeetingStatus.HELD)
    w.minutes = MinutesFactory(meeting=w.meeting)
    w.uec = MinuteEntryFactory(
        minutes=w.minutes, item__title="Urgent and emergency care", item__purpose="assure",
        discussion="The ICPs set out their initial improvement plans.", assurance="limited",
        finding="intervention", escalate_to_board=True, escalation="UEC performance.")
    w.quality = MinuteEntryFactory(
        minutes=w.minutes, item__title="Quality and patient safety", item__purpose="assure",
        discussion="The quality group are working well together.", assurance="reasonable",
        finding="good", difference_of_view="Members differed on midwifery staffing.")
    w.part_b = MinuteEntryFactory(
        minutes=w.minutes, item__title="Licence breach at North West Anglia",
        item__purpose="decision", item__part="B", discussion="Confidential regulatory matter.")
    w.owner = UserFactory(username="owner", first_name="Nadia", last_name="Shah")
    w.action = SoagActionFactory(organisation=None, system=w.system, owner=w.owner,
                                 title="UEC plans: progress against the KPIs",
                                 due=dt.date(2021, 10, 26))
    w.uec.actions.add(w.action)
    # Segments: the trust's decision is published; the other's newer decision is not.
    w.decision = DecisionFactory(framework=w.framework, organisation=w.trust, segment=3,
                                 quarter="Q1 2021/22", quarter_end=dt.date(2021, 6, 30),
                                 effective_from=dt.date(2021, 7, 1),
                                 decided_at=at(dt.date(2021, 7, 15)))
    DecisionPublication.objects.create(decision=w.decision, published_at=at(dt.date(2021, 7, 16)),
                                       published_by=w.decision.decided_by)
    w.unpublished = DecisionFactory(framework=w.framework, organisation=w.other, segment=4,
                                    quarter="Q1 2021/22", quarter_end=dt.date(2021, 6, 30),
                                    effective_from=dt.date(2021, 7, 1),
                                    decided_at=at(dt.date(2021, 8, 20)))
    # Figures: a published load for both trusts, an unpublished one for the other.
    w.metric = MetricFactory(framework=w.framework, theme__framework=w.framework,
                             code="AE4HR", name="A&E four-hour performance", standard=95.0)
    published = ImportBatchFactory(file_name="ae-2021.csv")
    months = [dt.date(2021, m, 1) for m in range(1, 8)]
    for i, start in enumerate(months):
        ObservationFactory(metric=w.metric, organisation=w.trust, period_start=start,
                           period_end=start.replace(day=28), period_label=f"{start:%b-%y}",
                           value=80.0 + i, batch=published)
        ObservationFactory(metric=w.metric, organisation=w.other, period_start=start,
                           period_end=start.replace(day=28), period_label=f"{start:%b-%y}",
                           value=70.0 + i, batch=published)
    hidden = ImportBatchFactory(file_name="secret-load.csv", published_at=None)
    ObservationFactory(metric=w.metric, organisation=w.other, period_start=dt.date(2021, 8, 1),
                       period_end=dt.date(2021, 8, 31), period_label="Aug-21", value=12.34,
                       batch=hidden)
    w.published_batch, w.hidden_batch = published, hidden
    # A risk held at board level, and one held by its group.
    w.board_risk = RiskFactory(system=w.system, reference="QUE-R001", title="Financial recovery",
                               level="board", current_likelihood=4, current_consequence=5,
                               created_at=at(dt.date(2021, 6, 1)))
    w.group_risk = RiskFactory(system=w.system, reference="QUE-R002", title="Midwife vacancies",
                               created_at=at(dt.date(2021, 6, 1)))
    # The development plan: one action assessed at the Q1 checkpoint, one late.
    w.plan = PlanFactory(system=w.system, title="ICS Development Plan")
    w.checkpoint = CheckpointFactory(plan=w.plan, held_on=dt.date(2021, 7, 22))
    w.assessed = DevelopmentAssessmentFactory(checkpoint=w.checkpoint, status="A",
                                              action__due=dt.date(2022, 3, 31))
    w.late = ActionFactory(workstream=w.assessed.action.workstream, text="Agree the MOU",
                           due=dt.date(2021, 6, 30))
    w.board_meeting = MeetingFactory(body=w.board, date=dt.date(2021, 9, 15))
    w.report = ReportFactory(system=w.system, meeting=w.board_meeting, committee=w.soag,
                             since=dt.date(2021, 8, 1),
                             commentary={"soag": "The group met for the first time."})
    return w


@pytest.fixture
def pdf_text(tmp_path):
    """pdftotext's reading of PDF bytes, page by page (form feed between pages); skips the test
    when poppler-utils is not installed."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (Debian package poppler-utils)")

    def read(data: bytes) -> list[str]:
        path = tmp_path / "document.pdf"
        path.write_bytes(data)
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                             capture_output=True, text=True).stdout
        return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")

    return read
