"""Governance pages: who may see and do what (403/404 per role), Part B kept from everyone
outside its audience on every page, the secretariat's and the chair's forms, attendance marked
with HTMX updating quoracy, minutes from draft to a second version, and the iCalendar feed."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from icalendar import Calendar

from oversight.engine.periods import shift_working_days
from oversight.governance.models import (
    AgendaItem,
    Attendance,
    ConflictRuling,
    Meeting,
    MeetingKind,
    Minutes,
    MinutesStatus,
    Paper,
    Ruling,
)
from tests.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    DeclarationFactory,
    MeetingFactory,
    OrganisationFactory,
    PaperFactory,
    PaperVersionFactory,
    RoleFactory,
    SystemFactory,
    TermsOfReferenceFactory,
    UserFactory,
)

PART_B_TITLE = "Regulatory undertakings of Hinchingbrooke Trust"
PART_B_PAPER = "Enforcement options for the undertakings"
PART_A_TITLE = "Urgent and emergency care"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return out.getvalue()




@dataclass
class Site:
    soag: object
    part_a: AgendaItem
    part_b: AgendaItem
    paper_a: Paper
    paper_b: Paper
    icb_user: object  # oversees the system: reads the SOAG, not on it
    outsider: object  # no role at all
    elsewhere: object  # an ICB team of another system

    def user(self, name: str):
        return get_user_model().objects.get(username=name)


@pytest.fixture
def site(soag, settings, tmp_path) -> Site:
    settings.MEDIA_ROOT = tmp_path
    meeting = soag.meeting
    trust = OrganisationFactory(ods_code="RQQ", name="Hinchingbrooke Trust")
    part_a = AgendaItemFactory(meeting=meeting, number="1", title=PART_A_TITLE, order=1)
    part_b = AgendaItemFactory(
        meeting=meeting, number="9", title=PART_B_TITLE, part="B", organisation=trust, order=9
    )
    paper_a = PaperFactory(item=part_a, title="UEC improvement plans")
    paper_b = PaperFactory(item=part_b, title=PART_B_PAPER)
    PaperVersionFactory(paper=paper_a, number=1)
    PaperVersionFactory(paper=paper_b, number=1)
    TermsOfReferenceFactory(
        body=soag.body,
        version="1.7",
        dated=dt.date(2021, 8, 1),
        approved_by="System Leaders",
        approved_on=dt.date(2021, 8, 3),
        key_amendments="Membership MH CEO and MH/LD collaborative Chair",
    )
    icb_user = UserFactory(username="icb-que")
    RoleFactory(user=icb_user, kind="icb", region=None, system=soag.body.system)
    outsider = UserFactory(username="outsider")
    elsewhere = UserFactory(username="icb-elsewhere")
    RoleFactory(user=elsewhere, kind="icb", region=None, system=SystemFactory(code="QXX"))
    return Site(soag, part_a, part_b, paper_a, paper_b, icb_user, outsider, elsewhere)


def as_user(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


READERS = ["secretariat", "chair", "member", "attendee", "icb-que"]
OUTSIDERS = ["outsider", "icb-elsewhere"]


# ----------------------------------------------------------------------------- navigation


def test_header_links_to_governance(client, site):
    page = html(as_user(client, site.user("member")).get("/"))
    assert 'href="/governance/"' in page


@pytest.mark.parametrize("who", READERS)
def test_bodies_list_shows_the_soag_to_its_readers(client, site, who):
    response = as_user(client, site.user(who)).get("/governance/")
    assert response.status_code == 200
    assert 'href="/governance/SOAG/"' in html(response)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_bodies_list_hides_the_soag_from_others(client, site, who):
    response = as_user(client, site.user(who)).get("/governance/")
    assert response.status_code == 200
    assert "/governance/SOAG/" not in html(response)


def test_bodies_list_gives_chair_next_meeting_and_review_due(client, site, settings):
    settings.TIME_ZONE = "Europe/London"
    page = html(as_user(client, site.user("member")).get("/governance/"))
    assert "Ada Chair" in page
    # approved 3 August 2021: review due a year later, long passed
    assert "3 August 2022" in page and "Overdue" in page


# ----------------------------------------------------------------------------- a body


@pytest.mark.parametrize("who,status", [(w, 200) for w in READERS] + [(w, 403) for w in OUTSIDERS])
def test_body_page_per_role(client, site, who, status):
    assert as_user(client, site.user(who)).get("/governance/SOAG/").status_code == status


def test_unknown_body_is_404(client, site):
    assert as_user(client, site.user("secretariat")).get("/governance/NOPE/").status_code == 404


def test_body_page_shows_terms_people_and_quoracy(client, site):
    page = html(as_user(client, site.user("member")).get("/governance/SOAG/"))
    assert "Terms of reference" in page and "1.7" in page
    assert "Membership MH CEO and MH/LD collaborative Chair" in page
    assert "System Leaders" in page
    # every member with their nominated deputy
    for name in ("Ben ICB", "Deputy of Ben ICB", "Eve NHSE", "Deputy of Eve NHSE"):
        assert name in page
    assert "Gil Attendee" in page and "Hal Secretariat" in page
    assert "Three ICB members and one Director from NHSE/I present." in page
    # only the secretariat manages the schedule
    assert "Call an extraordinary meeting" not in page


def test_secretariat_sees_schedule_forms(client, site):
    page = html(as_user(client, site.user("secretariat")).get("/governance/SOAG/"))
    assert "Publish the annual schedule" in page and "Call an extraordinary meeting" in page


def test_secretariat_publishes_the_annual_schedule(client, site):
    c = as_user(client, site.user("secretariat"))
    response = c.post("/governance/SOAG/schedule/", {"first": "2022-04-01", "last": "2023-03-31"})
    assert response.status_code == 302
    # the last Tuesday of each month, April 2022 to March 2023 (by hand from a calendar); 27
    # December 2022 is the substitute Christmas bank holiday, so that meeting is on the 28th
    expected = [
        dt.date(2022, 4, 26), dt.date(2022, 5, 31), dt.date(2022, 6, 28), dt.date(2022, 7, 26),
        dt.date(2022, 8, 30), dt.date(2022, 9, 27), dt.date(2022, 10, 25),
        dt.date(2022, 11, 29), dt.date(2022, 12, 28), dt.date(2023, 1, 31),
        dt.date(2023, 2, 28), dt.date(2023, 3, 28),
    ]  # fmt: skip
    made = list(
        Meeting.objects.filter(body=site.soag.body, date__gte=dt.date(2022, 4, 1))
        .order_by("date")
        .values_list("date", flat=True)
    )
    assert made == expected


@pytest.mark.parametrize("who", ["chair", "member", "icb-que"])
def test_only_the_secretariat_publishes_or_calls(client, site, who):
    c = as_user(client, site.user(who))
    assert c.post("/governance/SOAG/schedule/", {"first": "2022-04-01", "last": "2023-03-31"}
                  ).status_code == 403  # fmt: skip
    day = timezone.localdate() + dt.timedelta(days=60)
    assert c.post("/governance/SOAG/extraordinary/", {"date": day, "reason": "x"}
                  ).status_code == 403  # fmt: skip
    assert Meeting.objects.count() == 1


def test_extraordinary_meeting_with_short_notice_is_refused_at_the_top(client, site):
    today = timezone.localdate()
    day = shift_working_days(today, 3)
    response = as_user(client, site.user("secretariat")).post(
        "/governance/SOAG/extraordinary/", {"date": day.isoformat(), "reason": "Winter pressures"}
    )
    assert response.status_code == 400
    page = html(response)
    summary = page.index("nhsuk-error-summary")
    assert summary < page.index("<h1")
    assert "at least 7 working days" in page[summary:]
    assert 'href="#extraordinary"' in page
    assert not Meeting.objects.filter(kind=MeetingKind.EXTRAORDINARY).exists()


def test_extraordinary_meeting_with_notice_is_called(client, site):
    day = shift_working_days(timezone.localdate(), 8)
    response = as_user(client, site.user("secretariat")).post(
        "/governance/SOAG/extraordinary/", {"date": day.isoformat(), "reason": "Winter pressures"}
    )
    meeting = Meeting.objects.get(kind=MeetingKind.EXTRAORDINARY)
    assert (
        response.status_code == 302
        and response["Location"] == f"/governance/meetings/{meeting.pk}/"
    )
    assert meeting.date == day and meeting.reason == "Winter pressures"


def test_empty_extraordinary_form_names_each_field(client, site):
    response = as_user(client, site.user("secretariat")).post("/governance/SOAG/extraordinary/", {})
    page = html(response)
    assert response.status_code == 400
    assert 'href="#id_date"' in page and 'href="#id_reason"' in page


# ----------------------------------------------------------------------------- iCalendar


def test_ics_feed_lists_published_meetings_with_london_time(client, site):
    MeetingFactory(body=site.soag.body, date=dt.date(2021, 9, 28), start_time=dt.time(10, 0))
    response = as_user(client, site.user("member")).get("/governance/SOAG/meetings.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = sorted(cal.walk("VEVENT"), key=lambda e: str(e["uid"]))
    assert len(events) == 2
    starts = sorted(
        e.decoded("dtstart") for e in events if isinstance(e.decoded("dtstart"), dt.datetime)
    )
    (start,) = starts
    assert start.isoformat() == "2021-09-28T10:00:00+01:00"  # British Summer Time
    # 28 September 2021 less 5 working days (no bank holiday between)
    assert "Papers due: 21 September 2021." in html(response).replace("\r\n ", "")
    assert PART_B_TITLE not in html(response) and PART_A_TITLE not in html(response)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_ics_feed_is_refused_to_others(client, site, who):
    response = as_user(client, site.user(who)).get("/governance/SOAG/meetings.ics")
    assert response.status_code == 403


# ----------------------------------------------------------------------------- a meeting


def meeting_url(site) -> str:
    return f"/governance/meetings/{site.soag.meeting.pk}/"


@pytest.mark.parametrize("who,status", [(w, 200) for w in READERS] + [(w, 403) for w in OUTSIDERS])
def test_meeting_page_per_role(client, site, who, status):
    assert as_user(client, site.user(who)).get(meeting_url(site)).status_code == status


def test_missing_meeting_is_404(client, site):
    response = as_user(client, site.user("secretariat")).get("/governance/meetings/999999/")
    assert response.status_code == 404


def test_meeting_page_shows_agenda_papers_and_deadlines(client, site):
    page = html(as_user(client, site.user("member")).get(meeting_url(site)))
    assert PART_A_TITLE in page and "UEC improvement plans" in page
    # 31 August 2021: papers 5 working days before (the 30th is a bank holiday), minutes 10 after
    assert "23 August 2021" in page
    assert "14 September 2021" in page


@pytest.mark.parametrize("who", ["secretariat", "chair", "member"])
def test_part_b_is_shown_to_its_audience(client, site, who):
    page = html(as_user(client, site.user(who)).get(meeting_url(site)))
    assert PART_B_TITLE in page and PART_B_PAPER in page


@pytest.mark.parametrize("who", ["attendee", "icb-que"])
def test_part_b_is_absent_from_every_page_for_others(client, site, who):
    c = as_user(client, site.user(who))
    for url in (
        meeting_url(site),
        "/governance/",
        "/governance/SOAG/",
        "/governance/SOAG/meetings.ics",
        "/governance/interests/",
    ):
        response = c.get(url)
        assert response.status_code == 200, url
        assert PART_B_TITLE not in html(response), url
        assert PART_B_PAPER not in html(response), url
        assert "Part B" not in html(response).replace("Part B items", ""), url
    item = site.part_b.pk
    meeting = site.soag.meeting.pk
    for url in (
        f"/governance/papers/{site.paper_b.pk}/versions/1/",
        f"/governance/papers/{site.paper_b.pk}/versions/new/",
        f"/governance/meetings/{meeting}/items/{item}/minute/",
        f"/governance/meetings/{meeting}/items/{item}/ruling/",
        f"/governance/meetings/{meeting}/items/{item}/papers/new/",
    ):
        assert c.get(url).status_code in (403, 404), url
        assert PART_B_TITLE not in html(c.get(url)), url


def test_an_attendee_for_the_part_b_item_sees_it(client, site):
    gil = site.soag.attendee.person
    attendance = AttendanceFactory(meeting=site.soag.meeting, person=gil)
    attendance.for_items.set([site.part_b])
    page = html(as_user(client, site.user("attendee")).get(meeting_url(site)))
    assert PART_B_TITLE in page


def test_part_b_paper_file_is_served_to_its_audience(client, site):
    response = as_user(client, site.user("member")).get(
        f"/governance/papers/{site.paper_b.pk}/versions/1/"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# ----------------------------------------------------------------------------- attendance


def mark(c, site, person, status, htmx=True, **extra):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return c.post(
        f"{meeting_url(site)}attendance/",
        {"person": person.pk, "status": status, "mode": "in_person", **extra},
        **headers,
    )


def test_marking_attendance_with_htmx_updates_quoracy_in_place(client, site):
    c = as_user(client, site.user("secretariat"))
    icb = [m.person for m in site.soag.icb]
    for person in icb[:3]:
        response = mark(c, site, person, "present")
        assert response.status_code == 200
        assert "Not quorate" in html(response)  # no NHS England director yet
    response = mark(c, site, site.soag.nhse[1].person, "present")
    part = html(response)
    assert "<html" not in part and 'id="attendance-section"' in part
    assert "Quorate:" in part and "3 ICB members" in part and "Not quorate" not in part
    # apologies from one ICB member: inquorate again, and the page says why
    part = html(mark(c, site, icb[2], "apologies"))
    assert "Not quorate" in part and "only 2 ICB members" in part


def test_a_nominated_deputy_counts_for_the_member(client, site):
    c = as_user(client, site.user("secretariat"))
    icb = site.soag.icb
    for m in icb[:2]:
        mark(c, site, m.person, "present")
    mark(c, site, site.soag.nhse[0].person, "present")
    deputy = site.soag.deputies[icb[2].person.name]
    part = html(mark(c, site, deputy, "present", deputising_for=icb[2].pk))
    assert "Not quorate" not in part and f"(deputy {deputy.name})" in part


def test_attendance_without_javascript_redirects_back(client, site):
    c = as_user(client, site.user("secretariat"))
    response = mark(c, site, site.soag.icb[0].person, "present", htmx=False)
    assert response.status_code == 302 and response["Location"].endswith("#attendance")
    assert Attendance.objects.get(person=site.soag.icb[0].person).status == "present"


@pytest.mark.parametrize("who", ["chair", "member", "attendee", "icb-que"])
def test_only_the_secretariat_marks_attendance(client, site, who):
    response = mark(as_user(client, site.user(who)), site, site.soag.icb[0].person, "present")
    assert response.status_code == 403
    assert not Attendance.objects.exists()


# ----------------------------------------------------------------------------- papers


def test_secretariat_adds_an_item_and_a_paper_with_its_cover_sheet(client, site):
    c = as_user(client, site.user("secretariat"))
    response = c.post(
        f"{meeting_url(site)}items/new/",
        {"number": "2", "title": "Planned care and diagnostics", "purpose": "assure",
         "part": "A", "kind": "standard"},
    )  # fmt: skip
    assert response.status_code == 302
    item = AgendaItem.objects.get(title="Planned care and diagnostics")
    upload = io.BytesIO(docx())
    upload.name = "planned-care.docx"
    response = c.post(
        f"{meeting_url(site)}items/{item.pk}/papers/new/",
        {
            "title": "Planned care recovery",
            "report_purpose": "assure",
            "presented_before": "FPPG, 2021-08-12",
            "purpose": "To set out the recovery approach.",
            "recommendation": "SOAG is asked to note the approach.",
            "file": upload,
        },
    )
    assert response.status_code == 302
    paper = Paper.objects.get(title="Planned care recovery")
    assert paper.presented_before == [{"body": "FPPG", "date": "2021-08-12"}]
    assert paper.versions.get().file_type == "docx"
    page = html(c.get(meeting_url(site)))
    assert "FPPG (2021-08-12)" in page and "SOAG is asked to note the approach." in page


def test_a_paper_of_the_wrong_type_is_refused_with_the_reason(client, site):
    c = as_user(client, site.user("secretariat"))
    upload = io.BytesIO(b"just text")
    upload.name = "notes.txt"
    response = c.post(f"/governance/papers/{site.paper_a.pk}/versions/new/", {"file": upload})
    assert response.status_code == 400
    page = html(response)
    assert "nhsuk-error-summary" in page and "notes.txt" in page and "PDF" in page
    assert site.paper_a.versions.count() == 1


def test_a_pdf_named_docx_is_refused(client, site):
    upload = io.BytesIO(PDF)
    upload.name = "plan.docx"
    response = as_user(client, site.user("secretariat")).post(
        f"/governance/papers/{site.paper_a.pk}/versions/new/", {"file": upload}
    )
    assert response.status_code == 400 and "not a .docx" in html(response)


def test_an_oversized_paper_is_refused(client, site, settings):
    settings.GOVERNANCE_MAX_PAPER_BYTES = 10
    upload = io.BytesIO(PDF)
    upload.name = "plan.pdf"
    response = as_user(client, site.user("secretariat")).post(
        f"/governance/papers/{site.paper_a.pk}/versions/new/", {"file": upload}
    )
    assert response.status_code == 400 and "limit" in html(response)


def test_a_new_version_keeps_the_old_one(client, site):
    upload = io.BytesIO(PDF)
    upload.name = "plan-v2.pdf"
    c = as_user(client, site.user("secretariat"))
    response = c.post(
        f"/governance/papers/{site.paper_a.pk}/versions/new/", {"file": upload, "note": "Typos"}
    )
    assert response.status_code == 302
    assert list(site.paper_a.versions.values_list("number", flat=True)) == [2, 1]
    page = html(c.get(meeting_url(site)))
    assert "Version 2: plan-v2.pdf" in page and "Version 1: paper.pdf" in page


def test_the_chair_agrees_a_late_paper_as_urgent(client, site):
    # the meeting (31 August 2021) is long past: an unissued paper is late
    response = as_user(client, site.user("chair")).post(
        f"/governance/papers/{site.paper_a.pk}/urgent/"
    )
    assert response.status_code == 302
    site.paper_a.refresh_from_db()
    assert site.paper_a.urgent and site.paper_a.urgent_agreed_by.name == "Ada Chair"


@pytest.mark.parametrize("who", ["secretariat", "member"])
def test_only_the_chair_agrees_urgent_papers(client, site, who):
    response = as_user(client, site.user(who)).post(f"/governance/papers/{site.paper_a.pk}/urgent/")
    assert response.status_code == 403
    site.paper_a.refresh_from_db()
    assert not site.paper_a.urgent


def test_issuing_a_late_paper_is_refused_at_the_top(client, site):
    c = as_user(client, site.user("secretariat"))
    response = c.post(f"/governance/papers/{site.paper_a.pk}/issue/", follow=True)
    page = html(response)
    assert page.index("nhsuk-error-summary") < page.index("<h1")
    assert "urgent paper with the chair" in page


# ----------------------------------------------------------------------------- conflicts


def test_the_chair_excludes_a_conflicted_member_with_a_deputy(client, site):
    ben = site.soag.icb[1].person
    DeclarationFactory(person=ben, organisation=site.part_b.organisation)
    deputy = site.soag.deputies[ben.name]
    c = as_user(client, site.user("chair"))
    url = f"{meeting_url(site)}items/{site.part_b.pk}/ruling/"
    assert c.get(url).status_code == 200
    response = c.post(
        url, {"person": ben.pk, "ruling": "excluded", "deputy": deputy.pk, "reason": "CEO"}
    )
    assert response.status_code == 302
    ruling = ConflictRuling.objects.get()
    assert ruling.ruling == Ruling.EXCLUDED and ruling.deputy == deputy
    assert ruling.declaration.person == ben
    page = html(c.get(meeting_url(site)))
    assert "Excluded from the item" in page and deputy.name in page


def test_a_deputy_for_a_member_who_participates_is_refused(client, site):
    ben = site.soag.icb[1].person
    response = as_user(client, site.user("chair")).post(
        f"{meeting_url(site)}items/{site.part_a.pk}/ruling/",
        {"person": ben.pk, "ruling": "participates", "deputy": site.soag.deputies[ben.name].pk},
    )
    assert response.status_code == 400
    assert "only when the chair excludes" in html(response)


@pytest.mark.parametrize("who", ["secretariat", "member"])
def test_only_the_chair_rules(client, site, who):
    url = f"{meeting_url(site)}items/{site.part_a.pk}/ruling/"
    assert as_user(client, site.user(who)).get(url).status_code == 403


def test_declarations_asked_is_recorded(client, site):
    response = as_user(client, site.user("secretariat")).post(f"{meeting_url(site)}declarations/")
    assert response.status_code == 302
    site.soag.meeting.refresh_from_db()
    assert site.soag.meeting.declarations_asked_at is not None


# ----------------------------------------------------------------------------- minutes


def quorate(site):
    for m in [*site.soag.icb[:3], site.soag.nhse[1]]:
        AttendanceFactory(meeting=site.soag.meeting, person=m.person)


def test_no_decision_is_minuted_when_inquorate(client, site):
    c = as_user(client, site.user("secretariat"))
    assert c.post(f"{meeting_url(site)}minutes/").status_code == 302
    response = c.post(
        f"{meeting_url(site)}items/{site.part_a.pk}/minute/",
        {"discussion": "Plans set out.", "decision": "Plans agreed."},
    )
    assert response.status_code == 400
    page = html(response)
    assert "No decision can be recorded" in page
    assert page.index("nhsuk-error-summary") < page.index("<h1")


def test_minutes_from_draft_to_a_second_version(client, site):
    quorate(site)
    later = MeetingFactory(body=site.soag.body, date=dt.date(2021, 9, 28))
    for m in [*site.soag.icb[:3], site.soag.nhse[1]]:
        AttendanceFactory(meeting=later, person=m.person)
    c = as_user(client, site.user("secretariat"))
    c.post(f"{meeting_url(site)}minutes/")
    response = c.post(
        f"{meeting_url(site)}items/{site.part_a.pk}/minute/",
        {
            "discussion": "North and South ICPs set out their plans.",
            "decision": "Improvement plans agreed.",
            "assurance": "partial",
            "escalate_to_board": "on",
            "escalation": "Workforce availability",
        },
    )
    assert response.status_code == 302
    page = html(c.get(meeting_url(site)))
    assert "Improvement plans agreed. (by consensus)" in page and "Partial" in page
    assert "Workforce availability" in page
    assert c.post(f"{meeting_url(site)}minutes/issue/").status_code == 302
    c.post(f"{meeting_url(site)}minutes/approve/", {"at_meeting": later.pk})
    c.post(f"{meeting_url(site)}minutes/publish/")
    assert Minutes.objects.get().status == MinutesStatus.PUBLISHED
    c.post(f"{meeting_url(site)}minutes/amend/", {"reason": "Name of the presenter corrected"})
    new = Minutes.objects.get(version=2)
    assert new.status == MinutesStatus.DRAFT and new.changed_by.username == "secretariat"
    page = html(c.get(meeting_url(site)))
    assert "Name of the presenter corrected" in page and "Improvement plans agreed." in page


def test_a_minute_raises_a_soag_action(client, site):
    quorate(site)
    site.part_a.organisation = OrganisationFactory(ods_code="RGT", name="Cambridge University")
    site.part_a.save()
    c = as_user(client, site.user("secretariat"))
    c.post(f"{meeting_url(site)}minutes/")
    response = c.post(
        f"{meeting_url(site)}items/{site.part_a.pk}/minute/action/",
        {"kind": "plan", "title": "UEC recovery plan", "owner": "member",
         "due": "2021-10-31"},
    )  # fmt: skip
    assert response.status_code == 302, html(response)
    entry = Minutes.objects.get().entries.get(item=site.part_a)
    (action,) = entry.actions.all()
    assert action.title == "UEC recovery plan" and action.organisation.ods_code == "RGT"
    assert "UEC recovery plan" in html(c.get(meeting_url(site)))


@pytest.mark.parametrize("who", ["chair", "member"])
def test_only_the_secretariat_writes_minutes(client, site, who):
    c = as_user(client, site.user(who))
    assert c.post(f"{meeting_url(site)}minutes/").status_code == 403
    assert not Minutes.objects.exists()


# ----------------------------------------------------------------------------- interests


def test_register_of_interests_filters_and_flags_reviews(client, site):
    ben = site.soag.icb[1].person
    DeclarationFactory(person=ben, description="Non-executive of a provider")
    DeclarationFactory(
        person=site.soag.nhse[0].person,
        description="Former director of a trust",
        ended_on=dt.date(2022, 1, 1),
    )
    c = as_user(client, site.user("member"))
    page = html(c.get("/governance/interests/"))
    assert "Non-executive of a provider" in page and "Former director of a trust" not in page
    assert "Review due" in page  # declared 1 August 2021, never reviewed
    page = html(c.get("/governance/interests/?status=ended"))
    assert "Former director of a trust" in page and "Non-executive of a provider" not in page
    page = html(c.get(f"/governance/interests/?person={site.soag.nhse[0].person.pk}&status=all"))
    assert "Former director of a trust" in page and "Non-executive" not in page
    page = html(c.get("/governance/interests/?body=SOAG"))
    assert "Non-executive of a provider" in page


def test_register_of_interests_is_refused_without_a_role(client, site):
    assert as_user(client, site.outsider).get("/governance/interests/").status_code == 403


def test_a_refused_attendance_says_why_in_its_row(client, site):
    ben = site.soag.icb[1]
    response = mark(as_user(client, site.user("secretariat")), site, ben.person, "present",
                    deputising_for=ben.pk)  # fmt: skip
    part = html(response)
    assert response.status_code == 200
    assert "A member cannot deputise for themselves." in part
    assert not Attendance.objects.exists()


def test_a_paper_file_missing_from_storage_is_404(client, site):
    site.paper_a.versions.get().file.delete(save=False)
    response = as_user(client, site.user("member")).get(
        f"/governance/papers/{site.paper_a.pk}/versions/1/"
    )
    assert response.status_code == 404


def test_terms_document_is_served_through_the_body_permission(client, site):
    from django.core.files.base import ContentFile

    terms = site.soag.body.terms.get()
    terms.document.save("soag-tor-v1.7.pdf", ContentFile(PDF))
    url = "/governance/SOAG/terms/1.7/document/"
    response = as_user(client, site.user("member")).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert as_user(client, site.outsider).get(url).status_code == 403


def test_body_schedule_by_financial_year(client, site):
    MeetingFactory(body=site.soag.body, date=dt.date(2022, 4, 26))
    c = as_user(client, site.user("member"))
    page = html(c.get("/governance/SOAG/?year=2021/22"))
    assert f'href="/governance/meetings/{site.soag.meeting.pk}/"' in page
    assert "26 April 2022" not in page
    assert 'href="?year=2022/23#schedule"' in page
    page = html(c.get("/governance/SOAG/?year=2022/23"))
    assert "26 April 2022" in page and "31 August 2021" not in page
    assert c.get("/governance/SOAG/?year=nonsense").status_code == 200


def test_terms_responsibilities_and_versions_on_the_body_page(client, site):
    terms = site.soag.body.terms.get()
    terms.responsibilities = ["I. lead the development of a dashboard", "VI. discharge duties"]
    terms.save()
    page = html(as_user(client, site.user("member")).get("/governance/SOAG/"))
    assert "I. lead the development of a dashboard" in page and "Review overdue" in page


def test_bodies_and_meetings_link_to_their_pages(db) -> None:
    """Reminders and lists link with get_absolute_url: the namespaced page names."""
    from tests.factories import BodyFactory, MeetingFactory

    body = BodyFactory(short_name="SOAG")
    meeting = MeetingFactory(body=body)
    assert body.get_absolute_url() == "/governance/SOAG/"
    assert meeting.get_absolute_url() == f"/governance/meetings/{meeting.pk}/"


def test_the_secretariat_records_ends_and_reviews_interests_on_the_register(client, site):
    from oversight.governance.models import Declaration

    ben = site.soag.icb[1].person
    member = as_user(client, site.user("member"))
    assert "Record a declaration" not in html(member.get("/governance/interests/"))
    assert member.post("/governance/interests/", {}).status_code == 403
    c = as_user(client, site.user("secretariat"))
    assert "Record a declaration" in html(c.get("/governance/interests/"))
    refused = c.post("/governance/interests/", {"declare-person": ben.pk, "declare-kind": "x"})
    assert refused.status_code == 200 and "There is a problem" in html(refused)
    assert not Declaration.objects.exists()
    made = c.post("/governance/interests/", {
        "declare-person": ben.pk, "declare-kind": "professional", "declare-financial": "on",
        "declare-description": "Adviser to a digital supplier",
        "declare-declared_on": "2021-09-01",
    })
    assert made.status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.financial and declaration.history.first().history_user.username == (
        "secretariat")
    c.post(f"/governance/interests/{declaration.pk}/review/", {"on": "2022-08-30"})
    too_early = c.post(f"/governance/interests/{declaration.pk}/end/", {"on": "2021-01-01"})
    assert "cannot end before it was declared" in html(c.get(too_early.url))
    c.post(f"/governance/interests/{declaration.pk}/end/", {"on": "2022-12-31"})
    declaration.refresh_from_db()
    assert declaration.reviewed_on == dt.date(2022, 8, 30)
    assert declaration.ended_on == dt.date(2022, 12, 31)


def test_the_secretariat_marks_which_items_someone_attends_for(client, site):
    """Attendance for which items is set from the page (none ticked: the whole meeting), and
    marking the same person again keeps what is ticked."""
    from oversight.governance.models import Attendance

    guest = site.soag.icb[0].person
    c = as_user(client, site.user("secretariat"))
    page = html(c.get(f"/governance/meetings/{site.soag.meeting.pk}/"))
    assert f'name="for_items" value="{site.part_a.pk}"' in page
    mark(c, site, guest, "present", for_items=[site.part_a.pk])
    attendance = Attendance.objects.get(person=guest)
    assert list(attendance.for_items.all()) == [site.part_a]
    mark(c, site, guest, "present")  # a client without the item boxes keeps the items
    assert list(attendance.for_items.all()) == [site.part_a]
    mark(c, site, guest, "present", items_shown="1")  # none ticked now: the whole meeting
    assert not attendance.for_items.exists()
