"""Support pages: who sees what (403s per role), each step's form, filters and no-JS use."""

from __future__ import annotations

import datetime as dt

import pytest

from oversight.support import cases
from oversight.support.actions import raise_action
from oversight.support.models import CaseStatus, ExitCriterion, SoagAction, SupportCase
from tests.factories import ExitCriterionFactory, MetricFactory, ObservationFactory, ThemeFactory
from tests.support.conftest import decide


@pytest.fixture
def rsp_case(world) -> SupportCase:
    decide(world, 4, rationale="Critical finance concerns", publish=True)
    return SupportCase.objects.get()


def as_user(client, user):
    client.force_login(user)
    return client


def test_nav_has_support(client, world):
    page = as_user(client, world.regional).get("/")
    assert 'href="/support/"' in page.content.decode()


@pytest.mark.parametrize(
    "who,status",
    [
        ("regional", 200),
        ("icb", 200),
        ("soag", 200),
        ("org_user", 200),
        ("other_org_user", 403),
        ("outsider", 403),
    ],
)
def test_case_detail_per_role(client, world, rsp_case, who, status):
    response = as_user(client, getattr(world, who)).get(f"/support/cases/{rsp_case.pk}/")
    assert response.status_code == status


@pytest.mark.parametrize(
    "who,listed",
    [
        ("regional", True),
        ("icb", True),
        ("org_user", True),
        ("other_org_user", False),
        ("outsider", False),
    ],
)
def test_case_list_scoped_per_role(client, world, rsp_case, who, listed):
    page = as_user(client, getattr(world, who)).get("/support/")
    assert page.status_code == 200
    assert (world.trust.name in page.content.decode()) is listed


@pytest.mark.parametrize("who", ["icb", "soag", "org_user", "outsider"])
def test_only_the_regional_team_manages_cases(client, world, rsp_case, who):
    c = as_user(client, getattr(world, who))
    assert c.get(f"/support/cases/{rsp_case.pk}/sid/").status_code == 403
    response = c.post(
        f"/support/cases/{rsp_case.pk}/transition/", {"event": "start", "reason": "x"}
    )
    assert response.status_code == 403
    rsp_case.refresh_from_db()
    assert rsp_case.status == CaseStatus.OPEN


def test_regional_team_walks_the_rsp_steps_without_javascript(client, world, rsp_case):
    c = as_user(client, world.regional)
    base = f"/support/cases/{rsp_case.pk}"
    assert c.get(f"{base}/sid/").status_code == 200
    r = c.post(
        f"{base}/sid/",
        {
            "sid_name": "Dr A Director",
            "system_agreed_by": "ICB CEO",
            "system_agreed_on": "2021-10-04",
            "region_agreed_by": "Regional director",
            "region_agreed_on": "2021-10-05",
            "national_agreed_by": "Director of Intensive Support",
            "national_agreed_on": "2021-10-06",
        },
    )
    assert r.status_code == 302
    r = c.post(
        f"{base}/stocktake/",
        {"root_causes": "Deficit", "partners_involved": "ICB", "stocktake_on": "2021-11-01"},
    )
    assert r.status_code == 302
    r = c.post(
        f"{base}/plan/",
        {
            "plan_summary": "Recovery plan",
            "indicative_exit": "2023-03-31",
            "review_cycle": "monthly",
            "entry_on_cqc_recommendation": "",
        },
    )
    assert r.status_code == 302
    # a metric criterion without threshold is refused with a clear error
    metric = MetricFactory(theme=ThemeFactory(framework=world.framework), unit="%")
    r = c.post(f"{base}/criterion/", {"description": "A&E", "metric": metric.pk})
    assert r.status_code == 400 and "needs a direction and a threshold" in r.content.decode()
    r = c.post(
        f"{base}/criterion/",
        {
            "description": "Metric at least 90%",
            "metric": metric.pk,
            "direction": "at_least",
            "threshold": "90",
        },
    )
    assert r.status_code == 302
    criterion = ExitCriterion.objects.get()
    # exit refused while unmet
    r = c.post(f"{base}/exit/", {"reason": "Done"})
    assert r.status_code == 400 and "Exit criterion not met" in r.content.decode()
    r = c.post(f"/support/criteria/{criterion.pk}/judge/", {"met": "yes", "evidence": "Q3"})
    assert r.status_code == 302
    r = c.post(f"{base}/exit/", {"reason": "All criteria met"})
    assert r.status_code == 302
    rsp_case.refresh_from_db()
    assert rsp_case.status == CaseStatus.CLOSED
    page = c.get(f"{base}/").content.decode()
    assert "Dr A Director" in page and "Exited: segment 3" in page


def test_case_detail_shows_progress_with_spc_icons(client, world, rsp_case):
    metric = MetricFactory(
        theme=ThemeFactory(framework=world.framework), code="AE4", polarity="higher", standard=95
    )
    for i, v in enumerate([80, 81, 79, 82, 80, 81, 83, 84, 85, 86, 87, 88, 89, 90]):
        start = dt.date(2021 + (3 + i) // 12, (3 + i) % 12 + 1, 1)
        ObservationFactory(
            metric=metric,
            organisation=world.trust,
            period_start=start,
            period_end=start,
            period_label=start.strftime("%b-%y"),
            value=v,
        )
    ExitCriterionFactory(
        rsp=rsp_case.rsp,
        description="4-hour at least 85%",
        metric=metric,
        threshold=85,
        direction="at_least",
    )
    page = as_user(client, world.regional).get(f"/support/cases/{rsp_case.pk}/")
    html = page.content.decode()
    assert 'href="#mdc-v-improvement_high"' in html  # 6+ rising points above the mean
    assert "Threshold reached" in html  # latest 90 >= 85


def test_filters(client, world, rsp_case):
    c = as_user(client, world.regional)
    assert world.trust.name in c.get("/support/?kind=rsp&segment=4&region=Y61").content.decode()
    assert world.trust.name not in c.get("/support/?kind=mandated").content.decode()
    assert world.trust.name not in c.get("/support/?overdue=1").content.decode()
    raise_action(
        user=world.regional,
        subject=world.trust,
        kind="plan",
        title="Recovery plan",
        owner=world.org_user,
        due=dt.date(2021, 12, 1),
        case=rsp_case,
    )
    assert world.trust.name in c.get("/support/?overdue=1").content.decode()
    partial = c.get("/support/?kind=rsp", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and world.trust.name in partial


def test_actions_pages_per_role(client, world, rsp_case):
    action = raise_action(
        user=world.soag,
        subject=world.trust,
        kind="external_review",
        title="Expert external review of finances",
        owner=world.org_user,
        due=dt.date(2021, 12, 1),
    )
    for who, status in [
        ("regional", 200),
        ("icb", 200),
        ("org_user", 200),
        ("other_org_user", 403),
        ("outsider", 403),
    ]:
        r = as_user(client, getattr(world, who)).get(f"/support/actions/{action.pk}/")
        assert r.status_code == status, who
    listing = as_user(client, world.regional).get("/support/actions/").content.decode()
    assert "Expert external review of finances" in listing and "working day" in listing
    # ICB team may see but not change it; its owner records evidence and completes it
    r = as_user(client, world.icb).post(
        f"/support/actions/{action.pk}/", {"event": "cancel", "reason": "x"}
    )
    assert r.status_code == 403
    r = as_user(client, world.org_user).post(
        f"/support/actions/{action.pk}/",
        {"event": "complete", "evidence": "Review report 2021-12-10", "reason": "Delivered"},
    )
    assert r.status_code == 302
    action.refresh_from_db()
    assert action.status == "completed" and action.completed_at is not None


def test_raise_action_form(client, world):
    assert as_user(client, world.icb).get("/support/actions/new/").status_code == 403
    c = as_user(client, world.soag)
    assert c.get("/support/actions/new/").status_code == 200
    r = c.post(
        "/support/actions/new/",
        {
            "subject": f"organisation:{world.trust.ods_code}",
            "kind": "peer_review",
            "title": "Peer review of the elective recovery plan",
            "owner": world.org_user.username,
            "due": "2022-01-31",
        },
    )
    assert r.status_code == 302
    action = SoagAction.objects.get()
    assert action.created_by == world.soag and action.organisation == world.trust


def test_notifications_page(client, world, rsp_case):
    c = as_user(client, world.regional)
    page = c.get("/support/notifications/").content.decode()
    assert "Recovery Support Programme case opened" in page
    c.post("/support/notifications/read/")
    assert not world.regional.support_notifications.filter(read_at__isnull=True).exists()


def test_home_notifications_partial(rf, world, rsp_case):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = world.regional
    html = render_to_string("support/_home_notifications.jinja", request=request)
    assert "Recovery Support Programme case opened" in html and "1 unread" in html
    request.user = world.other_org_user
    assert "Support notifications" not in render_to_string(
        "support/_home_notifications.jinja", request=request
    )


def test_case_opened_by_an_unpublished_decision_stays_with_those_who_see_it(client, world):
    from oversight.segmentation.decisions import publish_decision

    decision = decide(world, 4, rationale="Critical finance concerns")
    case = SupportCase.objects.get()
    url = f"/support/cases/{case.pk}/"
    for who, status in (("regional", 200), ("icb", 200), ("soag", 403), ("org_user", 403)):
        client.force_login(getattr(world, who))
        assert client.get(url).status_code == status, who
        assert (world.trust.name in client.get("/support/").content.decode()) is (status == 200)
    publish_decision(world.regional, decision)
    for who in ("soag", "org_user"):
        client.force_login(getattr(world, who))
        assert client.get(url).status_code == 200, who


def test_exit_criterion_progress_uses_only_figures_the_viewer_may_see(world, rsp_case):
    from oversight.metrics.insight import visibility
    from oversight.support.progress import criterion_progress
    from tests.factories import ImportBatchFactory

    metric = MetricFactory(
        theme=ThemeFactory(framework=world.framework), code="AE4", polarity="higher", standard=95
    )
    published = ImportBatchFactory()
    for i, v in enumerate([80, 81, 79, 82, 80, 81, 83, 84]):
        start = dt.date(2021, 4 + i, 1)
        ObservationFactory(
            metric=metric,
            organisation=world.trust,
            period_start=start,
            period_end=start,
            period_label=start.strftime("%b-%y"),
            value=v,
            batch=published,
        )
    ObservationFactory(
        metric=metric,
        organisation=world.trust,
        period_start=dt.date(2021, 12, 1),
        period_end=dt.date(2021, 12, 31),
        period_label="Dec-21",
        value=92,
        batch=ImportBatchFactory(published_at=None),
    )
    ExitCriterionFactory(
        rsp=rsp_case.rsp,
        description="4-hour at least 85%",
        metric=metric,
        threshold=85,
        direction="at_least",
    )
    (mine,) = criterion_progress(rsp_case, visibility(world.regional))
    (theirs,) = criterion_progress(rsp_case, visibility(world.soag))
    assert (mine.latest_label, mine.points, mine.reached) == ("Dec-21", 9, True)
    assert (theirs.latest_label, theirs.points, theirs.reached) == ("Nov-21", 8, False)


def test_refused_action_form_writes_nothing(client, world, django_capture_on_commit_callbacks):
    """A SOAG member for QUE who is also the ICB team of another system may see that system,
    but may not raise its actions: 403, and no action, transition, notification or email."""
    from django.core import mail

    from oversight.access.models import Role
    from oversight.organisations.models import System
    from oversight.support.models import Notification, Transition

    other = System.objects.get(code="QHG")
    Role.objects.create(user=world.soag, kind=Role.Kind.ICB, system=other)
    c = as_user(client, world.soag)
    assert "system:QHG" in c.get("/support/actions/new/").content.decode()
    mail.outbox.clear()
    for subject in ("system:QHG", f"organisation:{world.other_trust.ods_code}"):
        with django_capture_on_commit_callbacks(execute=True):
            r = c.post(
                "/support/actions/new/",
                {
                    "subject": subject,
                    "kind": "plan",
                    "title": "Recovery plan",
                    "owner": world.org_user.username,
                    "due": "2022-01-31",
                },
            )
        assert r.status_code == 403, subject
    assert not SoagAction.objects.exists()
    assert not Transition.objects.exists() and not Notification.objects.exists()
    assert mail.outbox == []


def test_refused_targeted_case_form_writes_nothing(
    client, world, django_capture_on_commit_callbacks
):
    """A regional team member for London who is also the ICB team of QUE may see QUE's trust,
    but may not open its case: 403, and no case, transition, notification or email."""
    from django.core import mail

    from oversight.access.models import Role
    from oversight.support.models import Notification, Transition

    Role.objects.create(user=world.outsider, kind=Role.Kind.ICB, system=world.system)
    form = {
        "subject": f"organisation:{world.trust.ods_code}",
        "segment": "sof-2021-22:2",
        "summary": "Elective recovery",
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = as_user(client, world.outsider).post("/support/cases/new/", form)
    assert r.status_code == 403
    assert not SupportCase.objects.exists()
    assert not Transition.objects.exists() and not Notification.objects.exists()
    assert mail.outbox == []
    # the region's own team opens it
    r = as_user(client, world.regional).post("/support/cases/new/", form)
    assert r.status_code == 302
    assert SupportCase.objects.get().kind == "targeted"


def test_cqc_entry_cannot_be_switched_off_by_editing_the_plan(client, world, rsp_case):
    """Entry on CQC's recommendation is recorded once (who, when, why) and the plan form has no
    say in it: the person who exits cannot untick the condition away."""
    c = as_user(client, world.regional)
    base = f"/support/cases/{rsp_case.pk}"
    assert "entry_on_cqc_recommendation" not in c.get(f"{base}/plan/").content.decode()
    r = c.post(f"{base}/cqc-entry/", {"recommended_on": "2021-06-21", "reference": "CQC letter"})
    assert r.status_code == 302
    rsp_case.rsp.refresh_from_db()
    assert rsp_case.rsp.entry_on_cqc_recommendation
    assert rsp_case.transitions.get(event="cqc_entry").by == world.regional
    need_cqc = "Entry followed a CQC recommendation: CQC's recommendation to exit is needed."
    for flag in ("", "off", "false"):
        r = c.post(
            f"{base}/plan/",
            {
                "plan_summary": "Recovery plan",
                "review_cycle": "monthly",
                "entry_on_cqc_recommendation": flag,
            },
        )
        assert r.status_code == 302
    rsp_case.rsp.refresh_from_db()
    assert rsp_case.rsp.entry_on_cqc_recommendation
    assert rsp_case.rsp.plan_summary == "Recovery plan"
    assert need_cqc in cases.exit_blockers(rsp_case)
    # recording it again is refused, and the page offers only CQC's recommendation to exit
    r = c.post(f"{base}/cqc-entry/", {"recommended_on": "2021-06-22", "reference": "x"})
    assert r.status_code == 400 and "already recorded" in r.content.decode()
    page = c.get(f"{base}/").content.decode()
    assert f"{base}/cqc-entry/" not in page and f"{base}/cqc/" in page
    assert "CQC letter" in page


def test_milestone_recorded_achieved_then_changed_only_with_a_reason(client, world, rsp_case):
    """Recording a milestone as achieved (date and evidence) is its own reason; moving its due
    date or withdrawing the achievement needs one, and each change joins the case's history."""
    c = as_user(client, world.regional)
    base = f"/support/cases/{rsp_case.pk}"
    r = c.post(f"{base}/milestone/", {"title": "Deficit plan agreed", "due": "2021-12-31"})
    assert r.status_code == 302
    milestone = rsp_case.rsp.milestones.get()
    edit = f"{base}/milestone-edit/{milestone.pk}/"
    assert edit in c.get(f"{base}/").content.decode()
    # achieved needs evidence, and a date that has come
    r = c.post(
        edit, {"title": "Deficit plan agreed", "due": "2021-12-31", "achieved_on": "2021-12-20"}
    )
    assert r.status_code == 400 and "Give the evidence" in r.content.decode()
    r = c.post(
        edit,
        {
            "title": "Deficit plan agreed",
            "due": "2021-12-31",
            "achieved_on": "2999-01-01",
            "evidence": "Board minutes",
        },
    )
    assert r.status_code == 400 and "a date that has come" in r.content.decode()
    r = c.post(
        edit,
        {
            "title": "Deficit plan agreed",
            "due": "2021-12-31",
            "achieved_on": "2021-12-20",
            "evidence": "Board minutes 20 Dec",
        },
    )
    assert r.status_code == 302
    milestone.refresh_from_db()
    assert milestone.achieved_on == dt.date(2021, 12, 20)
    achieved = rsp_case.transitions.get(event="milestone")
    assert achieved.by == world.regional and "achieved on 20 Dec 2021" in achieved.reason
    # any other change without a reason is refused and writes nothing
    moved = {
        "title": "Deficit plan agreed",
        "due": "2022-01-31",
        "achieved_on": "2021-12-20",
        "evidence": "Board minutes 20 Dec",
    }
    r = c.post(edit, moved)
    assert r.status_code == 400 and "Say why the milestone changes" in r.content.decode()
    milestone.refresh_from_db()
    assert milestone.due == dt.date(2021, 12, 31)
    assert rsp_case.transitions.filter(event="milestone").count() == 1
    r = c.post(edit, {**moved, "reason": "Board rescheduled"})
    assert r.status_code == 302
    milestone.refresh_from_db()
    assert milestone.due == dt.date(2022, 1, 31)
    changed = rsp_case.transitions.filter(event="milestone").latest("at")
    assert "due 31 Dec 2021 → 31 Jan 2022" in changed.reason
    assert "Board rescheduled" in changed.reason
    # saving with no change records nothing
    r = c.post(edit, moved)
    assert r.status_code == 302
    assert rsp_case.transitions.filter(event="milestone").count() == 2


def test_exit_criterion_changed_or_removed_with_a_reason(client, world, rsp_case):
    """Changing a criterion's definition needs a reason and clears a judgement made against the
    old one, so exit is blocked again; a met criterion cannot be removed; each change is kept
    in the case's history with who and why."""
    c = as_user(client, world.regional)
    base = f"/support/cases/{rsp_case.pk}"
    metric = MetricFactory(theme=ThemeFactory(framework=world.framework), unit="%")
    definition = {
        "description": "A&E at least 76%",
        "metric": metric.pk,
        "direction": "at_least",
        "threshold": "76",
    }
    assert c.post(f"{base}/criterion/", definition).status_code == 302
    criterion = ExitCriterion.objects.get()
    cases.judge_criterion(criterion, world.regional, met=True, evidence="Q3 at 77%")
    assert not [b for b in cases.exit_blockers(rsp_case) if "criterion not met" in b]
    page = c.get(f"{base}/").content.decode()
    edit, remove = (
        f"{base}/criterion-edit/{criterion.pk}/",
        f"{base}/criterion-remove/{criterion.pk}/",
    )
    assert edit in page and remove not in page  # a met criterion is not removed
    # no reason: refused, nothing written
    stricter = {**definition, "description": "A&E at least 78%", "threshold": "78"}
    r = c.post(edit, stricter)
    assert r.status_code == 400
    criterion.refresh_from_db()
    assert criterion.threshold == 76 and criterion.met is True
    # a metric criterion still needs its threshold when changed
    r = c.post(edit, {**definition, "threshold": "", "reason": "x"})
    assert r.status_code == 400 and "needs a direction and a threshold" in r.content.decode()
    r = c.post(edit, {**stricter, "reason": "Regional team raised the bar"})
    assert r.status_code == 302
    criterion.refresh_from_db()
    assert criterion.threshold == 78 and criterion.met is None and criterion.judged_by is None
    assert "Exit criterion not met: A&E at least 78%" in cases.exit_blockers(rsp_case)
    changed = rsp_case.transitions.get(event="criterion_changed")
    assert changed.by == world.regional
    assert "threshold 76.0 → 78.0" in changed.reason and "judgement is cleared" in changed.reason
    kept = criterion.history.latest().history_change_reason  # the column holds 100 characters
    assert len(kept) <= 100 and changed.reason.startswith(kept.removesuffix("…"))
    # a met criterion cannot be removed; an unmet one can, with a reason
    cases.judge_criterion(criterion, world.regional, met=True, evidence="Q4 at 79%")
    r = c.post(remove, {"reason": "Superseded"})
    assert r.status_code == 400 and "cannot be removed" in r.content.decode()
    assert ExitCriterion.objects.filter(pk=criterion.pk).exists()
    cases.judge_criterion(criterion, world.regional, met=False, evidence="Fell back in Q1")
    assert c.post(remove, {"reason": ""}).status_code == 400
    r = c.post(remove, {"reason": "Replaced by the system-wide UEC criterion"})
    assert r.status_code == 302
    assert not ExitCriterion.objects.filter(pk=criterion.pk).exists()
    removed = rsp_case.transitions.get(event="criterion_removed")
    assert "Replaced by the system-wide UEC criterion" in removed.reason
    assert "criterion removed" in c.get(f"{base}/").content.decode()


def test_item_steps_answer_only_for_the_case_and_its_managers(client, world, rsp_case):
    c = as_user(client, world.regional)
    base = f"/support/cases/{rsp_case.pk}"
    criterion = cases.add_criterion(rsp_case, world.regional, description="Leadership review")
    assert c.get(f"{base}/criterion-edit/{criterion.pk}/").status_code == 200
    assert c.get(f"{base}/criterion-edit/{criterion.pk + 1}/").status_code == 404
    assert c.get(f"{base}/criterion-edit/").status_code == 404  # an item step needs its item
    assert c.get(f"{base}/sid/{criterion.pk}/").status_code == 404  # a case step has none
    assert c.get(f"{base}/milestone-edit/{criterion.pk}/").status_code == 404
    for who in ("icb", "soag", "org_user"):
        other = as_user(client, getattr(world, who))
        assert other.post(
            f"{base}/criterion-remove/{criterion.pk}/", {"reason": "x"}
        ).status_code in (403, 404)
    assert ExitCriterion.objects.filter(pk=criterion.pk).exists()


def test_judging_needs_evidence_and_joins_the_history(client, world, rsp_case):
    c = as_user(client, world.regional)
    criterion = cases.add_criterion(rsp_case, world.regional, description="Leadership review")
    judge = f"/support/criteria/{criterion.pk}/judge/"
    r = c.post(judge, {"met": "no", "evidence": ""})
    assert r.status_code == 400
    assert "Give the evidence that the criterion is not met." in r.content.decode()
    criterion.refresh_from_db()
    assert criterion.met is None and not rsp_case.transitions.filter(event="criterion_judged")
    assert c.post(judge, {"met": "no", "evidence": "Review not started"}).status_code == 302
    page = c.get(f"/support/cases/{rsp_case.pk}/").content.decode()
    assert "criterion judged" in page
    assert "Exit criterion &#39;Leadership review&#39; judged not met: Review not started" in page


def test_a_judgement_against_the_linked_figure_is_shown_and_recorded(client, world, rsp_case):
    """The judge page shows the latest figure against the threshold; judging met although it
    is not reached is allowed (people decide) and said so in the case's history."""
    metric = MetricFactory(theme=ThemeFactory(framework=world.framework), unit="%")
    ObservationFactory(
        metric=metric,
        organisation=world.trust,
        value=74.2,
        period_start=dt.date(2021, 9, 1),
        period_end=dt.date(2021, 9, 30),
        period_label="Sep-21",
    )
    criterion = cases.add_criterion(
        rsp_case,
        world.regional,
        description="A&E at least 76%",
        metric=metric,
        direction="at_least",
        threshold=76,
    )
    c = as_user(client, world.regional)
    judge = f"/support/criteria/{criterion.pk}/judge/"
    page = c.get(judge).content.decode()
    assert "Latest figure: 74.2% (Sep-21): the threshold is <strong>not</strong> reached" in page
    r = c.post(judge, {"met": "yes", "evidence": "Validated local data for October: 77%"})
    assert r.status_code == 302
    note = rsp_case.transitions.get(event="criterion_judged").reason
    assert note == (
        "Exit criterion 'A&E at least 76%' judged met (although the latest figure, 74.2% "
        "(Sep-21), does not reach the threshold): Validated local data for October: 77%"
    )
