"""Oversight template imports: stored, idempotent, revised with history, rejected whole."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from oversight.metrics.importing import ImportRejected, run_import
from oversight.metrics.importing import template as template_format
from oversight.metrics.importing.lookups import LOAD_DIRECTORY_FIRST
from oversight.metrics.models import ImportBatch, Observation, ObservationRevision

pytestmark = pytest.mark.django_db

HEADER = "org_code,metric_code,period_start,period_end,value,numerator,denominator,note\n"


def load(text: str, **kwargs):
    return run_import(text.encode(), "t.csv", "template", **kwargs)


def problems_of(text: str, **kwargs) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ImportRejected) as exc:
        load(text, **kwargs)
    return [(p.row, p.column, p.reason) for p in exc.value.problems.sorted()]


def snapshot() -> tuple:
    return (
        list(Observation.objects.order_by("id").values()),
        list(ObservationRevision.objects.values()),
        ImportBatch.objects.filter(status=ImportBatch.Status.APPLIED).count(),
    )


def test_rows_are_stored_with_batch_and_source_row(sof, trusts):
    result = load(
        HEADER + "RAA,RTT,2025-06-01,2025-06-30,91.5,915,1000,checked\n"
        "rbb,RTT,01/06/2025,30/06/2025,*,,,\n"
    )
    assert (result.rows_read, result.added, result.revised, result.unchanged) == (2, 2, 0, 0)
    assert result.framework_code == "sof-2021-22"
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.format, batch.rows_read, batch.added, len(batch.checksum)) == (
        "template",
        2,
        2,
        64,
    )
    assert batch.framework.code == "sof-2021-22"
    raa = Observation.objects.get(organisation__ods_code="RAA")
    assert (
        raa.value,
        raa.numerator,
        raa.denominator,
        raa.note,
        raa.period_label,
        raa.source_row,
        raa.batch_id,
    ) == (91.5, 915, 1000, "checked", "Jun-25", 2, batch.pk)
    rbb = Observation.objects.get(organisation__ods_code="RBB")
    assert (rbb.value, rbb.missing_reason, rbb.period_start) == (
        None,
        "suppressed (*)",
        dt.date(2025, 6, 1),
    )


def test_reimport_changes_nothing(sof, trusts):
    text = (
        HEADER + "RAA,RTT,2025-06-01,2025-06-30,91.5,,,\n"
        'RBB,BEDS,2025-06-01,2025-06-30,"1,204",,,\n'
    )
    load(text)
    before = snapshot()
    again = load(text)
    assert (again.added, again.revised, again.unchanged) == (0, 0, 2)
    after = snapshot()
    assert after[:2] == before[:2]
    assert Observation.objects.get(metric__code="BEDS").value == 1204


def test_changed_value_keeps_the_old_one_with_both_batches(sof, trusts):
    first = load(HEADER + "RAA,RTT,2025-06-01,2025-06-30,91.5,,,\n")
    second = load(HEADER + "RAA,RTT,2025-06-01,2025-06-30,92.0,,,revised\n")
    assert (second.added, second.revised, second.unchanged) == (0, 1, 0)
    obs = Observation.objects.get()
    assert (obs.value, obs.note, obs.batch_id) == (92.0, "revised", second.batch_id)
    [revision] = obs.revisions.all()
    assert (revision.value, revision.batch_id, revision.superseded_by_id, revision.source_row) == (
        91.5,
        first.batch_id,
        second.batch_id,
        2,
    )


def test_dry_run_reports_counts_and_writes_nothing(sof, trusts):
    load(HEADER + "RAA,RTT,2025-06-01,2025-06-30,91.5,,,\n")
    before = snapshot()
    result = load(
        HEADER + "RAA,RTT,2025-06-01,2025-06-30,90,,,\nRBB,RTT,2025-06-01,2025-06-30,80,,,\n",
        dry_run=True,
    )
    assert (result.added, result.revised, result.batch_id) == (1, 1, None)
    assert snapshot() == before


def test_every_problem_is_reported_and_nothing_written(sof, trusts):
    before = snapshot()
    found = problems_of(
        HEADER
        + "RAA,RTT,2025-06-01,2025-06-30,91.5,,,\n"  # 2 fine
        + "XXX,RTT,2025-06-01,2025-06-30,50,,,\n"  # 3 unknown organisation
        + "RAA,NOPE,2025-06-01,2025-06-30,50,,,\n"  # 4 unknown metric
        + "RAA,RTT,2025-13-01,2025-06-30,50,,,\n"  # 5 bad date
        + "RAA,RTT,2025-07-01,2025-06-30,50,,,\n"  # 6 end before start
        + "RAA,RTT,2025-08-01,2025-08-31,12x,,,\n"  # 7 bad number
        + "RAA,RTT,2025-09-01,2025-09-30,100.5,,,\n"  # 8 percentage over 100
        + "RAA,RTT,2025-06-01,2025-06-30,91.5,,,\n"  # 9 duplicate of row 2
        + "RAA,RTT,2025-10-01,2025-10-31,,,,\n"  # 10 empty value
        + "RAA,RTT,2025-11-01,2025-11-30,5,1,0,\n"  # 11 zero denominator
    )
    assert found == [
        (3, "org_code", f"unknown organisation 'XXX' {LOAD_DIRECTORY_FIRST}"),
        (4, "metric_code", "unknown metric 'NOPE' in any criteria-based framework"),
        (5, "period_start", "cannot read '2025-13-01' as a date (use YYYY-MM-DD or DD/MM/YYYY)"),
        (6, "period_end", "period end is before period start"),
        (7, "value", "cannot read '12x' as a number"),
        (8, "value", "100.5 is outside the metric's valid range 0.0 to 100.0"),
        (9, "org_code", "duplicate of row 2 (same metric, organisation and period)"),
        (10, "value", "value is empty (write * or - for a suppressed value)"),
        (11, "denominator", "denominator is zero"),
    ]
    assert snapshot() == before


def test_wrong_columns_are_reported_on_row_1(sof, trusts):
    found = problems_of("org,metric_code,period_start,period_end,value,colour\nRAA,RTT,,,,red\n")
    assert (
        1,
        "org_code",
        "required column is missing (expected org_code, metric_code, "
        "period_start, period_end, value)",
    ) in found
    assert (1, "colour", "unexpected column") in found


def test_unknown_framework_is_named(sof, trusts):
    found = problems_of(HEADER + "RAA,RTT,2025-06-01,2025-06-30,1,,,\n", framework_code="nope")
    assert found[0][1] == "--framework"
    assert "unknown framework 'nope'" in found[0][2]


def test_explicit_framework_restricts_the_metric_codes(sof, trusts):
    from tests.factories import FrameworkFactory

    FrameworkFactory(code="test-framework")
    found = problems_of(
        HEADER + "RAA,RTT,2025-06-01,2025-06-30,1,,,\n", framework_code="test-framework"
    )
    assert found == [(2, "metric_code", "unknown metric 'RTT' in framework test-framework")]


def test_organisation_user_loads_only_their_own_rows(sof, trusts):
    scope = frozenset({trusts["RAA"].pk})
    found = problems_of(
        HEADER + "RAA,RTT,2025-06-01,2025-06-30,1,,,\nRBB,RTT,2025-06-01,2025-06-30,1,,,\n",
        scope=scope,
    )
    assert found == [(3, "org_code", "you may load data only for your own organisation, not 'RBB'")]
    assert load(HEADER + "RAA,RTT,2025-06-01,2025-06-30,1,,,\n", scope=scope).added == 1


def test_windows_1252_with_thousands_separators(sof, trusts):
    text = HEADER + 'RAA,BEDS,2025-06-01,2025-06-30,"12,345",,,Ward – closed £\n'
    result = run_import(text.encode("cp1252"), "t.csv", "template")
    obs = Observation.objects.get(pk__isnull=False)
    assert (result.added, obs.value, obs.note) == (1, 12345, "Ward – closed £")


def test_xlsx_template_imports(sof, trusts):
    book = Workbook()
    sheet = book.active
    sheet.append(template_format.COLUMNS)
    sheet.append(
        ["RAA", "RTT", dt.datetime(2025, 6, 1), dt.datetime(2025, 6, 30), 88.25, None, None, None]
    )
    sheet.append([None] * 8)
    out = io.BytesIO()
    book.save(out)
    result = run_import(out.getvalue(), "t.xlsx", "template")
    assert result.added == 1
    assert Observation.objects.get().value == 88.25


def test_blank_template_lists_the_framework_metrics(sof):
    from oversight.metrics.models import Framework

    framework = Framework.objects.get(code="sof-2021-22")
    text = template_format.blank(framework).decode()
    lines = text.splitlines()
    assert lines[0] == ",".join(template_format.COLUMNS)
    assert {line.split(",")[1] for line in lines[1:]} == set(sof)
    sheet = load_workbook(io.BytesIO(template_format.blank(framework, xlsx=True))).active
    assert [c.value for c in sheet[1]] == template_format.COLUMNS
