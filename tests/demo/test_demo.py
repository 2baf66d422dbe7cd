"""The demo dataset: England-wide structure, C&P detail, determinism, idempotence, values."""

import csv
import datetime as dt
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q

from oversight.access.models import Role
from oversight.demo import load_demo
from oversight.demo.series import periods
from oversight.metrics.catalogue import load_all
from oversight.metrics.models import Framework, ImportBatch, Metric, Observation
from oversight.organisations.models import (
    CqcRating,
    Neighbourhood,
    Organisation,
    Place,
    ProviderCollaborative,
    Region,
    System,
)

MONTHS = 6  # a short window keeps the tests fast; the structure does not depend on it


@pytest.fixture
def demo(db, settings):
    load_all()
    return load_demo(progress=False, months=MONTHS, real_data=False)


def observation_digest() -> str:
    rows = Observation.objects.order_by(
        "metric__framework__code", "metric__code", "organisation__ods_code", "period_start"
    ).values_list("metric__framework__code", "metric__code", "organisation__ods_code",
                  "period_start", "period_end", "period_label", "value", "numerator",
                  "denominator")
    digest = hashlib.sha256()
    for row in rows.iterator():
        digest.update(repr(row).encode())
    return digest.hexdigest()


def test_periods_follow_the_published_labels():
    monthly = periods("monthly", 6)
    assert [p.label for p in monthly] == ["Apr-25", "May-25", "Jun-25", "Jul-25", "Aug-25",
                                          "Sep-25"]
    assert monthly[2].end == dt.date(2025, 6, 30)
    quarterly = periods("quarterly", 12)
    assert [p.label for p in quarterly] == ["Q3 2024/25", "Q4 2024/25", "Q1 2025/26",
                                            "Q2 2025/26"]
    assert quarterly[-1].start == dt.date(2025, 7, 1) and quarterly[-1].end == dt.date(2025, 9, 30)
    assert [p.label for p in periods("annual", 42)] == ["2022/23", "2023/24", "2024/25"]


def test_england_has_42_icbs_in_7_regions(demo):
    assert set(Region.objects.values_list("code", flat=True)) == {
        "Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"}
    assert Region.objects.get(code="Y61").name == "East of England"
    assert System.objects.count() == 42
    assert Organisation.objects.filter(kind="icb").count() == 42
    per_region = {r.code: r.systems.count() for r in Region.objects.all()}
    assert per_region == {"Y56": 5, "Y58": 7, "Y59": 6, "Y60": 11, "Y61": 6, "Y62": 3,
                          "Y63": 4}
    east = set(System.objects.filter(region__code="Y61").values_list("code", flat=True))
    assert east == {"QUE", "QHG", "QJG", "QMM", "QM7", "QH8"}
    trusts = Organisation.objects.filter(kind__in=["acute", "mental_health", "community",
                                                   "mental_health_community", "ambulance"])
    assert trusts.count() >= 200
    assert set(trusts.values_list("kind", flat=True)) == {
        "acute", "mental_health", "community", "mental_health_community", "ambulance"}
    eeast = Organisation.objects.get(ods_code="RYC")
    assert eeast.kind == "ambulance"
    assert set(eeast.systems.values_list("code", flat=True)) == east
    assert eeast.host_system.code in east


def test_cambridgeshire_and_peterborough_in_detail(demo):
    cp = System.objects.get(code="QUE")
    assert cp.name == "Cambridgeshire and Peterborough"
    assert cp.icb.name == "NHS Cambridgeshire and Peterborough Integrated Care Board"
    expected = {"RGT": "acute", "RGN": "acute", "RGM": "acute", "RT1": "mental_health",
                "RYV": "community", "RYC": "ambulance", "E10000003": "local_authority",
                "E06000031": "local_authority"}
    found = dict(Organisation.objects.filter(ods_code__in=expected)
                 .values_list("ods_code", "kind"))
    assert found == expected
    assert Organisation.objects.get(ods_code="RGT").name == (
        "Cambridge University Hospitals NHS Foundation Trust")
    ccg = Organisation.objects.get(ods_code="06H")
    assert ccg.kind == "ccg" and ccg.closed == dt.date(2022, 7, 1)
    assert ccg.successor.ods_code == "QUE"
    assert Organisation.objects.get(ods_code="RQQ").successor.ods_code == "RGN"
    places = Place.objects.filter(system=cp)
    assert places.count() == 2
    assert Neighbourhood.objects.filter(place__system=cp).count() == 21
    assert all(p.neighbourhoods.count() > 0 for p in places)
    kinds = set(ProviderCollaborative.objects.filter(system=cp).values_list("kind", flat=True))
    assert kinds == {"acute", "children", "mental_health", "urgent_emergency", "end_of_life"}
    acute = ProviderCollaborative.objects.get(system=cp, kind="acute")
    assert set(acute.members.values_list("ods_code", flat=True)) == {"RGT", "RGN", "RGM"}
    assert Organisation.objects.filter(kind="pcn", host_system=cp).count() == 21
    assert Organisation.objects.filter(kind="practice", neighbourhood__isnull=False).exists()


def test_trusts_have_cqc_ratings_and_the_improving_trust_recovers(demo):
    open_trusts = Organisation.objects.filter(kind="acute", closed__isnull=True)
    assert not open_trusts.filter(cqc_ratings__isnull=True).exists()
    ratings = list(CqcRating.objects.filter(organisation__ods_code="RGN").order_by("published"))
    assert ratings[0].well_led == "requires_improvement"
    assert ratings[-1].overall == "good" and ratings[-1].published.year == 2024


def test_values_lie_within_each_metrics_valid_range(demo):
    assert Observation.objects.exists()
    below = Observation.objects.filter(metric__valid_min__isnull=False,
                                       value__lt=F("metric__valid_min"))
    above = Observation.objects.filter(metric__valid_max__isnull=False,
                                       value__gt=F("metric__valid_max"))
    assert not below.exists() and not above.exists()
    # each value metric applies only to the kinds the catalogue names
    for metric in Metric.objects.filter(framework__code="sof-2021-22"):
        kinds = set(Observation.objects.filter(metric=metric)
                    .values_list("organisation__kind", flat=True).distinct())
        assert kinds <= set(metric.org_kinds), metric.code


def test_every_applicable_sof_metric_has_a_series(demo):
    skipped = set(demo.metrics_skipped)
    for metric in Metric.objects.filter(framework__code="sof-2021-22"):
        if f"sof-2021-22:{metric.code}" in skipped:
            continue
        assert Observation.objects.filter(metric=metric).exists(), metric.code
    nof = Observation.objects.filter(metric__framework__code="nof-2025-26")
    assert nof.filter(metric__code="OF0081").exists()
    assert not nof.filter(Q(metric__code__startswith="OF1") | Q(metric__code__startswith="OF5")
                          ).exists()


def test_second_load_changes_nothing(demo):
    before = (Observation.objects.count(), Organisation.objects.count(),
              CqcRating.objects.count(), observation_digest())
    again = load_demo(progress=False, months=MONTHS, real_data=False)
    assert again.already_loaded and again.observations_added == 0
    assert not any("another demo load" in n for n in again.notes)
    assert not again.created.get("organisations") and not again.created.get("users")
    assert (Observation.objects.count(), Organisation.objects.count(),
            CqcRating.objects.count(), observation_digest()) == before


def test_a_load_over_another_generators_demo_says_so(demo):
    ImportBatch.objects.create(file_name="demo generator v1", checksum="1" * 64, format="demo")
    again = load_demo(progress=False, months=MONTHS, real_data=False)
    assert any("another demo load (demo generator v1)" in n and "fresh database" in n
               for n in again.notes)
    assert "demo generator v1" in again.describe()


def test_a_metric_added_to_the_catalogue_is_topped_up(demo):
    sof = Framework.objects.get(code="sof-2021-22")
    existing = Metric.objects.filter(framework=sof).first()
    Metric.objects.create(framework=sof, theme=existing.theme, code="DEMOTOPUP",
                          name="Staff sickness absence rate, demo copy", unit="%",
                          polarity="lower", org_kinds=["acute"], frequency="monthly",
                          valid_min=0, valid_max=100)
    before = Observation.objects.count()
    again = load_demo(progress=False, months=MONTHS, real_data=False)
    added = Observation.objects.filter(metric__code="DEMOTOPUP")
    open_acute = Organisation.objects.filter(kind="acute", closed__isnull=True).count()
    assert added.count() == open_acute * MONTHS
    assert again.observations_added == added.count() == Observation.objects.count() - before


def test_two_fresh_loads_give_identical_observations(db):
    """Load into an empty database twice (each load rolled back to a savepoint before the
    next), so the second load sees exactly what the first saw."""
    digests = []
    for _ in range(2):
        savepoint = transaction.savepoint()
        load_all()
        load_demo(progress=False, months=MONTHS, real_data=False)
        digests.append(observation_digest())
        transaction.savepoint_rollback(savepoint)
    assert Observation.objects.count() == 0
    assert digests[0] == digests[1]


def test_demo_user_signs_in_with_the_regional_role(demo, client):
    user = get_user_model().objects.get(username="demo")
    assert user.is_staff and not user.is_superuser
    role = Role.objects.get(user=user)
    assert role.kind == "regional" and role.region.code == "Y61"
    assert client.login(username="demo", password="oversight-demo")
    assert Role.objects.get(user__username="icb-que").system.code == "QUE"
    assert Role.objects.get(user__username="cuh").organisation.ods_code == "RGT"


def test_an_existing_password_is_never_reset(demo):
    user = get_user_model().objects.get(username="demo")
    user.set_password("changed-by-the-user")
    user.save()
    load_demo(progress=False, months=MONTHS, real_data=False)
    user.refresh_from_db()
    assert user.check_password("changed-by-the-user")


def test_real_ae_performance_comes_from_the_published_file(db, settings, shared_data):
    load_all()
    load_demo(progress=False, months=3, shared_data=shared_data)
    with (shared_data / "nhsr" / "ae_attendances.csv").open(newline="") as handle:
        row = next(r for r in csv.DictReader(handle)
                   if r["org_code"] == "RGT" and r["type"] == "1" and r["period"] == "2017-03-01")
    attendances, breaches = int(row["attendances"]), int(row["breaches"])
    observation = Observation.objects.get(
        metric__framework__code="sof-2021-22", metric__code="AE4HR",
        organisation__ods_code="RGT", period_start=dt.date(2017, 3, 1))
    assert observation.denominator == attendances
    assert observation.numerator == attendances - breaches
    assert observation.value == pytest.approx(100 * (1 - breaches / attendances), abs=0.05)
    assert observation.period_label == "Mar-17"


def test_nof_2025_26_segments_use_every_domain_of_each_trust_type(demo):
    """Issue 13: an acute or ambulance trust's NOF 2025/26 segment came from the people domain
    alone. Every domain the trust type has metric values for in the window now gives a score
    (the demo's 6-month test window holds no whole year, so the annual metrics, staff survey
    and financial plan, are left out here: tests/segmentation/test_latest_per_quarter.py)."""
    from oversight.segmentation.models import Proposal

    proposals = Proposal.objects.filter(framework__code="nof-2025-26", current=True,
                                        organisation__isnull=False, quarter="Q2 2025/26")
    by_kind: dict[str, set[str]] = {}
    for p in proposals.select_related("organisation"):
        domains = {d for d, score in p.facts["domains"].items() if score is not None}
        by_kind.setdefault(p.organisation.kind, set()).update(domains)
    from oversight.engine.nof import load_rules
    from oversight.frameworks import rules_path

    rules = load_rules(rules_path("nof-2025-26"))
    counted = {r.value_metric for r in rules.metrics.values() if r.counts and r.value_metric}
    window = Observation.objects.filter(metric__framework__code="nof-2025-26",
                                        metric__code__in=counted,
                                        period_start__gte=dt.date(2025, 4, 1))
    for kind in ("acute", "ambulance", "mental_health", "community"):
        themes = set(window.filter(organisation__kind=kind)
                     .values_list("metric__theme__code", flat=True))
        assert by_kind[kind] == themes, kind
    assert {"access_to_services", "effectiveness_and_experience"} <= by_kind["acute"]
    assert "access_to_services" in by_kind["ambulance"]
    acute = proposals.filter(organisation__kind="acute").first()
    assert {m for m, *_ in acute.facts["scores"]} >= {"CAN62_SCORE", "AE4HR_SCORE",
                                                     "SHMI_SCORE", "OF1023", "OF1082"}


def test_the_directory_is_recorded_on_the_storys_dates(demo):
    """Issue 13: every history row read the day the demo was loaded."""
    que = Organisation.objects.get(ods_code="QUE")
    assert que.history.earliest("history_date").history_date.date() == que.opened
    rgt = Organisation.objects.get(ods_code="RGT")
    assert rgt.history.earliest("history_date").history_date.date() == dt.date(2016, 4, 1)
    today = dt.date.today()
    assert not Organisation.history.filter(history_date__date=today).exists()
