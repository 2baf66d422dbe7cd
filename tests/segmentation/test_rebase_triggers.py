"""Segmentation triggers use the SPC of each series after its stored rebases.

The series steps up from 10-ish to 30-ish at month 7 (lower is better, so the step is a
concern): as one group the later points are outside the limits; rebased at month 7 they are
within the second group's limits (32.5 ± 6.916, see tests/metrics/test_rebases.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from oversight.engine import triggers as tr
from oversight.segmentation.proposals import _rebase_ends
from tests.factories import (
    ImportBatchFactory,
    MetricFactory,
    ObservationFactory,
    OrganisationFactory,
    RebaseFactory,
)

VALUES = [10, 12, 11, 13, 12, 14, 30, 33, 31, 34, 32, 35]


def _end(i: int) -> dt.date:
    start = dt.date(2024 + (i - 1) // 12, (i - 1) % 12 + 1, 1)
    return (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _points(rebase=None) -> tr.Points:
    n = len(VALUES)
    return tr.Points(
        subject=np.zeros(n, np.int64), metric=np.zeros(n, np.int64),
        period_end=np.array([_end(i) for i in range(1, n + 1)], dtype="datetime64[D]"),
        value=np.array(VALUES, float), subject_codes=["RGT"], subject_kinds=["acute"],
        peer_group=np.zeros(1, np.int64), metric_codes=["M1"],
        polarity=np.array([-1], np.int8), rebase=rebase,
    )


def test_annotate_splits_the_series_at_a_rebase():
    whole = tr.annotate(_points())
    assert whole.outside[-1] and whole.concern[-1]
    rebased = tr.annotate(_points({(0, 0): [np.datetime64(_end(7))]}))
    assert not rebased.outside[6:].any() and not rebased.concern[-1]


def test_rebases_reach_the_engine_by_period_end(db):
    metric = MetricFactory()
    org, other, ignored = (OrganisationFactory(ods_code=c) for c in ("RGT", "RGN", "RXX"))
    batch = ImportBatchFactory()
    for o in (org, other, ignored):
        for i in (6, 7, 8):
            ObservationFactory(metric=metric, organisation=o, batch=batch,
                               period_start=_end(i).replace(day=1), period_end=_end(i),
                               period_label=f"m{i}", value=1.0)
    RebaseFactory(metric=metric, organisation=org, date=_end(7).replace(day=1),
                          reason="pathway")
    RebaseFactory(metric=metric, organisation=None, date=_end(8).replace(day=1),
                          reason="definition")
    ends = _rebase_ends({metric.pk: 0}, {org.pk: 0, other.pk: 1})
    assert {k: sorted(v) for k, v in ends.items()} == {
        (0, 0): [_end(7), _end(8)], (1, 0): [_end(8)]}
