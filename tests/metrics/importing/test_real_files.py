"""The real published files in ../shared/data import cleanly; figures match the source rows."""

import csv

import pytest

from oversight.metrics.importing import run_import
from oversight.metrics.models import ImportBatch, Observation
from oversight.organisations.models import Organisation, OrganisationKind, Region
from tests.factories import FrameworkFactory, MetricFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def test_ae_attendances_import_and_derive_four_hour_performance(shared_data, sof):
    path = shared_data / "nhsr" / "ae_attendances.csv"
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    for code in {r["org_code"] for r in rows}:
        OrganisationFactory(ods_code=code)
    data = path.read_bytes()
    result = run_import(data, path.name, "ae")
    months = {(r["org_code"], r["period"]) for r in rows}
    type1 = {(r["org_code"], r["period"]) for r in rows if r["type"] == "1"}
    assert result.rows_read == len(rows) == 12_765
    assert result.added == 3 * len(rows) + len(months) + len(type1)
    # RF4, March 2017, as published: type 1 21,289 attendances and 2,879 breaches; type 2 813
    # and 22; other 2,850 and 6.
    all_types = Observation.objects.get(metric__code="AE4HR", organisation__ods_code="RF4",
                                        period_start="2017-03-01")
    assert (all_types.numerator, all_types.denominator) == (24952 - 2907, 24952)
    assert all_types.value == pytest.approx(100 * (24952 - 2907) / 24952)
    t1 = Observation.objects.get(metric__code="AE4HR_T1", organisation__ods_code="RF4",
                                 period_start="2017-03-01")
    assert (t1.numerator, t1.denominator, t1.source_row) == (21289 - 2879, 21289, 2)
    assert Observation.objects.get(metric__code="AE_ADM_T1", organisation__ods_code="RF4",
                                   period_start="2017-03-01").value == 5060
    again = run_import(data, path.name, "ae")
    assert (again.added, again.revised, again.unchanged) == (0, 0, result.added)


def test_nof_publication_imports_with_quartiles_and_new_trusts(shared_data):
    path = shared_data / "nof-2025-26" / "mh-community-trust-data-q1-q2.csv"
    with path.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    framework = FrameworkFactory(code="nof-2025-26", method="scored")
    theme = ThemeFactory(framework=framework)
    for code in sorted({r["Metric_ID"] for r in rows}):
        MetricFactory(theme=theme, code=code, valid_min=None, valid_max=None)
    result = run_import(path.read_bytes(), path.name, "nof")
    trusts = {r["Trust_code"] for r in rows}
    assert (result.rows_read, result.added, result.framework_code) == (
        4502, 4502, "nof-2025-26")
    assert sorted(result.organisations_created) == sorted(trusts)
    # Row 2 as published: R1A, Q1 2025/26, OF0005 9.03 (Jun-25), median 0.7, quartiles 0.01
    # and 6.32, rank 33.
    obs = Observation.objects.get(metric__code="OF0005", organisation__ods_code="R1A",
                                  period_label="Q1 2025/26")
    assert (obs.value, obs.peer_median, obs.peer_lower_quartile, obs.peer_upper_quartile,
            obs.rank, obs.reporting_period, obs.source_row) == (
        9.03, 0.7, 0.01, 6.32, 33.0, "Jun-25", 2)
    assert (str(obs.period_start), str(obs.period_end)) == ("2025-04-01", "2025-06-30")
    r1a = Organisation.objects.get(ods_code="R1A")
    assert (r1a.name, r1a.kind, r1a.region.name) == (
        "Herefordshire and Worcestershire Health and Care NHS Trust",
        OrganisationKind.COMMUNITY, "Midlands")
    assert Region.objects.get(name="Midlands").code == "Y60"
    again = run_import(path.read_bytes(), path.name, "nof")
    assert (again.added, again.unchanged, again.organisations_created) == (0, 4502, [])
    assert ImportBatch.objects.count() == 2
