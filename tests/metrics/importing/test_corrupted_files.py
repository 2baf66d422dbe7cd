"""Property: any corrupted file is rejected whole, with the row and column named, and the
database is left exactly as it was."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oversight.metrics.importing import ImportRejected, run_import
from oversight.metrics.models import ImportBatch, Observation, ObservationRevision

pytestmark = pytest.mark.django_db

COLUMNS = ["org_code", "metric_code", "period_start", "period_end", "value"]
ORGS = ["RAA", "RBB", "RCC"]
MONTHS = [("2025-04-01", "2025-04-30"), ("2025-05-01", "2025-05-31"), ("2025-06-01", "2025-06-30")]


def valid_rows() -> list[list[str]]:
    return [[org, "RTT", start, end, f"{50 + i}.5"]
            for i, (org, (start, end)) in enumerate((o, m) for o in ORGS for m in MONTHS)]


def render(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


bad_numbers = st.sampled_from(["12x", "1,2", "1.2.3", "ten", "--5", "1,2345", "5%"])
bad_dates = st.sampled_from(["2025-02-30", "31/13/2025", "2025/06/01", "June 2025", "20250601"])
codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=2, max_size=6)
corruptions = st.one_of(
    st.tuples(st.just("value"), bad_numbers),
    st.tuples(st.just("period_start"), bad_dates),
    st.tuples(st.just("org_code"), codes.filter(lambda c: c not in ORGS)),
    st.tuples(st.just("metric_code"), codes.filter(lambda c: c not in ("RTT", "BEDS"))),
    st.tuples(st.just("value"), st.floats(100.001, 1e9).map(lambda v: f"{v:.3f}")),
    st.tuples(st.just("value"), st.floats(-1e9, -0.001).map(lambda v: f"{v:.3f}")),
    st.tuples(st.just("period_end"), st.just("2025-03-31")),  # before every start
    st.tuples(st.just("duplicate"), st.just("")),
    st.tuples(st.just("header"), st.sampled_from(["orgcode", "metric", "start", "val"])),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corruption=corruptions, at=st.integers(0, len(ORGS) * len(MONTHS) - 1))
def test_corrupted_file_is_rejected_naming_row_and_column(sof, trusts, corruption, at):
    if not Observation.objects.exists():
        run_import(render(COLUMNS, valid_rows()), "base.csv", "template")
    before = (list(Observation.objects.order_by("id").values()),
              ObservationRevision.objects.count(), ImportBatch.objects.count())
    kind, text = corruption
    header, rows = list(COLUMNS), valid_rows()
    for row in rows:  # a different value, so an accepted file would have changed something
        row[4] = row[4].replace(".5", ".25")
    if kind == "header":
        column = COLUMNS.index({"orgcode": "org_code", "metric": "metric_code",
                                "start": "period_start", "val": "value"}[text])
        expected_column, expected_row = header[column], 1
        header[column] = text
    elif kind == "duplicate":
        rows.append(list(rows[at]))
        expected_column, expected_row = "org_code", len(rows) + 1
    else:
        rows[at][COLUMNS.index(kind)] = text
        expected_column, expected_row = kind, at + 2
    with pytest.raises(ImportRejected) as exc:
        run_import(render(header, rows), "corrupt.csv", "template")
    where = {(p.row, p.column) for p in exc.value.problems.items}
    assert (expected_row, expected_column) in where, exc.value.problems.items
    assert all(p.file == "corrupt.csv" and p.reason for p in exc.value.problems.items)
    after = (list(Observation.objects.order_by("id").values()),
             ObservationRevision.objects.count(), ImportBatch.objects.count())
    assert after == before
