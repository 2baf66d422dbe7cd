"""A rejected file leaves its data untouched but is recorded: who, when, file, checksum, counts
and the problem report, as a batch with status rejected. Dry runs record nothing."""

import hashlib

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.metrics.importing import ImportRejected, run_import
from oversight.metrics.importing.lookups import LOAD_DIRECTORY_FIRST
from oversight.metrics.insight import visibility
from oversight.metrics.models import ImportBatch, Observation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HEADER = "org_code,metric_code,period_start,period_end,value\n"
# Rows 2 and 4 are fine; row 3 has two problems, row 5 one.
BAD = (
    HEADER + "RAA,RTT,2025-06-01,2025-06-30,91\n"
    "RBB,RTT,2025-06-31,2025-06-30,120\n"
    "RCC,RTT,2025-06-01,2025-06-30,88\n"
    "ZZZ,RTT,2025-06-01,2025-06-30,70\n"
)


def test_rejected_file_is_recorded_with_its_report_and_no_data(sof, trusts):
    stored = run_import(
        (HEADER + "RAA,RTT,2025-05-01,2025-05-31,90\n").encode(), "may.csv", "template"
    )
    before = list(Observation.objects.values())
    analyst = UserFactory(username="analyst")
    with pytest.raises(ImportRejected) as exc:
        run_import(BAD.encode(), "june.csv", "template", user=analyst)
    assert list(Observation.objects.values()) == before
    attempt = ImportBatch.objects.exclude(pk=stored.batch_id).get()
    assert exc.value.batch_id == attempt.pk
    assert (attempt.status, attempt.created_by, attempt.file_name, attempt.format) == (
        ImportBatch.Status.REJECTED,
        analyst,
        "june.csv",
        "template",
    )
    assert attempt.checksum == hashlib.sha256(BAD.encode()).hexdigest()
    assert (
        attempt.rows_read,
        attempt.added,
        attempt.revised,
        attempt.unchanged,
        attempt.rejected,
        attempt.problem_count,
    ) == (4, 0, 0, 0, 2, 3)
    assert attempt.problems == [
        [3, "period_start", "cannot read '2025-06-31' as a date (use YYYY-MM-DD or DD/MM/YYYY)"],
        [3, "value", "120.0 is outside the metric's valid range 0.0 to 100.0"],
        [5, "org_code", f"unknown organisation 'ZZZ' {LOAD_DIRECTORY_FIRST}"],
    ]
    assert attempt.published_at is None and attempt.created_at is not None
    # An unpublished rejected batch hides nothing: it supplies no figures.
    assert visibility(analyst).hidden_batches == frozenset()


def test_a_file_rejected_before_its_rows_are_read_is_recorded_too(sof, trusts):
    with pytest.raises(ImportRejected):
        run_import(b"org,metric\nRAA,RTT\n", "wrong.csv", "template")
    attempt = ImportBatch.objects.get()
    assert (attempt.status, attempt.rows_read, attempt.problem_count) == (
        ImportBatch.Status.REJECTED,
        1,
        7,
    )
    assert [1, "org", "unexpected column"] in attempt.problems


def test_a_rejected_dry_run_records_nothing(sof, trusts):
    with pytest.raises(ImportRejected) as exc:
        run_import(BAD.encode(), "june.csv", "template", dry_run=True)
    assert not ImportBatch.objects.exists()
    assert getattr(exc.value, "batch_id", None) is None


def test_cli_rejection_is_recorded_with_the_user(tmp_path, sof, trusts):
    UserFactory(username="analyst")
    path = tmp_path / "june.csv"
    path.write_text(BAD)
    result = CliRunner().invoke(
        app, ["import", str(path), "--format", "template", "--user", "analyst"]
    )
    assert result.exit_code == 1
    attempt = ImportBatch.objects.get()
    assert (attempt.status, attempt.created_by.username, attempt.rejected) == (
        ImportBatch.Status.REJECTED,
        "analyst",
        2,
    )
    assert f"recorded as rejected batch {attempt.pk}" in result.output
