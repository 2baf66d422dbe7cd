"""Rebases: stored, permitted per role, shown on the metric page and honoured by every SPC use.

The series below is written for the test: two processes of six months each. Expected limits are
worked out by hand from the definition (mean ± 2.66 × mean moving range, within each group):

* months 1–6: 10 12 11 13 12 14 → mean 72 / 6 = 12; moving ranges 2 1 2 1 2 → 8 / 5 = 1.6;
  limits 12 ± 4.256 = 7.744 and 16.256;
* months 7–12: 30 33 31 34 32 35 → mean 195 / 6 = 32.5; moving ranges 3 2 3 2 3 → 13 / 5 = 2.6;
  limits 32.5 ± 6.916 = 25.584 and 39.416.

Without a rebase the second process sits far above the limits of the whole series (special
cause improvement); with a rebase from month 7 its last point is common cause.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction

from oversight.access.models import Role
from oversight.metrics import insight
from oversight.metrics.models import Rebase
from oversight.metrics.rebases import RebaseError, check_date, record_rebase
from oversight.support.progress import _metric_progress
from tests.factories import (
    ImportBatchFactory,
    MetricFactory,
    ObservationFactory,
    OrganisationFactory,
    RebaseFactory,
    RegionFactory,
    RoleFactory,
    SystemFactory,
)

VALUES = [10, 12, 11, 13, 12, 14, 30, 33, 31, 34, 32, 35]
REBASE_MONTH = 7
GROUP_1 = (7.744, 12.0, 16.256)  # lower limit, mean, upper limit
GROUP_2 = (25.584, 32.5, 39.416)


def month(i: int) -> dt.date:
    return dt.date(2024 + (i - 1) // 12, (i - 1) % 12 + 1, 1)


def _series(metric, org, batch) -> None:
    for i, v in enumerate(VALUES, start=1):
        start = month(i)
        end = month(i + 1) - dt.timedelta(days=1)
        ObservationFactory(metric=metric, organisation=org, period_start=start,
                           period_end=end, period_label=start.strftime("%b-%y"),
                           value=float(v), batch=batch)


@pytest.fixture
def world(db):
    region = RegionFactory(code="Y61")
    system = SystemFactory(code="QUE", region=region)
    org = OrganisationFactory(ods_code="RGT", host_system=system, region=region)
    other = OrganisationFactory(ods_code="RGN", host_system=system, region=region)
    other_system = SystemFactory(code="QXX", region=region)
    metric = MetricFactory(code="OF0001", unit="", polarity="higher", valid_max=None)
    batch = ImportBatchFactory()
    _series(metric, org, batch)
    _series(metric, other, batch)
    cache.clear()
    insight._MEMO.clear()
    users = {
        "organisation": RoleFactory(kind=Role.Kind.ORGANISATION, region=None,
                                    organisation=org).user,
        "soag": RoleFactory(kind=Role.Kind.SOAG_MEMBER, region=None, system=system).user,
        "icb": RoleFactory(kind=Role.Kind.ICB, region=None, system=system).user,
        "other_icb": RoleFactory(kind=Role.Kind.ICB, region=None, system=other_system).user,
        "regional": RoleFactory(kind=Role.Kind.REGIONAL, region=region).user,
        "other_regional": RoleFactory(kind=Role.Kind.REGIONAL, region=RegionFactory()).user,
        "admin": RoleFactory(kind=Role.Kind.ADMINISTRATOR, region=None).user,
    }
    return SimpleNamespace(org=org, other=other, metric=metric, users=users, system=system)


PAGE = "/organisations/RGT/metrics/OF0001/"
ADD = PAGE + "rebases/"


def _add(client, user, date: dt.date | str, reason: str = "New referral pathway",
         **extra: str):
    client.force_login(user)
    data = {"date": date if isinstance(date, str) else date.isoformat(), "reason": reason}
    return client.post(ADD, data | extra)


# ----------------------------------------------------------------------------- model


def test_unique_per_series_and_date_including_metric_wide(world):
    RebaseFactory(metric=world.metric, organisation=world.org, date=month(7),
                          reason="a")
    RebaseFactory(metric=world.metric, organisation=None, date=month(7), reason="b")
    for org in (world.org, None):
        with pytest.raises(IntegrityError), transaction.atomic():
            RebaseFactory(metric=world.metric, organisation=org, date=month(7),
                                  reason="again")


def test_reason_is_required_by_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        RebaseFactory(metric=world.metric, organisation=world.org, date=month(7),
                              reason="")


def test_history_keeps_a_removed_rebase(world):
    rebase = record_rebase(world.metric, world.org, month(7), "pathway", world.users["icb"])
    pk = rebase.pk
    rebase.delete()
    kinds = list(Rebase.history.filter(id=pk).order_by("history_id")
                 .values_list("history_type", flat=True))
    assert kinds == ["+", "-"]


def test_dates_must_be_periods_of_the_series():
    periods = [month(i) for i in range(1, 13)]
    check_date(month(1), periods)
    check_date(month(12), periods)
    with pytest.raises(RebaseError, match="before the first period"):
        check_date(dt.date(2023, 12, 1), periods)
    with pytest.raises(RebaseError, match="the next period starts on 2024-08-01"):
        check_date(dt.date(2024, 7, 15), periods)
    with pytest.raises(RebaseError, match="the last period starts on 2024-12-01"):
        check_date(dt.date(2025, 3, 1), periods)
    with pytest.raises(RebaseError, match="no values"):
        check_date(month(1), [])


# ----------------------------------------------------------------------------- who


@pytest.mark.parametrize("who,allowed", [
    ("organisation", False), ("soag", False), ("other_icb", False), ("other_regional", False),
    ("icb", True), ("regional", True), ("admin", True),
])
def test_who_records_a_rebase(client, world, who, allowed):
    user = world.users[who]
    assert user.has_perm("metrics.record_rebase", world.org) is allowed
    response = _add(client, user, month(7))
    assert response.status_code == (302 if allowed else 403)
    assert Rebase.objects.filter(organisation=world.org).exists() is allowed


@pytest.mark.parametrize("who", ["organisation", "soag", "icb", "regional"])
def test_only_administrators_rebase_every_organisation(client, world, who):
    user = world.users[who]
    assert not user.has_perm("metrics.record_rebase", None)
    response = _add(client, user, month(7), applies_to="all")
    assert response.status_code in (400, 403)
    assert not Rebase.objects.filter(organisation=None).exists()


def test_administrator_rebases_every_organisation(client, world):
    assert world.users["admin"].has_perm("metrics.record_rebase", None)
    response = _add(client, world.users["admin"], month(7), applies_to="all")
    assert response.status_code == 302
    rebase = Rebase.objects.get()
    assert rebase.organisation is None and rebase.recorded_by == world.users["admin"]


@pytest.mark.parametrize("who", ["organisation", "soag"])
def test_readers_see_rebases_without_form_or_remove_link(client, world, who):
    rebase = record_rebase(world.metric, world.org, month(7), "New referral pathway")
    client.force_login(world.users[who])
    html = client.get(PAGE).content.decode()
    assert "New referral pathway" in html and "1 July 2024" in html
    assert "Record a rebase" not in html
    assert f"/rebases/{rebase.pk}/remove/" not in html
    assert client.post(f"{PAGE}rebases/{rebase.pk}/remove/").status_code == 403
    assert Rebase.objects.filter(pk=rebase.pk).exists()


def test_remove_asks_to_confirm_then_removes_on_post(client, world):
    rebase = record_rebase(world.metric, world.org, month(7), "New referral pathway")
    pk = rebase.pk
    client.force_login(world.users["icb"])
    html = client.get(PAGE).content.decode()
    assert f"/rebases/{rebase.pk}/remove/" in html
    confirm = client.get(f"{PAGE}rebases/{rebase.pk}/remove/")
    assert confirm.status_code == 200 and "Remove rebase" in confirm.content.decode()
    assert Rebase.objects.filter(pk=rebase.pk).exists()
    response = client.post(f"{PAGE}rebases/{rebase.pk}/remove/")
    assert response.status_code == 302 and response["Location"].endswith("#rebases")
    assert not Rebase.objects.filter(pk=rebase.pk).exists()
    assert Rebase.history.filter(id=pk, history_type="-").get().history_user == \
        world.users["icb"]


def test_icb_cannot_remove_a_metric_wide_rebase(client, world):
    rebase = record_rebase(world.metric, None, month(7), "National definition change")
    client.force_login(world.users["icb"])
    assert f"/rebases/{rebase.pk}/remove/" not in client.get(PAGE).content.decode()
    assert client.post(f"{PAGE}rebases/{rebase.pk}/remove/").status_code == 403


def test_rebase_of_another_organisation_is_not_removed_from_this_page(client, world):
    rebase = record_rebase(world.metric, world.other, month(7), "Their pathway")
    client.force_login(world.users["admin"])
    assert client.post(f"{PAGE}rebases/{rebase.pk}/remove/").status_code == 404


# ----------------------------------------------------------------------------- form


@pytest.mark.parametrize("date,reason,message", [
    ("", "why", "Select the first period of the new process"),
    ("2024-07-15", "why", "Select a period of this series"),
    ("2023-12-01", "why", "Select a period of this series"),
    ("2024-07-01", "   ", "Enter the reason for the rebase"),
])
def test_form_errors(client, world, date, reason, message):
    response = _add(client, world.users["icb"], date, reason)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert not Rebase.objects.exists()


def test_duplicate_is_an_error_on_the_date(client, world):
    assert _add(client, world.users["icb"], month(7)).status_code == 302
    response = _add(client, world.users["icb"], month(7))
    assert response.status_code == 400
    assert "A rebase from 2024-07-01 is already recorded" in response.content.decode()


def test_form_offers_only_the_series_periods(client, world):
    client.force_login(world.users["regional"])
    html = client.get(PAGE).content.decode()
    offered = re.findall(r'<option value="(\d{4}-\d\d-\d\d)"', html)
    assert offered == [month(i).isoformat() for i in range(1, 13)]
    assert 'name="applies_to"' not in html  # metric-wide: administrators only
    client.force_login(world.users["admin"])
    assert 'name="applies_to"' in client.get(PAGE).content.decode()


# ----------------------------------------------------------------------------- SPC


def _limits_rows(html: str) -> list[tuple[str, str, str, str, str]]:
    table = html.split("Mean and process limits")[-1]
    cell = r'<td class="nhsuk-table__cell--numeric">([^<]*)</td>'
    return re.findall(r"<tr><td>([^<]*)</td>" + cell * 3 + r"<td>(\d+)</td></tr>", table)


def test_page_shows_marker_and_limits_per_rebase_group(client, world):
    assert _add(client, world.users["icb"], month(REBASE_MONTH)).status_code == 302
    client.force_login(world.users["soag"])
    html = client.get(PAGE).content.decode()
    assert html.count('class="spc-rebase-marker"') == 1
    assert 'aria-label="Rebase from Jul-24: New referral pathway"' in html
    rows = _limits_rows(html)
    assert len(rows) == 12
    expected = {"1": ("7.74", "12", "16.26"), "2": ("25.58", "32.50", "39.42")}
    for i, (label, lpl, mean, upl, group) in enumerate(rows, start=1):
        assert label == month(i).strftime("%b-%y")
        assert group == ("1" if i < REBASE_MONTH else "2")
        assert (lpl, mean, upl) == expected[group]


def test_series_limits_per_group_by_hand(world):
    record_rebase(world.metric, world.org, month(REBASE_MONTH), "pathway")
    series = insight.metric_series(world.org, world.metric)
    for i, p in enumerate(series.points, start=1):
        want = GROUP_1 if i < REBASE_MONTH else GROUP_2
        assert (p.lpl, p.mean, p.upl) == pytest.approx(want, abs=1e-9)
        assert p.rebase_group == (0 if i < REBASE_MONTH else 1)
    assert series.variation == "common_cause"


def test_page_without_rebase_has_one_group_and_no_marker(client, world):
    client.force_login(world.users["soag"])
    html = client.get(PAGE).content.decode()
    assert "spc-rebase-marker" not in html
    assert {row[4] for row in _limits_rows(html)} == {"1"}
    assert "No rebase is recorded" in html


def test_icons_change_after_a_rebase_and_back_after_removal(client, world):
    """Dashboards are cached per data version: recording and removing a rebase renews them."""
    orgs = [world.org, world.other]
    groups = {"QUE": [world.org.pk, world.other.pk]}

    def cells() -> tuple[str, str, str]:
        found = insight.insights(orgs, groups=groups, rank=False)
        return tuple(found.get(s, world.metric.pk).variation for s in ("RGT", "RGN", "QUE"))

    assert cells() == ("improvement_high",) * 3
    client.force_login(world.users["soag"])
    assert "Special cause improvement (high)" in client.get("/organisations/RGT/").content.decode()

    own = record_rebase(world.metric, world.org, month(REBASE_MONTH), "pathway")
    # Only RGT's own series: its neighbour and the system aggregate keep one group.
    assert cells() == ("common_cause", "improvement_high", "improvement_high")
    html = client.get("/organisations/RGT/").content.decode()
    assert "Common cause variation" in html and "Special cause improvement (high)" not in html

    record_rebase(world.metric, None, month(REBASE_MONTH), "national definition change")
    assert cells() == ("common_cause",) * 3  # metric-wide: every series, aggregates too

    Rebase.objects.filter(organisation=None).delete()
    own.delete()
    assert cells() == ("improvement_high",) * 3


def test_exit_criterion_progress_honours_rebases(world):
    criterion = SimpleNamespace(metric_id=world.metric.pk, metric=world.metric, threshold=None,
                                threshold_reached=lambda value: None)
    assert _metric_progress(criterion, world.org, insight.PUBLISHED).variation == \
        "improvement_high"
    record_rebase(world.metric, world.org, month(REBASE_MONTH), "pathway")
    assert _metric_progress(criterion, world.org, insight.PUBLISHED).variation == \
        "common_cause"


# ----------------------------------------------------------------------------- unpublished


def test_periods_of_an_unpublished_load_are_offered_only_to_who_may_see_it(client, world):
    """RGT's own user loads month 13, unpublished: its teams (ICB, regional, administrators)
    may rebase from it; a SOAG member, or a regional team of another region, is not offered it
    and cannot record it (docs/importing.md, "Publication")."""
    from oversight.metrics.forms import rebase_form

    pending = ImportBatchFactory(created_by=world.users["organisation"], published_at=None)
    ObservationFactory(metric=world.metric, organisation=world.org, period_start=month(13),
                       period_end=month(14) - dt.timedelta(days=1), period_label="Jan-25",
                       value=36.0, batch=pending)
    insight._MEMO.clear()

    def offered(who: str) -> list[str]:
        return [value for value, _ in
                rebase_form(world.org, world.metric, world.users[who]).fields["date"].choices]

    for who in ("icb", "regional", "admin"):
        assert offered(who)[-2:] == [month(12).isoformat(), month(13).isoformat()], who
    for who in ("soag", "other_regional"):
        assert offered(who)[-1] == month(12).isoformat(), who
        with pytest.raises(RebaseError, match="the last period starts on 2024-12-01"):
            record_rebase(world.metric, world.org, month(13), "pathway", world.users[who])
    page = _page_as(client, world.users["icb"])
    assert 'value="2025-01-01"' in page and "Jan-25" in page
    assert _add(client, world.users["icb"], month(13)).status_code == 302
    assert Rebase.objects.get().date == month(13)


def _page_as(client, user) -> str:
    client.force_login(user)
    return client.get(PAGE).content.decode()
