"""Headless Chromium (Debian's package, driven by Playwright) against pytest-django's live server.

Skips with the reason when chromium or Playwright is absent; never runs ``playwright install``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.segmentation.conftest import national  # noqa: F401  registered here for national_picture

CHROMIUM = os.environ.get("OVERSIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "browser-test-password-1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip(f"chromium not found at {CHROMIUM} (run scripts/ensure-chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    # Playwright's sync API runs an event loop in this thread while it is open; the ORM calls
    # the fixtures make are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    # The live server speaks plain HTTP; CSP stays on (axe is injected with bypass_csp).
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def check_accessibility(page: Any, what: str = "") -> None:
    """Run axe-core on the page; fail on any serious or critical violation, naming the page
    (``what``, else its URL), each rule broken and up to three elements that break it."""
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE} (run npm install)")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{what or page.url} ({page.url}):\n" + "\n".join(
        f"  {v['impact']} {v['id']}: {v['help']} at {', '.join(v['nodes'])}" for v in serious
    )


@pytest.fixture
def demo_ics(transactional_db: Any) -> dict[str, Any]:
    """A small system with two places, two trusts and a metric series each, and a user."""
    from oversight.metrics.models import Observation
    from tests.factories import (
        ImportBatchFactory,
        MetricFactory,
        OrganisationFactory,
        PlaceFactory,
        RoleFactory,
        SystemFactory,
        ThemeFactory,
        UserFactory,
    )

    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough ICS")
    north = PlaceFactory(system=system, code="N", name="North ICP")
    south = PlaceFactory(system=system, code="S", name="South ICP")
    theme = ThemeFactory(code="quality", name="Quality of care, access and outcomes")
    metric = MetricFactory(
        theme=theme,
        code="AE4HR",
        name="A&E within 4 hours",
        unit="%",
        standard=95,
        polarity="higher",
        source="NHS England A&E",
    )
    batch = ImportBatchFactory(file_name="ae.csv")
    steady = [90, 91, 89, 90, 92, 88, 90, 91, 89, 90, 92, 88, 90, 91, 89]
    orgs = {}
    for code, name, place, last in (
        ("RGT", "Cambridge University Hospitals", south, 40),
        ("RGN", "North West Anglia", north, 90),
    ):
        org = orgs[code] = OrganisationFactory(
            ods_code=code, name=name, host_system=system, place=place
        )
        for i, v in enumerate([*steady, last]):
            start = dt.date(2023 + i // 12, i % 12 + 1, 1)
            Observation.objects.create(
                metric=metric,
                organisation=org,
                period_start=start,
                period_end=start + dt.timedelta(days=27),
                period_label=start.strftime("%b-%y"),
                value=v,
                numerator=v * 10,
                denominator=1000,
                batch=batch,
            )
    user = UserFactory(username="icb-lead", password=PASSWORD)
    RoleFactory(user=user, kind="icb", region=None, system=system)
    return {"system": system, "metric": metric, "orgs": orgs, "user": user}


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(lambda url: "/sign-in/" not in url)


def sign_in_as(page: Any, base_url: str, user: Any) -> None:
    """Give the browser a session for ``user`` without the sign-in form (and its password
    hashing): for tests about a page, not about signing in."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


Q4 = "Q4 2021/22"
NOF_2025 = "nof-2025-26"


@dataclass
class Site:
    """The regional oversight user and the records whose ids the page URLs carry."""

    regional: Any
    case: Any
    milestone: Any
    criterion: Any
    action: Any
    loaded_batch_id: int
    rejected_batch_id: int
    observation: Any
    rebase: Any


@pytest.fixture
def national_picture(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The segmentation tests' ``national`` data: 8 acute trusts of the QUE system, 6 metrics,
    12 months, with R0 the worst (proposed segment 4) and R7 the best."""
    return request.getfixturevalue("national")


@pytest.fixture
def regional_user(national_picture: dict[str, Any]) -> Any:
    """The regional oversight team member for the national fixture's region (no password)."""
    from django.contrib.auth import get_user_model

    from oversight.access.models import Role

    user = get_user_model().objects.create(username="regional", email="regional@example.nhs.uk")
    Role.objects.create(user=user, kind=Role.Kind.REGIONAL, region=national_picture["region"])
    return user


@pytest.fixture
def site(transactional_db: Any, national_picture: dict[str, Any], regional_user: Any) -> Site:
    """Every kind of record a page shows: the national fixture's proposals with a place, a
    segment 4 decision for R0 that opened a Recovery Support Programme case with a milestone,
    an exit criterion and a SOAG action, a loaded and a rejected import, and a rebase."""
    from oversight.metrics.importing import ImportRejected, run_import
    from oversight.metrics.models import Observation
    from oversight.metrics.rebases import record_rebase
    from oversight.organisations.models import Organisation
    from oversight.segmentation.decisions import record_decision
    from oversight.segmentation.proposals import recompute_proposals
    from oversight.support import cases
    from oversight.support.actions import raise_action
    from oversight.support.models import SupportCase
    from tests.factories import PlaceFactory

    place = PlaceFactory(system=national_picture["system"], code="N", name="North ICP")
    Organisation.objects.filter(ods_code__in=["R0", "R1"]).update(place=place)
    recompute_proposals("sof-2021-22")
    r0 = national_picture["orgs"][0]
    record_decision(
        user=regional_user,
        framework=national_picture["framework"],
        subject=r0,
        quarter=Q4,
        segment=4,
        publish=True,
    )
    case = SupportCase.objects.get(organisation=r0)
    milestone = cases.add_milestone(
        case, regional_user, title="Deficit plan agreed", due=dt.date(2022, 6, 30)
    )
    criterion = cases.add_criterion(
        case, regional_user, description="Financial plan met for two quarters"
    )
    action = raise_action(
        user=regional_user,
        subject=r0,
        kind="external_review",
        title="Expert external review of finances",
        owner=regional_user,
        due=dt.date(2022, 5, 31),
        case=case,
    )
    header = "org_code,metric_code,period_start,period_end,value\n"
    loaded = run_import(
        (header + "R1,A,2022-04-01,2022-04-30,11\n").encode(),
        "april.csv",
        "template",
        user=regional_user,
        framework_code="sof-2021-22",
    )
    try:
        run_import(
            (header + "R1,A,2022-05-01,2022-05-31,eleven\n").encode(),
            "may.csv",
            "template",
            user=regional_user,
            framework_code="sof-2021-22",
        )
    except ImportRejected as exc:
        rejected_batch_id = exc.batch_id
    else:
        raise AssertionError("a value that is not a number was accepted")
    metric = national_picture["metrics"]["A"]
    rebase = record_rebase(metric, r0, dt.date(2021, 10, 1), "New finance regime", regional_user)
    return Site(
        regional=regional_user,
        case=case,
        milestone=milestone,
        criterion=criterion,
        action=action,
        loaded_batch_id=loaded.batch_id,
        rejected_batch_id=rejected_batch_id,
        observation=Observation.objects.filter(organisation=r0, metric=metric).latest(
            "period_start"
        ),
        rebase=rebase,
    )


@pytest.fixture
def nof_catalogue(transactional_db: Any) -> Any:
    """The NOF 2025/26 framework and its metrics, from the catalogue file in the repository."""
    from oversight.frameworks import framework_dirs
    from oversight.frameworks.catalogue import read_catalogue
    from oversight.metrics.catalogue import load

    (folder,) = [d for d in framework_dirs() if d.name == NOF_2025]
    return load(read_catalogue(folder / "catalogue.yaml"))


@pytest.fixture
def nof_publication(nof_catalogue: Any, shared_data: Path) -> None:
    """NHS England's published NOF 2025/26 file (mental health and community trusts) stored
    and segmented, as `oversight import --format nof` then `segmentation recompute` do."""
    from oversight.metrics.importing import run_import
    from oversight.segmentation.proposals import recompute_proposals

    path = shared_data / NOF_2025 / "mh-community-trust-data-q1-q2.csv"
    run_import(path.read_bytes(), path.name, "nof")
    recompute_proposals(NOF_2025)


@pytest.fixture
def development_plan(national_picture: dict[str, Any]) -> Any:
    """A small development plan of the national fixture's system: two workstreams with
    actions (one late), a checkpoint that assessed them, a maturity matrix over two dates, an
    operating arrangement, a gap, a priority ticked, an ask and a risk statement."""
    from oversight.development import plans
    from oversight.development.models import (
        Ask,
        CoverageRow,
        GapArea,
        MaturityDomain,
        MaturityScore,
        OperatingArrangement,
        Priority,
        RiskStatement,
        Workstream,
    )

    system = national_picture["system"]
    plan = plans.create_plan(system, "ICS Development Plan", dt.date(2021, 3, 31))
    owners = plans.owners_for(plan, "KC/SG/REGION")
    theme, group = plan.themes.get(number=6), plan.groups.get(name="Direction and engagement")
    first = Workstream.objects.create(plan=plan, theme=theme, name="Assurance")
    second = Workstream.objects.create(plan=plan, group=group, name="Engagement", order=2)
    done = plans.add_action(first, "Establish assurance principles", "by Q2 21/22", owners)
    late = plans.add_action(first, "Agree non-executive input", "Q3 21/22", owners, order=2)
    plans.add_action(second, "Develop engagement mechanisms", "Ongoing", owners[:1])
    checkpoint = plans.open_checkpoint(plan, "Q2 21/22", dt.date(2021, 10, 21))
    plans.record_assessment(checkpoint, action=done, status="G", commentary="SOAG established")
    plans.record_assessment(checkpoint, action=late, status="AR")
    plans.record_assessment(checkpoint, workstream=first, status="AR", evidence="Minutes")
    domain = MaturityDomain.objects.create(plan=plan, number=1, name="System leadership")
    for day, level in ((dt.date(2019, 8, 1), "developing"), (dt.date(2020, 11, 1), "maturing")):
        MaturityScore.objects.create(domain=domain, assessed_on=day, level=level)
    OperatingArrangement.objects.create(plan=plan, number=1, name="Leadership", progress="G")
    GapArea.objects.create(
        plan=plan,
        section="Consistent Operating Arrangements",
        heading="System Functions",
        arrangement="System capabilities in place",
        current_arrangements=["One CCG already in place"],
        development_areas=["A robust commissioning framework"],
    ).themes.set([plan.themes.get(number=1)])
    priority = Priority.objects.create(plan=plan, name="Finance", identified_by="Shared priorities")
    row = CoverageRow.objects.create(plan=plan, label="Assurance")
    row.workstreams.set([first])
    row.priorities.set([priority])
    Ask.objects.create(plan=plan, area="ICS Boards", items=["ICS constitution guidance"])
    RiskStatement.objects.create(plan=plan, theme="Workforce", statement="Retaining the team")
    return plan
