"""`oversight rebase list | add | remove` against the test database."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.metrics.models import Rebase
from tests.factories import (
    ImportBatchFactory,
    MetricFactory,
    ObservationFactory,
    OrganisationFactory,
)

runner = CliRunner()


@pytest.fixture
def series(db):
    metric = MetricFactory(code="OF0001")
    org = OrganisationFactory(ods_code="RGT")
    batch = ImportBatchFactory()
    for month in range(1, 7):
        start = dt.date(2024, month, 1)
        ObservationFactory(metric=metric, organisation=org, batch=batch, period_start=start,
                           period_end=start.replace(day=28), period_label=f"m{month}",
                           value=float(month))
    return metric, org


def run(*args: str):
    return runner.invoke(app, ["rebase", *args])


def test_add_list_remove(series):
    metric, org = series
    result = run("add", "OF0001", "rgt", "2024-04-01", "--reason", "New pathway")
    assert result.exit_code == 0, result.output
    rebase = Rebase.objects.get()
    assert (rebase.metric, rebase.organisation, rebase.date, rebase.reason) == (
        metric, org, dt.date(2024, 4, 1), "New pathway")
    result = run("add", "OF0001", "all", "2024-05-01", "--reason", "Definition change")
    assert result.exit_code == 0, result.output
    assert Rebase.objects.get(organisation=None).date == dt.date(2024, 5, 1)

    listed = run("list")
    assert listed.exit_code == 0
    assert "2024-04-01" in listed.output and "2024-05-01" in listed.output
    only_all = run("list", "--org", "all")
    assert "2024-05-01" in only_all.output and "2024-04-01" not in only_all.output
    only_rgt = run("list", "--metric", "OF0001", "--org", "RGT")
    assert "2024-04-01" in only_rgt.output and "2024-05-01" not in only_rgt.output

    result = run("remove", "OF0001", "RGT", "2024-04-01")
    assert result.exit_code == 0, result.output
    assert list(Rebase.objects.values_list("organisation", flat=True)) == [None]
    assert Rebase.history.filter(history_type="-").count() == 1


@pytest.mark.parametrize("args,message", [
    (["add", "NOPE", "RGT", "2024-04-01", "--reason", "x"], "METRIC: no metric with code 'NOPE'"),
    (["add", "OF0001", "XXX", "2024-04-01", "--reason", "x"],
     "ORG: no organisation with ODS code 'XXX'"),
    (["add", "OF0001", "RGT", "1 April", "--reason", "x"], "DATE: '1 April' is not a date"),
    (["add", "OF0001", "RGT", "2024-04-15", "--reason", "x"],
     "DATE: No period of the series starts on 2024-04-15; the next period starts on 2024-05-01"),
    (["add", "OF0001", "RGT", "2023-01-01", "--reason", "x"],
     "DATE: The date 2023-01-01 is before"),
    (["add", "OF0001", "RGT", "2024-04-01", "--reason", "  "], "--reason: Enter the reason"),
    (["add", "OF0001", "RGT", "2024-04-01", "--reason", "x", "--framework", "nof"],
     "METRIC: no metric with code 'OF0001' in framework 'nof'"),
    (["remove", "OF0001", "RGT", "2024-04-01"], "DATE: no rebase of OF0001 for RGT"),
    (["list", "--metric", "NOPE"], "--metric: no metric with code 'NOPE'"),
    (["list", "--org", "XXX"], "ORG: no organisation with ODS code 'XXX'"),
])
def test_errors_name_the_argument(series, args, message):
    result = run(*args)
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert not Rebase.objects.exists()


def test_duplicate_is_refused(series):
    assert run("add", "OF0001", "RGT", "2024-04-01", "--reason", "x").exit_code == 0
    result = run("add", "OF0001", "RGT", "2024-04-01", "--reason", "again")
    assert result.exit_code == 1 and "already recorded" in result.output
