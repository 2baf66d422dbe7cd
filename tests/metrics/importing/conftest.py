"""Catalogue metrics and organisations the import tests need, made with the shared factories.

The SOF and NOF catalogue files are being rewritten elsewhere, so tests create the metrics they
read against rather than relying on the catalogue's contents.
"""

import datetime as dt

import pytest

from oversight.metrics.importing.ae import COUNT_METRICS
from oversight.metrics.models import Framework
from tests.factories import FrameworkFactory, MetricFactory, OrganisationFactory, ThemeFactory


@pytest.fixture
def sof(db):
    framework = FrameworkFactory(code="sof-2021-22", name="System Oversight Framework 2021/22",
                                 year_start=dt.date(2021, 4, 1), method=Framework.Method.CRITERIA)
    theme = ThemeFactory(framework=framework, code="quality")
    metrics = {
        "AE4HR": MetricFactory(theme=theme, code="AE4HR", unit="%", valid_min=0, valid_max=100),
        "AE4HR_T1": MetricFactory(theme=theme, code="AE4HR_T1", unit="%", valid_min=0,
                                  valid_max=100),
        "RTT": MetricFactory(theme=theme, code="RTT", unit="%", valid_min=0, valid_max=100),
        "BEDS": MetricFactory(theme=theme, code="BEDS", unit="count", valid_min=0,
                              valid_max=None),
    }
    for code in COUNT_METRICS:
        metrics[code] = MetricFactory(theme=theme, code=code, unit="count", valid_min=0,
                                      valid_max=None, polarity="neutral")
    return metrics


@pytest.fixture
def trusts(db):
    return {code: OrganisationFactory(ods_code=code) for code in ("RAA", "RBB", "RCC")}
