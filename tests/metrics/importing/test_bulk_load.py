"""A bulk load (50,000+ new rows) takes the bulk-loading path and leaves the schema intact."""

import datetime as dt

import polars as pl
import pytest
from django.db import connection

from oversight.metrics.importing import run_import
from oversight.metrics.models import Observation
from tests.factories import FrameworkFactory, MetricFactory, OrganisationFactory, ThemeFactory

pytestmark = pytest.mark.django_db

N_ORGS, N_METRICS, N_MONTHS = 100, 10, 50  # 50,000 rows: the bulk threshold


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        introspection = connection.introspection.get_constraints(
            cursor, Observation._meta.db_table
        )
    return {name for name, c in introspection.items() if c["index"] or c["unique"]}


def _file() -> bytes:
    starts = [dt.date(2020 + m // 12, m % 12 + 1, 1) for m in range(N_MONTHS)]
    grid = (
        pl.DataFrame({"org_code": [f"B{i:03d}" for i in range(N_ORGS)]})
        .join(pl.DataFrame({"metric_code": [f"BM{i}" for i in range(N_METRICS)]}), how="cross")
        .join(pl.DataFrame({"period_start": starts}), how="cross")
    )
    return (
        grid.with_columns(period_end=pl.col("period_start").dt.month_end(), value=pl.lit(50.0))
        .write_csv()
        .encode()
    )


def test_a_bulk_load_stores_every_row_and_keeps_every_index():
    theme = ThemeFactory(framework=FrameworkFactory(code="bulk"))
    for i in range(N_METRICS):
        MetricFactory(theme=theme, code=f"BM{i}")
    for i in range(N_ORGS):
        OrganisationFactory(ods_code=f"B{i:03d}")
    before = _indexes()
    result = run_import(_file(), "bulk.csv", "template", framework_code="bulk")
    assert result.counts()["added"] == N_ORGS * N_METRICS * N_MONTHS
    assert Observation.objects.count() == N_ORGS * N_METRICS * N_MONTHS
    assert _indexes() == before
    again = run_import(_file(), "bulk.csv", "template", framework_code="bulk")
    assert again.counts()["unchanged"] == N_ORGS * N_METRICS * N_MONTHS
