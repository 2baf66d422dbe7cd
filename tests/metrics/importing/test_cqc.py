"""CQC ratings files."""

import csv
import datetime as dt
import io
import json

import pytest
from typer.testing import CliRunner

from oversight.cli.main import app
from oversight.metrics.importing import ImportRejected, run_import
from oversight.metrics.importing.lookups import LOAD_DIRECTORY_FIRST
from oversight.organisations.models import CqcRating, CqcRatingRevision

pytestmark = pytest.mark.django_db

HEADER = "Provider ODS Code,Publication Date,Overall,Safe,Effective,Caring,Responsive,Well-led\n"


def test_ratings_are_stored_with_the_batch_and_revised(trusts):
    text = HEADER + "RAA,2024-03-01,Good,Requires improvement,Good,Outstanding,Good,Good\n"
    first = run_import(text.encode(), "cqc.csv", "cqc")
    rating = CqcRating.objects.get()
    assert (
        rating.organisation.ods_code,
        rating.published,
        rating.overall,
        rating.safe,
        rating.caring,
        rating.batch_id,
    ) == ("RAA", dt.date(2024, 3, 1), "good", "requires_improvement", "outstanding", first.batch_id)
    assert run_import(text.encode(), "cqc.csv", "cqc").unchanged == 1
    changed = text.replace("Requires improvement", "Good")
    second = run_import(changed.encode(), "cqc.csv", "cqc")
    assert (second.revised, CqcRating.objects.get().safe, CqcRating.objects.get().batch_id) == (
        1,
        "good",
        second.batch_id,
    )


def test_a_changed_rating_keeps_the_grades_it_replaces_with_their_batch_and_row(trusts):
    first_file = (
        HEADER
        + "RBB,2023-01-10,Inadequate,Inadequate,Good,Good,Good,Inadequate\n"
        + "RAA,2024-03-01,Good,Requires improvement,Good,Outstanding,Good,Good\n"
    )
    first = run_import(first_file.encode(), "cqc-march.csv", "cqc")
    # CQC republished RAA's March rating with safe upgraded; RAA is now on row 3.
    second_file = (
        HEADER
        + "RCC,2024-05-02,Good,Good,Good,Good,Good,Good\n"
        + "RAA,2024-03-01,Good,Good,Good,Outstanding,Good,Good\n"
    )
    second = run_import(second_file.encode(), "cqc-may.csv", "cqc")
    assert (second.added, second.revised, second.unchanged) == (1, 1, 0)
    rating = CqcRating.objects.get(organisation__ods_code="RAA")
    assert (rating.safe, rating.batch_id, rating.source_row) == ("good", second.batch_id, 3)
    old = CqcRatingRevision.objects.get()
    assert (old.rating_id, old.overall, old.safe, old.caring, old.well_led) == (
        rating.pk,
        "good",
        "requires_improvement",
        "outstanding",
        "good",
    )
    assert (old.batch_id, old.source_row, old.superseded_by_id) == (
        first.batch_id,
        3,
        second.batch_id,
    )
    # The same file again: nothing revised, no further revision kept.
    again = run_import(second_file.encode(), "cqc-may.csv", "cqc")
    assert (again.added, again.revised, again.unchanged) == (0, 0, 2)
    assert CqcRatingRevision.objects.count() == 1
    untouched = CqcRating.objects.get(organisation__ods_code="RBB")
    assert (untouched.overall, untouched.batch_id, untouched.source_row) == (
        "inadequate",
        first.batch_id,
        2,
    )


def test_export_cqc_ratings_with_batch_source_row_and_revision_count(trusts, tmp_path):
    first = run_import(
        (
            HEADER
            + "RAA,2024-03-01,Good,Requires improvement,Good,Good,Good,Good\n"
            + "RBB,2023-01-10,Inadequate,,,,,\n"
        ).encode(),
        "a.csv",
        "cqc",
    )
    second = run_import(
        (HEADER + "RAA,2024-03-01,Good,Good,Good,Good,Good,Good\n").encode(), "b.csv", "cqc"
    )
    runner = CliRunner()
    result = runner.invoke(app, ["export", "cqc-ratings"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [
        (
            r["org_code"],
            r["published"],
            r["safe"],
            r["batch_id"],
            r["batch_file"],
            r["source_row"],
            r["revisions"],
        )
        for r in rows
    ] == [
        ("RAA", "2024-03-01", "good", str(second.batch_id), "b.csv", "2", "1"),
        ("RBB", "2023-01-10", "not_rated", str(first.batch_id), "a.csv", "3", "0"),
    ]
    out = tmp_path / "rbb.json"
    result = runner.invoke(
        app, ["export", "cqc-ratings", "--org", "rbb", "--format", "json", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    exported = json.loads(out.read_text())
    assert [(r["org_code"], r["overall"], r["batch_id"], r["source_row"]) for r in exported] == [
        ("RBB", "inadequate", first.batch_id, 3)
    ]


def test_bad_ratings_are_reported(trusts):
    text = HEADER + "RAA,2024-03-01,Great,,Good,Good,Good,Good\nXXX,yesterday,Good,,,,,\n"
    with pytest.raises(ImportRejected) as exc:
        run_import(text.encode(), "cqc.csv", "cqc")
    found = [(p.row, p.column, p.reason) for p in exc.value.problems.sorted()]
    assert (
        2,
        "Overall",
        "unknown rating 'Great' (expected Outstanding, Good, Requires "
        "improvement, Inadequate or Not rated)",
    ) in found
    assert (3, "Provider ODS Code", f"unknown organisation 'XXX' {LOAD_DIRECTORY_FIRST}") in found
    assert (
        3,
        "Publication Date",
        "cannot read 'yesterday' as a date (use YYYY-MM-DD or DD/MM/YYYY)",
    ) in found
    assert not CqcRating.objects.exists()
