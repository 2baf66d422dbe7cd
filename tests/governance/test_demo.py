"""The governance demo: the C&P bodies, the SOAG's terms of reference v1.7 with its Annex 1
membership, and its meetings from 31 August 2021 as seed 000 and the demo's story give them."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.access.models import Role
from oversight.governance.demo import load_governance_demo
from oversight.governance.minutes import conflicts_minuted, current_minutes
from oversight.governance.models import (
    Body,
    Meeting,
    MeetingStatus,
    Membership,
    MinutesStatus,
    Position,
)
from oversight.governance.quoracy import quoracy
from oversight.governance.rules import is_member, is_secretariat
from oversight.governance.visibility import visible_items
from tests.factories import OrganisationFactory, RegionFactory, SystemFactory, UserFactory

D = dt.date


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    for ods in ["RGN", "RGT", "RGM", "RT1", "RYV"]:
        OrganisationFactory(ods_code=ods, host_system=system, region=region)
    for name, kind, scope in [
        ("demo", "regional", {"region": region}),
        ("soag-que", "soag_member", {"system": system}),
    ]:
        Role.objects.create(user=UserFactory(username=name, password=None), kind=kind, **scope)
    cuh = UserFactory(username="cuh", password=None)
    Role.objects.create(
        user=cuh, kind="organisation", organisation_id=OrganisationFactory(ods_code="RGT").pk
    )
    summary = load_governance_demo()
    return summary


def user(name):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)


def test_bodies_of_the_governance_framework(demo):
    soag = Body.objects.get(short_name="SOAG")
    assert soag.kind == "committee" and soag.reports_to.short_name == "SPB"
    assert soag.decision_method == "consensus"
    assert Body.objects.get(short_name="FPPG").reports_to.short_name == "HCE"
    assert Body.objects.count() == 11
    terms = soag.current_terms
    assert (terms.version, terms.dated) == ("1.7", D(2021, 8, 1))
    assert len(terms.responsibilities) == 6 and terms.review_due == D(2022, 8, 3)


def test_annex_1_membership(demo):
    soag = Body.objects.get(short_name="SOAG")
    members = Membership.objects.filter(body=soag).members()
    assert members.filter(position=Position.CHAIR).get().sector == "Lay Chair"
    sectors = set(members.values_list("sector", flat=True))
    assert {
        "Chair of FPPG",
        "Healthwatch",
        "North ICP",
        "South ICP",
        "Local Government",
        "Mental Health Provider",
        "NHS ICS/EI joint Performance and Improvement",
    } <= sectors
    # 19 rows in Annex 1, three with first and second representatives.
    assert members.count() == 23
    assert members.filter(sector="Clinical Leadership", representative=2).exists()
    # One person represents two sectors (CYP collaborative and local government).
    forde = members.filter(sector__in=["Chair of CYP collaborative", "Local Government"])
    assert forde.values("person").distinct().count() == 1
    assert members.exclude(nominated_deputy=None).count() >= 15


def test_demo_users(demo):
    soag = Body.objects.get(short_name="SOAG")
    assert is_secretariat(user("demo"), soag)
    assert is_member(user("soag-que"), soag) and not is_secretariat(user("soag-que"), soag)
    assert not is_member(user("cuh"), soag) and not is_secretariat(user("cuh"), soag)


def test_meetings_from_31_august_2021(demo):
    soag = Body.objects.get(short_name="SOAG")
    held = soag.meetings.filter(status=MeetingStatus.HELD).order_by("date")
    assert [m.date for m in held] == [
        D(2021, 8, 31),
        D(2021, 9, 28),
        D(2021, 10, 26),
        D(2021, 11, 30),
        D(2021, 12, 15),
        D(2022, 1, 25),
        D(2022, 2, 22),
        D(2022, 3, 29),
    ]
    assert soag.meetings.get(date=D(2021, 12, 15)).kind == "extraordinary"
    assert soag.meetings.get(date=D(2021, 12, 29)).status == MeetingStatus.CANCELLED
    assert (
        soag.meetings.filter(
            date__year=2022, date__month__gte=4, status=MeetingStatus.PUBLISHED
        ).count()
        >= 9
    )


def test_the_first_meeting_minutes_the_four_areas(demo):
    first = Meeting.objects.get(body__short_name="SOAG", date=D(2021, 8, 31))
    titles = list(first.items.values_list("title", flat=True))
    for area in [
        "Urgent and emergency care",
        "Planned care and diagnostics",
        "Quality and patient safety",
        "Finance and use of resources",
    ]:
        assert area in titles
    minutes = current_minutes(first)
    assert minutes.status == MinutesStatus.PUBLISHED
    assert minutes.approved_at_meeting.date == D(2021, 9, 28)
    finance = minutes.entries.get(item__title="Finance and use of resources")
    assert "SOF 4 exit plan" in finance.discussion and finance.escalate_to_board
    assert quoracy(first).quorate
    # Events dated on the story's days, not the day the demo loaded.
    assert minutes.history.earliest().history_date.date() == D(2021, 8, 31)
    assert first.history.earliest().history_date.date() == D(2021, 8, 4)


def test_one_inquorate_meeting_without_decisions(demo):
    october = Meeting.objects.get(body__short_name="SOAG", date=D(2021, 10, 26))
    result = quoracy(october)
    assert not result.quorate and "only 2 ICB members" in result.reason
    assert not current_minutes(october).entries.exclude(decision="").exists()
    assert [
        not quoracy(m).quorate for m in Meeting.objects.filter(status=MeetingStatus.HELD)
    ].count(True) == 1


def test_part_b_with_a_conflicted_member_excluded(demo):
    november = Meeting.objects.get(body__short_name="SOAG", date=D(2021, 11, 30))
    part_b = november.items.get(part="B")
    ruling = part_b.rulings.get()
    assert ruling.ruling == "excluded" and ruling.person.name == "Catherine Webb"
    assert ruling.deputy.name == "Dr Owen Price"
    text = conflicts_minuted(current_minutes(november))[part_b.pk][0]
    assert "excluded them from the item; Dr Owen Price attended in their place" in text
    assert part_b in visible_items(user("soag-que"), november.items.all())
    assert part_b in visible_items(user("demo"), november.items.all())
    assert part_b not in visible_items(user("cuh"), november.items.all())
    urgent = november.items.get(kind="exception_report").papers.get()
    assert urgent.urgent and urgent.urgent_agreed_by.name == "Dr Helen Marsh"


def test_idempotent(demo):
    counts = (Body.objects.count(), Meeting.objects.count(), Membership.objects.count())
    assert load_governance_demo().describe() == "Governance demo already loaded."
    assert (Body.objects.count(), Meeting.objects.count(), Membership.objects.count()) == counts


def test_each_paper_file_is_named_after_its_paper(demo):
    """A title with "2021/22" in it must not lose its beginning as a folder would."""
    from oversight.governance.models import PaperVersion

    for version in PaperVersion.objects.select_related("paper"):
        assert version.original_name.split()[0] == version.paper.title.split()[0], version


def test_a_meeting_whose_only_late_paper_was_urgent_says_why_it_is_on_time(demo):
    """30 November 2021: the maternity exception report came four days before the meeting,
    after the papers deadline, as an urgent paper the chair agreed."""
    from oversight.governance.pages import meeting_deadlines

    meeting = Meeting.objects.get(body__short_name="SOAG", date=dt.date(2021, 11, 30))
    papers = next(d for d in meeting_deadlines(meeting, list(meeting.items.all()),
                                               dt.date(2021, 12, 31))
                  if d.what == "Agenda and papers issued")
    assert papers.done_on == dt.date(2021, 11, 26) > papers.due and not papers.late
    assert papers.note == "1 urgent paper the chair agreed to take late"
