"""The delegation forms on the web against the database: a business case through every step by
the secretariats of the deciding bodies, sign-offs before the committee and the final sign-off,
urgent decisions with consultation and ratification, disputes to the regional Bipartite, and
decisions minuted under a matter; bad input and refusals come back as the form's errors (400),
and anyone the rules do not allow gets 403."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.delegation.models import (
    BusinessCase,
    CaseStatus,
    Consultation,
    Dispute,
    MinutedDecision,
    Ratification,
    UrgentDecision,
)
from oversight.delegation.scheme import load_scheme
from oversight.governance.meetings import record_attendance
from oversight.governance.minutes import draft_minutes
from oversight.governance.models import Position
from tests.factories import (
    AgendaItemFactory,
    BodyFactory,
    BusinessCaseFactory,
    ConflictRulingFactory,
    DisputeFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2022, 2, 1)
SCORES = {"score_priorities": 4, "score_quality": 4, "score_return": 3, "score_deliverability": 4}


@pytest.fixture
def world():
    """The deciding bodies, each with a member at a past meeting and one secretariat user for
    them all; two trusts."""
    secretary = UserFactory(username="secretary")
    person = PersonFactory(user=secretary, name="The Secretary")
    meetings = {}
    for short, kind in [("HCE", "executive"), ("CAG", "advisory_group"), ("FPPG", "finance_group"),
                        ("IC", "investment_committee"), ("DEG", "delivery_group"),
                        ("SPB", "board")]:  # fmt: skip
        body = BodyFactory(short_name=short, name=f"The {short}", kind=kind)
        member = MembershipFactory(body=body)
        MembershipFactory(body=body, person=person, position=Position.SECRETARIAT)
        meeting = MeetingFactory(body=body, date=DAY)
        record_attendance(meeting, member.person)
        meetings[short] = meeting
    orgs = [OrganisationFactory(name="Trust A"), OrganisationFactory(name="Trust B")]
    return {"secretary": secretary, "meetings": meetings, "orgs": orgs,
            "reader": RoleFactory().user}  # fmt: skip


def _post(client, url, data, status=302):
    response = client.post(url, data)
    html = response.content.decode()
    problems = html[html.find("nhsuk-error-summary__list") :][:600]
    assert response.status_code == status, problems
    return response


def test_a_case_through_every_step_on_the_web(client, world):
    m, orgs = world["meetings"], world["orgs"]
    client.force_login(world["secretary"])
    # Bad input: no organisations named, a negative amount.
    html = _post(client, "/governance/business-cases/new/",
                 {"title": "Frailty", "route": "sif", "amount_asked": "-5",
                  "delivery_group": m["DEG"].body.pk}, 400).content.decode()  # fmt: skip
    assert "nhsuk-error-summary" in html and "Ensure this value is greater than" in html
    response = _post(client, "/governance/business-cases/new/", {
        "title": "Frailty virtual ward", "route": "sif", "amount_asked": "500000",
        "delivery_group": m["DEG"].body.pk, "organisations": [o.pk for o in orgs]})  # fmt: skip
    case = BusinessCase.objects.get(title="Frailty virtual ward")
    assert response["Location"] == f"/governance/business-cases/{case.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Record: set clinical vision" in page
    url = f"/governance/business-cases/{case.pk}/"
    # The wrong body's meeting is not a choice: refused on the form, nothing recorded.
    html = _post(client, url + "step/", {"meeting": m["HCE"].pk, "reason": "x"}, 400)
    assert "Select a valid choice" in html.content.decode() and not case.decisions.exists()
    for short in ["CAG", "HCE", "DEG", "CAG", "FPPG", "DEG"]:
        _post(client, url + "step/", {"meeting": m[short].pk, "reason": f"{short} agrees"})
    case.refresh_from_db()
    assert case.status == CaseStatus.FULL_CASE
    # The committee before the sign-offs: refused, said on the form.
    html = _post(
        client,
        url + "evaluate/",
        {"meeting": m["IC"].pk, "outcome": "full", "reason": "Fit", **SCORES},
        400,
    ).content.decode()
    assert "waiting for Trust A, Trust B" in html
    for org in orgs:
        _post(client, url + "sign-off/", {"organisation": org.pk, "authority": "Board",
                                          "signed_on": "2022-02-01"})  # fmt: skip
    html = _post(client, url + "evaluate/", {"meeting": m["IC"].pk, "outcome": "full",
                                             "reason": "Fit", **SCORES, "score_return": 9},
                 400).content.decode()  # fmt: skip
    assert "less than or equal to 5" in html
    _post(
        client,
        url + "evaluate/",
        {
            "meeting": m["IC"].pk,
            "outcome": "part",
            "amount_awarded": "200000",
            "reason": "Pilot",
            **SCORES,
        },
    )
    _post(client, url + "step/", {"meeting": m["HCE"].pk, "reason": "Approved as funded"})
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVAL and case.amount_awarded == 200000
    assert "Record: final formal sign-off" in client.get(url).content.decode()
    for org in orgs:
        _post(
            client,
            url + "sign-off/",
            {
                "organisation": org.pk,
                "authority": "Board",
                "signed_on": dt.date.today().isoformat(),
            },
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNED_OFF
    assert set(case.decisions.values_list("decided_by__username", flat=True)) == {"secretary"}
    # Complete: the step page says so instead of a form.
    response = client.get(url + "step/")
    assert response.status_code == 302 and response["Location"] == url


def test_a_step_under_an_item_shows_the_member_excluded(client, world):
    m, orgs = world["meetings"], world["orgs"]
    case = BusinessCaseFactory(delivery_group=m["DEG"].body)
    case.affected_organisations.set(orgs)
    cag = m["CAG"]
    extra = MembershipFactory(body=cag.body, person=PersonFactory(name="Dr Conflicted"))
    record_attendance(cag, extra.person)
    record_attendance(cag, MembershipFactory(body=cag.body).person)  # 2 of 3 decide
    item = AgendaItemFactory(meeting=cag, title="Frailty business case")
    ConflictRulingFactory(item=item, person=extra.person, ruling="excluded")
    client.force_login(world["secretary"])
    url = f"/governance/business-cases/{case.pk}/"
    # Picking the meeting (HTMX sends it) offers only its agenda items.
    other_meeting = MeetingFactory(body=cag.body, date=DAY.replace(day=2))
    other = AgendaItemFactory(meeting=other_meeting)
    html = client.get(url + f"step/?meeting={cag.pk}", HTTP_HX_REQUEST="true").content.decode()
    assert "Frailty business case" in html and other.title not in html
    assert 'hx-get=""' in html and 'hx-select="#id_item"' in html
    # An item of another meeting is refused on the form.
    html = _post(client, url + "step/", {"meeting": cag.pk, "item": other.pk, "reason": "x"}, 400)
    assert "on the agenda of another meeting" in html.content.decode()
    _post(client, url + "step/", {"meeting": cag.pk, "item": item.pk, "reason": "Vision set"})
    page = client.get(url).content.decode()
    assert "Dr Conflicted has a conflict of interest" in page
    assert "excluded them from the item" in page


def test_who_may_record(client, world):
    case = BusinessCaseFactory(delivery_group=world["meetings"]["DEG"].body)
    case.affected_organisations.set(world["orgs"])
    client.force_login(world["reader"])
    for url in ["/governance/business-cases/new/", f"/governance/business-cases/{case.pk}/step/",
                f"/governance/business-cases/{case.pk}/sign-off/",
                "/governance/urgent-decisions/new/"]:  # fmt: skip
        assert client.get(url).status_code == 403, url
    page = client.get(f"/governance/business-cases/{case.pk}/").content.decode()
    assert "Record:" not in page
    assert client.post(f"/governance/business-cases/{case.pk}/step/").status_code == 403


def test_an_urgent_decision_from_proposal_to_ratification(client, world):
    orgs = world["orgs"]
    client.force_login(world["secretary"])
    html = _post(
        client,
        "/governance/urgent-decisions/new/",
        {"title": "Beds", "decision": "Open beds", "reason": "Occupancy"},
        400,
    )
    assert "This field is required" in html.content.decode()
    _post(client, "/governance/urgent-decisions/new/", {
        "title": "Winter beds", "decision": "Open 24 beds", "reason": "Occupancy above 97%",
        "partners": [o.pk for o in orgs]})  # fmt: skip
    urgent = UrgentDecision.objects.get()
    base = f"/governance/urgent-decisions/{urgent.pk}/"
    html = _post(client, base + "take/", {"taken_on": "2022-12-20"}, 400).content.decode()
    assert "Not yet consulted: Chair of Trust A" in html
    for org in orgs:
        for role in ["chair", "chief_executive", "director_of_finance"]:
            _post(client, base + "consult/", {"organisation": org.pk, "role": role,
                                              "person": f"{role} {org.name}",
                                              "consulted_on": "2022-12-19"})  # fmt: skip
    assert Consultation.objects.count() == 6
    _post(client, base + "take/", {"taken_on": "2022-12-20"})
    html = _post(
        client,
        base + "report/",
        {"organisation": orgs[0].pk, "forum": "Board", "meeting_on": "2022-12-01"},
        400,
    ).content.decode()
    assert "on or after the day the decision was taken" in html
    for org, day in zip(orgs, ["2023-01-12", "2023-01-26"], strict=True):
        _post(client, base + "report/", {"organisation": org.pk, "forum": "Board",
                                         "meeting_on": day})  # fmt: skip
    first = Ratification.objects.get(organisation=orgs[0])
    _post(client, base + "ratify/", {"ratification": first.pk, "ratified_on": "2023-01-12"})
    page = client.get("/governance/urgent-decisions/").content.decode()
    assert "Ratified 12 Jan 2023" in page and "Overdue" in page  # Trust B's meeting has passed


def test_disputes_referred_and_resolved(client, world):
    hce = world["meetings"]["HCE"].body
    client.force_login(world["reader"])  # the regional team records them too
    html = _post(client, "/governance/disputes/new/", {
        "title": "Savings split", "issue": "Who keeps the savings", "raised_in": hce.pk,
        "local_attempts": " ", "referred_on": "2022-07-01"}, 400).content.decode()  # fmt: skip
    assert "This field is required" in html
    _post(client, "/governance/disputes/new/", {
        "title": "Savings split", "issue": "Who keeps the savings", "raised_in": hce.pk,
        "local_attempts": "Two HCE meetings", "referred_on": "2022-07-01"})  # fmt: skip
    dispute = Dispute.objects.get()
    url = f"/governance/disputes/{dispute.pk}/outcome/"
    html = _post(client, url, {"outcome": "Shared", "outcome_on": "2022-06-01"}, 400)
    assert "cannot come before the referral" in html.content.decode()
    _post(client, url, {"outcome": "Shared by cost", "outcome_on": "2022-07-20"})
    assert "Shared by cost" in client.get("/governance/disputes/").content.decode()
    [api] = client.get("/api/delegation/disputes").json()
    assert (api["raised_in"], api["outcome"], api["outcome_on"]) == (
        "The HCE", "Shared by cost", "2022-07-20")  # fmt: skip
    soag = RoleFactory(kind="soag_member", region=None).user
    client.force_login(soag)
    assert client.get("/governance/disputes/").status_code == 200
    assert client.get(url).status_code == 403
    assert client.get(f"/governance/disputes/{DisputeFactory().pk + 1}/outcome/").status_code in (
        403, 404)  # fmt: skip


def test_a_decision_minuted_under_its_matter_shows_on_the_matter_page(client, world):
    scheme = load_scheme(approved_on=dt.date(2017, 11, 30))
    hce = world["meetings"]["HCE"]
    item = AgendaItemFactory(meeting=hce, title="Frailty business case")
    excluded = MembershipFactory(body=hce.body, person=PersonFactory(name="Dr Excluded"))
    record_attendance(hce, excluded.person)
    record_attendance(hce, MembershipFactory(body=hce.body).person)  # 2 of 3 decide
    ConflictRulingFactory(item=item, person=excluded.person, ruling="excluded")
    draft_minutes(hce)
    matter = scheme.matters.get(text__startswith="To approve business cases")
    statutory = scheme.matters.filter(holder__statutory=True).first()
    url = f"/governance/delegation/meetings/{hce.pk}/items/{item.pk}/decision/"
    client.force_login(world["secretary"])
    assert client.get(url).status_code == 200
    # A statutory organisation's matter is no choice of a partnership body.
    html = _post(client, url, {"matter": statutory.pk, "decision": "x"}, 400).content.decode()
    assert "Select a valid choice" in html
    # Outside the body's delegation: refused, naming the holder.
    cag_matter = scheme.matters.filter(holder__body=world["meetings"]["CAG"].body).first()
    html = _post(client, url, {"matter": cag_matter.pk, "decision": "Agreed"}, 400)
    assert "Record it as a recommendation to them" in html.content.decode()
    _post(client, url, {"matter": matter.pk, "decision": "Business case approved"})
    assert MinutedDecision.objects.get().outcome == "decision"
    client.force_login(world["reader"])
    page = client.get(f"/governance/delegation/matters/{matter.pk}/").content.decode()
    assert "Business case approved" in page and "Dr Excluded has a conflict of interest" in page
    [api] = client.get(f"/api/delegation/matters/{matter.pk}").json()["decisions"]
    assert (api["outcome"], api["decision"], api["body"]) == (
        "decision", "Business case approved", "The HCE")  # fmt: skip
    assert api["conflicts"][0].startswith("Dr Excluded has a conflict of interest")
    assert client.get(url).status_code == 403


def test_an_inquorate_meeting_minutes_no_decision_under_a_matter(client, world):
    scheme = load_scheme(approved_on=dt.date(2017, 11, 30))
    hce = world["meetings"]["HCE"]
    MembershipFactory(body=hce.body)
    MembershipFactory(body=hce.body)  # 1 of 3 members present
    item = AgendaItemFactory(meeting=hce)
    draft_minutes(hce)
    matter = scheme.matters.get(text__startswith="To approve business cases")
    client.force_login(world["secretary"])
    url = f"/governance/delegation/meetings/{hce.pk}/items/{item.pk}/decision/"
    html = _post(client, url, {"matter": matter.pk, "decision": "Approved"}, 400).content.decode()
    assert "No decision can be recorded" in html and not MinutedDecision.objects.exists()


def test_an_improvement_project_from_design_to_deploy(client, world):
    from oversight.delegation.models import ImprovementProject

    deg = world["meetings"]["DEG"].body
    client.force_login(world["secretary"])
    _post(client, "/governance/business-cases/projects/new/",
          {"title": "Falls prevention", "group": deg.pk})  # fmt: skip
    project = ImprovementProject.objects.get()
    base = f"/governance/business-cases/projects/{project.pk}/"
    hce = world["meetings"]["HCE"]
    html = _post(client, base + "sign-off/", {"meeting": hce.pk}, 400).content.decode()
    assert "needs an executive senior responsible officer before sign-off" in html
    html = _post(client, base + "advance/", {"reason": "Ready"}, 400).content.decode()
    assert "sign-off to leave Design" in html
    sro = PersonFactory(name="Director of Strategy")
    _post(client, base + "allocate/", {"group": deg.pk, "sro": sro.pk})
    _post(client, base + "sign-off/", {"meeting": hce.pk})
    for reason in ["Design complete", "Pilot evaluated"]:
        _post(client, base + "advance/", {"reason": reason})
    project.refresh_from_db()
    assert (project.stage, project.sro, project.signed_off_at_meeting) == ("deploy", sro, hce)
    client.force_login(world["reader"])
    assert client.get(base + "advance/").status_code == 403
    assert client.get(base + "sign-off/").status_code == 403
