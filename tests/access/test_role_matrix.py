"""Every role against every page, API endpoint and export that can show what is not public.

The world: an organisation (RGT) whose own user loaded a batch that is not yet published, in a
system (QUE) of a region (Y61). Users of every role, including the regional team of another
region, the ICB team and an organisation of another system and a SOAG member, ask each URL; the
table says what each must get: a status, and whether the unpublished figure (88.5%) or the
batch's name may appear. A new page that shows stored data goes in URLS; a governance Part B
URL goes in the same table with its audience.

Expected values are the rules, not the code's answers:

- Unpublished data (docs/importing.md, "Publication"): before publication only the loader's
  organisation, the ICB team of its system, the regional team of its region and administrators
  see it.
- Governance (governance/rules.py, docs/governance.md): a body's business is read by its
  members, attendees and secretariat and by users whose roles reach the body's system (an
  organisation user through its organisation); others are refused (403 on a page, 404 from the
  API). A Part B item, its papers and minutes are seen by the meeting's members, the item's
  attendees and the secretariat only: not even an administrator or the ICB team sees its title,
  and its paper is not there (404) for anyone else who may read the meeting.
- Risks (docs/risks.md): the regional team, ICB team and SOAG members see every risk of the
  systems their roles reach; an organisation user sees its own organisation's risks and
  system-wide ones, never another trust's.
- Development plans (docs/development.md): everyone whose roles reach the plan's system.
- The scheme of delegation (docs/delegation.md): anyone signed in.
- Background jobs (docs/jobs.md): a job's page, progress, file and the upload page that shows
  it are seen by the person who started it only (404 for anyone else: nobody learns the job
  exists); the upload page first asks for the loader's permission (403 for a SOAG member).
  Every URL that names a job (its id is a UUID) must be in the table
  (test_every_job_url_is_in_the_table).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from oversight.access.models import Role
from oversight.governance.models import BodyKind
from oversight.reports.issue import issue
from tests.factories import (
    AgendaItemFactory,
    BodyFactory,
    JobFactory,
    MatterFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PaperFactory,
    PaperVersionFactory,
    PersonFactory,
    PlanFactory,
    ReportFactory,
    RiskFactory,
    RoleFactory,
    SystemFactory,
)
from tests.metrics.test_publication import NEW, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

#: Who sees the organisation's unpublished data (docs/importing.md).
SEE_UNPUBLISHED = {"loader", "icb", "regional", "admin"}
ROLES = ["loader", "icb", "regional", "admin", "soag", "other_icb", "other_regional",
         "other_organisation", "anonymous"]
#: Roles that may not see RGT at all (their scope is elsewhere).
OUT_OF_SCOPE = {"other_icb", "other_regional", "other_organisation"}
#: The audience of the SOAG meeting's Part B item: the SOAG member sits on the body.
PART_B_AUDIENCE = {"soag"}
PART_B_TITLE = "Regulatory undertakings of a named provider"
#: Who sees a risk of another trust in the system (RGN's): the system's teams, not RGT's user.
OTHER_TRUST_RISK = "Ambulance handover delays at RGN"
SEE_SYSTEM_RISKS = {"icb", "regional", "admin", "soag"}
#: What the jobs say, seen by whoever started each only: the loader's upload, the regional
#: team's report issue and the SOAG member's Part B meeting pack (its file holds the Part B title).
UPLOAD_JOB = "Load rgt-june-unpublished.csv"
REPORT_JOB = "Issue the SOAG overview to the board"
PACK_JOB = "Part B meeting pack: SOAG"


@dataclass(frozen=True)
class Url:
    """A URL and what each role gets from it: ``status`` by role (default ``default``), and
    whether the unpublished figure or batch must be absent from what a 200 returns."""

    path: str
    status: dict[str, int] = field(default_factory=dict)
    default: int = 200
    #: Text only ``audience`` may receive ("{batch}" and "{observation}" are filled).
    secret: str = NEW
    audience: frozenset[str] = frozenset(SEE_UNPUBLISHED)
    #: The secret must be in what the audience gets (so the row can tell hiding from absence).
    shown: bool = False

    def expected(self, role: str) -> int:
        if role == "anonymous":
            return self.status.get(role, 401 if self.path.startswith("/api/") else 302)
        return self.status.get(role, self.default)


REFUSED = {r: 403 for r in ["soag", *OUT_OF_SCOPE]}
#: Only the administrator records under the scheme of delegation in this world.
RECORDERS = {r: 403 for r in ROLES if r not in ("admin", "anonymous")}
#: Who prepares and issues board reports: the regional team and administrators.
PREPARERS_ONLY = {r: 403 for r in ROLES if r not in ("regional", "admin", "anonymous")}
URLS = [
    Url("/"),
    Url("/organisations/RGT/", {r: 403 for r in OUT_OF_SCOPE}),
    Url("/organisations/RGT/metrics/OF0001/", {r: 403 for r in OUT_OF_SCOPE}),
    Url("/systems/QUE/", {r: 403 for r in OUT_OF_SCOPE}),
    Url("/systems/QUE/icons/", {r: 403 for r in OUT_OF_SCOPE}),
    Url("/organisations/"),
    Url("/imports/", {"soag": 403}, secret='href="/imports/{batch}/"'),
    Url("/imports/{batch}/", REFUSED),
    Url("/imports/observations/{observation}/", REFUSED),
    Url("/api/support/actions"),
    Url("/api/support/cases"),
    Url("/api/support/rsp"),
    # Governance: the SOAG of QUE, its meeting with a Part B item and that item's paper.
    Url("/governance/", secret=PART_B_TITLE, audience=PART_B_AUDIENCE),
    Url("/governance/SOAG/", {r: 403 for r in OUT_OF_SCOPE}, secret=PART_B_TITLE,
        audience=PART_B_AUDIENCE),
    Url("/governance/meetings/{soag_meeting}/", {r: 403 for r in OUT_OF_SCOPE}, secret=PART_B_TITLE,
        audience=PART_B_AUDIENCE, shown=True),
    Url("/governance/papers/{part_b_paper}/versions/1/",
        {r: 403 for r in OUT_OF_SCOPE} | {"loader": 404, "icb": 404, "regional": 404,
                                          "admin": 404}),
    Url("/governance/SOAG/meetings.ics", {r: 403 for r in OUT_OF_SCOPE}, secret=PART_B_TITLE,
        audience=PART_B_AUDIENCE),
    Url("/api/governance/bodies", secret=PART_B_TITLE, audience=PART_B_AUDIENCE),
    Url("/api/governance/bodies/SOAG/meetings", {r: 404 for r in OUT_OF_SCOPE},
        secret=PART_B_TITLE, audience=PART_B_AUDIENCE),
    Url("/api/governance/meetings/{soag_meeting}/agenda", {r: 404 for r in OUT_OF_SCOPE},
        secret=PART_B_TITLE, audience=PART_B_AUDIENCE, shown=True),
    # Risks: RGT's own risk, and RGN's (another trust of the same system).
    Url("/risks/?system=QUE", secret=OTHER_TRUST_RISK, audience=SEE_SYSTEM_RISKS, shown=True),
    Url("/risks/{rgt_risk}/", {r: 403 for r in OUT_OF_SCOPE}),
    Url("/risks/{rgn_risk}/", {r: 403 for r in [*OUT_OF_SCOPE, "loader"]}),
    Url("/risks/export.csv?system=QUE", {r: 404 for r in OUT_OF_SCOPE}, secret=OTHER_TRUST_RISK,
        audience=SEE_SYSTEM_RISKS, shown=True),
    Url("/api/risks/?system=QUE", secret=OTHER_TRUST_RISK, audience=SEE_SYSTEM_RISKS,
        shown=True),
    Url("/api/risks/{rgt_risk}", {r: 404 for r in OUT_OF_SCOPE}),
    Url("/api/risks/{rgn_risk}", {r: 404 for r in [*OUT_OF_SCOPE, "loader"]}),
    # Development: QUE's plan.
    Url("/development/"),
    Url("/development/{plan}/", {r: 403 for r in OUT_OF_SCOPE}),
    Url("/api/development/plans/{plan}", {r: 404 for r in OUT_OF_SCOPE}),
    # The scheme of delegation, business cases, urgent decisions and disputes: read by anyone
    # signed in; recorded by the secretariats delegation.rules names (here only the
    # administrator is one) and, for disputes, the regional team.
    Url("/governance/delegation/"),
    Url("/governance/delegation/matters/{matter}/"),
    Url("/governance/delegation/meetings/{meeting}/items/{item}/decision/", RECORDERS),
    Url("/governance/business-cases/"),
    Url("/governance/business-cases/{case}/"),
    Url("/governance/business-cases/new/", RECORDERS),
    Url("/governance/business-cases/{case}/step/", RECORDERS),
    # The case waits for its clinical vision: the committee's form sends its recorder back.
    Url("/governance/business-cases/{case}/evaluate/", RECORDERS | {"admin": 302}),
    Url("/governance/business-cases/{case}/sign-off/", RECORDERS),
    Url("/governance/business-cases/projects/new/", RECORDERS),
    Url("/governance/business-cases/projects/{project}/allocate/", RECORDERS),
    Url("/governance/business-cases/projects/{project}/sign-off/", RECORDERS),
    Url("/governance/business-cases/projects/{project}/advance/", RECORDERS),
    Url("/governance/urgent-decisions/"),
    Url("/governance/urgent-decisions/new/", RECORDERS),
    Url("/governance/urgent-decisions/{urgent}/consult/", RECORDERS),
    Url("/governance/urgent-decisions/{urgent}/take/", RECORDERS),
    Url("/governance/urgent-decisions/{urgent}/report/", RECORDERS),
    Url("/governance/urgent-decisions/{urgent}/ratify/", RECORDERS),
    Url("/governance/disputes/"),
    Url("/governance/disputes/new/", RECORDERS | {"regional": 200, "other_regional": 200}),
    Url("/governance/disputes/{dispute}/outcome/",
        RECORDERS | {"regional": 200, "other_regional": 200}),
    Url("/api/delegation/matters"),
    Url("/api/delegation/matters/{matter}"),
    Url("/api/delegation/business-cases"),
    Url("/api/delegation/urgent-decisions"),
    Url("/api/delegation/disputes"),
    # Board reports: read by everyone whose roles cover the system, prepared by the regional
    # team (and the group's secretariat); an issued report holds published figures only, so
    # not even the roles that see unpublished data find the unpublished figure in it.
    Url("/reports/"),
    Url("/reports/new/", PREPARERS_ONLY),
    Url("/reports/{report}/", {r: 403 for r in OUT_OF_SCOPE}),
    Url("/reports/{report}/versions/1/", {r: 403 for r in OUT_OF_SCOPE}),
    Url("/reports/{report}/versions/1/report.html", {r: 403 for r in OUT_OF_SCOPE}),
    Url("/reports/{report}/edit/", PREPARERS_ONLY),
    Url("/reports/{report}/preview/", PREPARERS_ONLY),
    Url("/reports/{report}/issue/", PREPARERS_ONLY),
    Url("/api/reports/"),
    # The packs of the SOAG meeting: the pack (never a Part B title) for whoever may read the
    # meeting; the Part B pack for the Part B item's audience only, 404 for anyone else as
    # every Part B URL. The segmentation summary's subjects are those the reader's roles cover.
    Url("/reports/meetings/{soag_meeting}/pack/", {r: 403 for r in OUT_OF_SCOPE},
        secret=PART_B_TITLE, audience=set()),
    Url("/reports/meetings/{soag_meeting}/pack/part-b/",
        {r: 403 for r in OUT_OF_SCOPE} | {r: 200 for r in PART_B_AUDIENCE}, default=404,
        secret=PART_B_TITLE, audience=PART_B_AUDIENCE, shown=True),
    Url("/reports/segmentation/"),
    # Background jobs: their starter only.
    Url("/jobs/{upload_job}/", {"loader": 200}, default=404, secret=UPLOAD_JOB,
        audience={"loader"}, shown=True),
    Url("/jobs/{upload_job}/progress/", {"loader": 200}, default=404, secret=UPLOAD_JOB,
        audience={"loader"}, shown=True),
    Url("/imports/uploads/{upload_job}/", {"loader": 200, "soag": 403}, default=404,
        secret=UPLOAD_JOB, audience={"loader"}, shown=True),
    Url("/jobs/{report_job}/", {"regional": 200}, default=404, secret=REPORT_JOB,
        audience={"regional"}, shown=True),
    Url("/jobs/{report_job}/file/", {"regional": 200}, default=404, secret=REPORT_JOB,
        audience={"regional"}, shown=True),
    Url("/jobs/{pack_job}/", {"soag": 200}, default=404, secret=PACK_JOB,
        audience=PART_B_AUDIENCE, shown=True),
    Url("/jobs/{pack_job}/file/", {"soag": 200}, default=404, secret=PART_B_TITLE,
        audience=PART_B_AUDIENCE, shown=True),
]


@pytest.fixture
def everyone(world):  # noqa: F811
    users = dict(world["users"])
    other = SystemFactory(code="QYY", region=world["org"].region)
    users["other_organisation"] = RoleFactory(
        kind=Role.Kind.ORGANISATION, region=None,
        organisation=OrganisationFactory(ods_code="RZZ", host_system=other)).user
    return users


@pytest.fixture
def report(world, settings, tmp_path):  # noqa: F811
    """An issued board report of the organisation's system (QUE)."""
    settings.MEDIA_ROOT = tmp_path  # its PDF and Word are kept with the version
    board = BodyFactory(short_name="SPB", kind=BodyKind.BOARD, system=world["org"].host_system)
    soag = BodyFactory(soag=True, system=board.system, reports_to=board)
    version = issue(ReportFactory(system=board.system, committee=soag,
                                  meeting=MeetingFactory(body=board, date=dt.date(2021, 9, 15))),
                    as_at=dt.date(2021, 9, 8))
    assert NEW not in version.html and "88.5" not in str(version.snapshot)
    return version.report


@pytest.fixture
def domains(world, everyone, report, settings, tmp_path):  # noqa: F811
    """The governance, risk and development records the URLs name: QUE's SOAG (the SOAG member
    sits on it) with a meeting holding a Part B item and its paper; a risk of RGT and one of
    RGN (another trust of QUE); QUE's development plan; and the issued board report (made
    first, so the SOAG is the one the report's board hears)."""
    settings.MEDIA_ROOT = tmp_path
    system = world["org"].host_system
    soag = BodyFactory(soag=True, system=system)
    MembershipFactory(body=soag, person=PersonFactory(user=everyone["soag"]))
    meeting = MeetingFactory(body=soag)
    AgendaItemFactory(meeting=meeting, number="1", title="Performance report")
    part_b = AgendaItemFactory(meeting=meeting, number="9", title=PART_B_TITLE, part="B",
                               organisation=world["org"])
    part_b_paper = PaperFactory(item=part_b, title="Undertakings: position statement")
    PaperVersionFactory(paper=part_b_paper, number=1)
    rgt_risk = RiskFactory(system=system, title="Theatre capacity at RGT")
    rgt_risk.organisations.add(world["org"])
    rgn_risk = RiskFactory(system=system, title=OTHER_TRUST_RISK)
    rgn_risk.organisations.add(OrganisationFactory(ods_code="RGN", host_system=system,
                                                   region=system.region))
    return {"soag_meeting": meeting.pk, "part_b_paper": part_b_paper.pk,
            "rgt_risk": rgt_risk.reference, "rgn_risk": rgn_risk.reference,
            "plan": PlanFactory(system=system).pk, "report": report.pk,
            **_jobs(everyone)}


def _jobs(everyone) -> dict[str, str]:
    """A job of each kind a page starts: the loader's upload (waiting for the worker), the
    regional team's report issue and the SOAG member's Part B pack (finished, with a file)."""
    upload = JobFactory(started_by=everyone["loader"], what=UPLOAD_JOB,
                        task="oversight.metrics.uploads.load_upload")
    report = JobFactory(started_by=everyone["regional"], what=REPORT_JOB, state="succeeded",
                        task="oversight.reports.jobs.issue_report_job", outcome=REPORT_JOB,
                        finished_at=timezone.now())
    report.result_file.save("report.txt", ContentFile(REPORT_JOB.encode()))
    pack = JobFactory(started_by=everyone["soag"], what=PACK_JOB, state="succeeded",
                      task="oversight.reports.meeting_pack.meeting_pack_job", outcome="Built",
                      finished_at=timezone.now())
    pack.result_file.save("pack.txt", ContentFile(PART_B_TITLE.encode()))
    return {"upload_job": upload.pk, "report_job": report.pk, "pack_job": pack.pk}


@pytest.fixture
def delegation(db):
    """A matter, a business case at its first step, an HCE meeting with an item in draft
    minutes, an urgent decision and a dispute: what the delegation URLs name."""
    from oversight.governance.minutes import draft_minutes
    from tests.factories import (
        AgendaItemFactory,
        BodyFactory,
        BusinessCaseFactory,
        DisputeFactory,
        ImprovementProjectFactory,
        MeetingFactory,
        UrgentDecisionFactory,
    )

    hce = BodyFactory(short_name="HCE", name="Health and Care Executive")
    BodyFactory(short_name="CAG", name="Care Advisory Group")
    BodyFactory(short_name="IC", name="Investment Committee")
    meeting = MeetingFactory(body=hce)
    item = AgendaItemFactory(meeting=meeting)
    draft_minutes(meeting)
    case = BusinessCaseFactory()
    case.affected_organisations.set([OrganisationFactory()])
    return {
        "matter": MatterFactory().pk,
        "meeting": meeting.pk,
        "item": item.pk,
        "case": case.pk,
        "urgent": UrgentDecisionFactory().pk,
        "dispute": DisputeFactory(raised_in=hce).pk,
        "project": ImprovementProjectFactory().pk,
    }


@pytest.mark.parametrize("role", ROLES)
def test_role_against_every_url(client, world, everyone, domains, delegation,  # noqa: F811
                                role):
    """One role against the whole table (one database setup per role keeps the run short)."""
    batch = world["batch"]
    fill = {"batch": batch.pk, "observation": batch.observations.first().pk, **domains}
    fill |= delegation
    if role != "anonymous":
        client.force_login(everyone[role])
    wrong = []
    for url in URLS:
        path = url.path.format(**fill)
        response = client.get(path)
        if response.status_code != url.expected(role):
            wrong.append(f"{path}: {response.status_code}, expected {url.expected(role)}")
        elif response.status_code == 200:
            secret = url.secret.format(**fill)
            seen = secret in b"".join(response).decode(errors="replace")
            if seen and role not in url.audience:
                wrong.append(f"{path}: shows {secret!r}")
            elif url.shown and not seen and role in url.audience:
                wrong.append(f"{path}: does not show {secret!r} to its audience")
    assert not wrong, f"{role}: " + "; ".join(wrong)


def _routes(patterns, prefix: str = "") -> list[str]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            routes += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            routes.append(prefix + str(entry.pattern))
    return routes


def test_every_job_url_is_in_the_table():
    """A job's id is a UUID: a new page that shows a job (a URL taking a UUID) must join the
    table above, with who may see it."""
    def shape(path: str) -> str:
        return re.sub(r"<[^>]+>|\{[^}]+\}", "*", path.split("?")[0].strip("/^$"))

    in_table = {shape(url.path) for url in URLS}
    job_urls = {shape(route) for route in _routes(get_resolver().url_patterns)
                if "<uuid:" in route}
    assert job_urls and job_urls <= in_table, sorted(job_urls - in_table)
