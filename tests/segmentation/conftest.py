"""A small national picture built with the factories: 8 acute trusts x 6 metrics x 12 months."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import (
    CqcRatingFactory,
    FrameworkFactory,
    ImportBatchFactory,
    MetricFactory,
    OrganisationFactory,
    RegionFactory,
    SystemFactory,
    ThemeFactory,
)

CODES = ["A", "B", "C", "D", "E", "FINVAR"]


def month_ends() -> list[dt.date]:
    out = []
    for i in range(12):  # Apr 2021 .. Mar 2022
        y, m = 2021 + (3 + i) // 12, (3 + i) % 12 + 1
        nxt = dt.date(y + m // 12, m % 12 + 1, 1)
        out.append(nxt - dt.timedelta(days=1))
    return out


@pytest.fixture
def national(db):
    """Org i scores 10 + i on every metric (R0 worst); R0 also misses its financial plan in
    March 2022 and is rated Inadequate by CQC from January 2022."""
    from oversight.metrics.models import Framework, Observation

    fw = FrameworkFactory(code="sof-2021-22", name="System Oversight Framework 2021/22",
                          method=Framework.Method.CRITERIA)
    theme = ThemeFactory(framework=fw)
    metrics = {c: MetricFactory(theme=theme, code=c, org_kinds=["acute", "icb"],
                                valid_min=None) for c in CODES}
    region = RegionFactory(code="Y61", name="East of England")
    system = SystemFactory(code="QUE", name="Cambridgeshire and Peterborough", region=region)
    icb = OrganisationFactory(ods_code="QUE", name="NHS C&P ICB", kind="icb",
                              host_system=system)
    orgs = [OrganisationFactory(ods_code=f"R{i}", name=f"Trust {i}", host_system=system)
            for i in range(8)]
    batch = ImportBatchFactory()
    rows = []
    for i, org in enumerate([*orgs, icb]):
        for code, metric in metrics.items():
            for end in month_ends():
                value = 10.0 + i if code != "FINVAR" else 1.0 + i
                if i == 0 and code == "FINVAR" and end == month_ends()[-1]:
                    value = -2.0
                rows.append(Observation(
                    metric=metric, organisation=org, period_start=end.replace(day=1),
                    period_end=end, period_label=end.strftime("%b-%y"), value=value,
                    batch=batch))
    Observation.objects.bulk_create(rows)
    for org in orgs[6:]:
        CqcRatingFactory(organisation=org, published=dt.date(2021, 1, 1))
    # R0 is rated Good until CQC rates it Inadequate in January 2022: a critical quality concern
    CqcRatingFactory(organisation=orgs[0], published=dt.date(2021, 1, 1))
    CqcRatingFactory(organisation=orgs[0], published=dt.date(2022, 1, 15),
                     overall="inadequate", well_led="inadequate")
    return {"framework": fw, "orgs": orgs, "system": system, "icb": icb, "region": region,
            "metrics": metrics}
