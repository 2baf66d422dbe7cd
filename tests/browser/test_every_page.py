"""axe on every page Oversight serves, and on each form shown with its errors.

PAGES is the list: to cover a new page, add a line. A page's URL is built from the ``site``
fixture (ids of the case, criterion, action, import...); ``then`` is an interaction that shows
the page in a second state worth checking (usually the form submitted empty, with its errors).
Failures name the page, the state and each violation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Site, check_accessibility, sign_in_as

ERRORS = ".nhsuk-error-summary, .nhsuk-error-message"


def submit(button: str) -> Callable[[Any, Path], None]:
    """Submit the form untouched with the named button: the page shows the form's errors."""

    def act(page: Any, tmp_path: Path) -> None:
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator(ERRORS).first).to_be_visible()

    act.__doc__ = f"after '{button}' with the form empty"
    return act


def decide_without_rationale(page: Any, tmp_path: Path) -> None:
    """after choosing a segment other than the proposal, without a rationale"""
    proposed = page.locator("#id_segment option[selected]").get_attribute("value")
    other = next(o for o in ("1", "2", "3", "4") if o != proposed)
    page.get_by_label("Segment", exact=True).select_option(other)
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


def upload_a_bad_file(page: Any, tmp_path: Path) -> None:
    """after uploading a file with a bad row"""
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "org_code,metric_code,period_start,period_end,value\nR1,A,2022-05-01,2022-05-31,eleven\n"
    )
    page.set_input_files("input[type=file][name=file]", str(bad))
    page.get_by_role("button", name="Check and load").click()
    expect(page.locator("#problems")).to_be_visible()


def sign_in_wrongly(page: Any, tmp_path: Path) -> None:
    """after a wrong password"""
    page.fill("#id_username", "regional")
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Site], str]
    then: Callable[[Any, Path], None] | None = None
    signed_in: bool = True
    status: int = 200
    needs: tuple[str, ...] = ()  # further fixtures the page's data comes from


def development(path: str = "") -> Callable[[Site], str]:
    """A page of the ``development_plan`` fixture's plan (``path`` may name its checkpoint
    or workstream as {checkpoint} and {workstream})."""

    def url(s: Site) -> str:
        from oversight.development.models import Plan

        plan = Plan.objects.get()
        return f"/development/{plan.pk}/" + path.format(
            checkpoint=plan.checkpoints.get().pk,
            workstream=plan.workstreams.get(name="Assurance").pk,
        )

    return url


DEV = ("development_plan",)


def case(step: str) -> Callable[[Site], str]:
    return lambda s: f"/support/cases/{s.case.pk}/{step}/"


@pytest.fixture
def governance(site: Site, settings: Any, tmp_path: Path) -> None:
    """A SOAG the regional user chairs and serves as secretariat, with a meeting whose agenda
    item has a paper, its terms of reference, a declaration and draft minutes."""
    from oversight.governance.minutes import draft_minutes
    from oversight.governance.models import Position
    from oversight.organisations.models import System
    from tests.factories import (
        AgendaItemFactory,
        BodyFactory,
        DeclarationFactory,
        MeetingFactory,
        MembershipFactory,
        PaperFactory,
        PaperVersionFactory,
        PersonFactory,
        TermsOfReferenceFactory,
    )

    settings.MEDIA_ROOT = tmp_path / "media"
    body = BodyFactory(soag=True, system=System.objects.get(code="QUE"))
    TermsOfReferenceFactory(body=body, version="1.7", key_amendments="Quoracy: 3 ICB, 1 NHSE/I")
    regional = PersonFactory(name="Rae Regional", user=site.regional)
    MembershipFactory(body=body, person=regional, position=Position.CHAIR, sector="Lay Chair")
    MembershipFactory(body=body, person=regional, position=Position.SECRETARIAT, sector="")
    member = MembershipFactory(
        body=body, quoracy_group="icb_member", nominated_deputy=PersonFactory(name="Dev Deputy")
    )
    DeclarationFactory(person=member.person)
    item = AgendaItemFactory(meeting=MeetingFactory(body=body), number="1", title="UEC")
    PaperVersionFactory(paper=PaperFactory(item=item, title="UEC plans"), number=1)
    draft_minutes(item.meeting)


def _meeting(path: str = "") -> Callable[[Site], str]:
    def url(s: Site) -> str:
        from oversight.governance.models import Meeting

        meeting = Meeting.objects.get()
        item = meeting.items.get()
        return f"/governance/meetings/{meeting.pk}/" + path.format(item=item.pk)

    return url


def _paper_version(s: Site) -> str:
    from oversight.governance.models import Paper

    return f"/governance/papers/{Paper.objects.get().pk}/versions/new/"


GOV = ("governance",)


@pytest.fixture
def delegation(site: Site) -> None:
    """The delegation demo on factory bodies and trusts, the regional user the deciding bodies'
    secretariat (so every recording form shows)."""
    from oversight.delegation.demo import DECIDING, load_delegation_demo
    from oversight.governance.models import Person, Position
    from tests.factories import BodyFactory, MembershipFactory, OrganisationFactory

    for short in ["SPB", "HCE", "CAG", "FPPG", "IC"]:
        BodyFactory(short_name=short, name=f"The {short}")
    BodyFactory(short_name="DEG", name="The DEG", kind="delivery_group")
    OrganisationFactory(ods_code="RGT", name="Cambridge University Hospitals")
    OrganisationFactory(ods_code="RGN", name="North West Anglia")
    load_delegation_demo()
    person, _ = Person.objects.get_or_create(user=site.regional, defaults={"name": "Rae"})
    for short in DECIDING:
        MembershipFactory(body__short_name=short, person=person, position=Position.SECRETARIAT)


def _delegation(kind: str, path: str = "") -> Callable[[Site], str]:
    """A delegation page of the demo's records: ``kind`` names which (case, project, urgent,
    dispute, minute)."""

    def url(s: Site) -> str:
        from oversight.delegation.models import (
            BusinessCase,
            Dispute,
            ImprovementProject,
            MinutedDecision,
            UrgentDecision,
        )

        if kind == "case":
            return f"/governance/business-cases/{BusinessCase.objects.get(route='none').pk}/{path}"
        if kind == "project":
            project = ImprovementProject.objects.get(title="Outpatient transformation")
            return f"/governance/business-cases/projects/{project.pk}/{path}"
        if kind == "urgent":
            return f"/governance/urgent-decisions/{UrgentDecision.objects.get().pk}/{path}"
        if kind == "dispute":
            return f"/governance/disputes/{Dispute.objects.get().pk}/{path}"
        entry = MinutedDecision.objects.get().entry
        if kind == "matter":
            return f"/governance/delegation/matters/{MinutedDecision.objects.get().matter_id}/"
        return (
            f"/governance/delegation/meetings/{entry.minutes.meeting_id}/items/{entry.item_id}/"
            "decision/"
        )

    return url


DEL = ("delegation",)

PAGES = [
    Page("sign-in", lambda s: "/sign-in/", sign_in_wrongly, signed_in=False),
    Page("home", lambda s: "/"),
    # dashboards
    Page("organisation list", lambda s: "/organisations/"),
    Page("organisation", lambda s: "/organisations/R0/"),
    Page("metric page", lambda s: "/organisations/R0/metrics/A/", submit("Record rebase")),
    Page("rebase removal", lambda s: f"/organisations/R0/metrics/A/rebases/{s.rebase.pk}/remove/"),
    Page("system list", lambda s: "/systems/"),
    Page("system dashboard", lambda s: "/systems/QUE/"),
    Page("icon summary", lambda s: "/systems/QUE/icons/"),
    Page("place", lambda s: "/systems/QUE/places/N/"),
    Page("framework list", lambda s: "/metrics/"),
    Page("framework", lambda s: "/metrics/sof-2021-22/"),
    # data loads
    Page("imports", lambda s: "/imports/", upload_a_bad_file),
    Page("loaded import", lambda s: f"/imports/{s.loaded_batch_id}/"),
    Page("rejected import", lambda s: f"/imports/{s.rejected_batch_id}/"),
    Page("observation history", lambda s: f"/imports/observations/{s.observation.pk}/"),
    # segmentation
    Page("segmentation overview", lambda s: "/segmentation/"),
    Page(
        "organisation segmentation",
        lambda s: "/segmentation/organisations/R0/",
        decide_without_rationale,
    ),
    Page("system segmentation", lambda s: "/segmentation/systems/QUE/", decide_without_rationale),
    Page("league table", lambda s: "/segmentation/league/", needs=("nof_publication",)),
    Page("SOF 2021/22 rules", lambda s: "/segmentation/rules/sof-2021-22/"),
    Page(
        "NOF 2025/26 rules", lambda s: "/segmentation/rules/nof-2025-26/", needs=("nof_catalogue",)
    ),
    # support
    Page("support cases", lambda s: "/support/"),
    Page("support case", lambda s: f"/support/cases/{s.case.pk}/"),
    Page("case details", case("details")),  # every field optional: an empty form is valid
    Page("package item", case("package"), submit("Save")),
    Page("case status", case("transition"), submit("Save")),
    Page("SID", case("sid"), submit("Save")),
    Page("stocktake", case("stocktake"), submit("Save")),
    Page("plan", case("plan")),  # every field optional
    Page("new milestone", case("milestone"), submit("Save")),
    Page(
        "milestone change",
        lambda s: case("milestone-edit")(s) + f"{s.milestone.pk}/",
        submit("Save"),
    ),
    Page("new criterion", case("criterion"), submit("Save")),
    Page(
        "criterion change",
        lambda s: case("criterion-edit")(s) + f"{s.criterion.pk}/",
        submit("Save"),
    ),
    Page(
        "criterion removal",
        lambda s: case("criterion-remove")(s) + f"{s.criterion.pk}/",
        submit("Save"),
    ),
    Page(
        "criterion judgement",
        lambda s: f"/support/criteria/{s.criterion.pk}/judge/",
        submit("Save"),
    ),
    Page("CQC entry", case("cqc-entry"), submit("Save")),
    Page("CQC exit recommendation", case("cqc"), submit("Save")),
    Page("exit", case("exit"), submit("Exit the programme")),
    Page("new targeted case", lambda s: "/support/cases/new/", submit("Save")),
    Page("actions", lambda s: "/support/actions/"),
    Page("action", lambda s: f"/support/actions/{s.action.pk}/"),
    Page("new action", lambda s: "/support/actions/new/", submit("Save")),
    Page("notifications", lambda s: "/support/notifications/"),
    # governance
    Page("governance bodies", lambda s: "/governance/", needs=GOV),
    Page("governance body", lambda s: "/governance/SOAG/", submit("Call the meeting"), needs=GOV),
    Page("governance meeting", _meeting(), needs=GOV),
    Page("agenda item", _meeting("items/new/"), submit("Add item"), needs=GOV),
    Page("paper", _meeting("items/{item}/papers/new/"), submit("Add paper"), needs=GOV),
    Page("paper version", _paper_version, submit("Upload"), needs=GOV),
    Page("conflict ruling", _meeting("items/{item}/ruling/"), submit("Record ruling"), needs=GOV),
    Page("minute", _meeting("items/{item}/minute/"), needs=GOV),  # every field optional
    Page(
        "minute action", _meeting("items/{item}/minute/action/"), submit("Raise action"), needs=GOV
    ),
    Page("register of interests", lambda s: "/governance/interests/", needs=GOV),
    # scheme of delegation, business cases, urgent decisions, disputes
    Page("scheme of delegation", lambda s: "/governance/delegation/", needs=DEL),
    Page("matter", _delegation("matter"), needs=DEL),
    Page("decision under a matter", _delegation("minute"), needs=DEL),
    Page("business cases", lambda s: "/governance/business-cases/", needs=DEL),
    Page("business case", _delegation("case"), needs=DEL),
    Page("new proposal", lambda s: "/governance/business-cases/new/", submit("Record proposal"),
         needs=DEL),  # fmt: skip
    Page("case step", _delegation("case", "step/"), submit("Record decision"), needs=DEL),
    Page("case sign-off", _delegation("case", "sign-off/"), submit("Record sign-off"), needs=DEL),
    Page("new project", lambda s: "/governance/business-cases/projects/new/",
         submit("Record project"), needs=DEL),  # fmt: skip
    Page("project allocation", _delegation("project", "allocate/"), needs=DEL),
    Page("project sign-off", _delegation("project", "sign-off/"), submit("Record sign-off"),
         needs=DEL),  # fmt: skip
    Page("urgent decisions", lambda s: "/governance/urgent-decisions/", needs=DEL),
    Page("new urgent decision", lambda s: "/governance/urgent-decisions/new/", submit("Record"),
         needs=DEL),  # fmt: skip
    Page("urgent report", _delegation("urgent", "report/"), submit("Record report"), needs=DEL),
    Page("urgent ratification", _delegation("urgent", "ratify/"), submit("Record"), needs=DEL),
    Page("disputes", lambda s: "/governance/disputes/", needs=DEL),
    Page("new dispute", lambda s: "/governance/disputes/new/", submit("Refer"), needs=DEL),
    Page("dispute outcome", _delegation("dispute", "outcome/"), submit("Record outcome"),
         needs=DEL),  # fmt: skip
    # development plans
    Page("development plans", lambda s: "/development/", needs=DEV),
    Page("plan on a page", development(), needs=DEV),
    Page("development workstream", development("workstreams/{workstream}/"), needs=DEV),
    Page("development timeline", development("timeline/"), needs=DEV),
    Page("maturity matrix", development("maturity/"), needs=DEV),
    Page("operating arrangements", development("arrangements/"), needs=DEV),
    Page("development priorities", development("priorities/"), needs=DEV),
    Page("asks and risks", development("asks-and-risks/"), needs=DEV),
    Page("checkpoints", development("checkpoints/"), submit("Open checkpoint"), needs=DEV),
    Page("checkpoint report", development("checkpoints/{checkpoint}/"), needs=DEV),
    Page(
        "checkpoint assessment",
        development("checkpoints/{checkpoint}/assess/{workstream}/"),
        needs=DEV,
    ),
    # answers that are not found
    Page("unknown case step", case("no-such-step"), status=404),
    Page("unknown organisation", lambda s: "/organisations/NOPE/", status=404),
]


@pytest.mark.parametrize("spec", PAGES, ids=[p.name for p in PAGES])
def test_page_has_no_serious_accessibility_violation(
    page, live_server, site, spec, request, tmp_path
):
    for fixture in spec.needs:
        request.getfixturevalue(fixture)
    if spec.signed_in:
        sign_in_as(page, live_server.url, site.regional)
    response = page.goto(spec.url(site))
    assert response.status == spec.status, f"{spec.name}: {page.url} answered {response.status}"
    expect(page.locator("h1")).to_have_count(1)
    check_accessibility(page, spec.name)
    check_fits_the_window(page, spec.name)
    if spec.then:
        spec.then(page, tmp_path)
        check_accessibility(page, f"{spec.name}, {spec.then.__doc__.strip()}")
        check_fits_the_window(page, f"{spec.name}, {spec.then.__doc__.strip()}")


def check_fits_the_window(page: Any, what: str) -> None:
    """No wider than the 1,280 px window (a wide table scrolls inside its own container) and
    ending at its footer (no blank space below it)."""
    width, height, footer_end, window = page.evaluate(
        """() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight,
                  document.querySelector('footer').getBoundingClientRect().bottom + scrollY,
                  innerHeight]"""
    )
    assert width <= 1280, f"{what}: {width} px wide in a 1,280 px window"
    # A page shorter than the window ends where the window does; a longer one at its footer.
    below = height - max(footer_end, window)
    assert below <= 2, f"{what}: {below:.0f} px below the footer"
