"""CQC ratings files."""

import datetime as dt

import pytest

from oversight.metrics.importing import ImportRejected, run_import
from oversight.organisations.models import CqcRating

pytestmark = pytest.mark.django_db

HEADER = "Provider ODS Code,Publication Date,Overall,Safe,Effective,Caring,Responsive,Well-led\n"


def test_ratings_are_stored_with_the_batch_and_revised(trusts):
    text = HEADER + "RAA,2024-03-01,Good,Requires improvement,Good,Outstanding,Good,Good\n"
    first = run_import(text.encode(), "cqc.csv", "cqc")
    rating = CqcRating.objects.get()
    assert (rating.organisation.ods_code, rating.published, rating.overall, rating.safe,
            rating.caring, rating.batch_id) == (
        "RAA", dt.date(2024, 3, 1), "good", "requires_improvement", "outstanding",
        first.batch_id)
    assert run_import(text.encode(), "cqc.csv", "cqc").unchanged == 1
    changed = text.replace("Requires improvement", "Good")
    second = run_import(changed.encode(), "cqc.csv", "cqc")
    assert (second.revised, CqcRating.objects.get().safe, CqcRating.objects.get().batch_id) == (
        1, "good", second.batch_id)


def test_bad_ratings_are_reported(trusts):
    text = HEADER + "RAA,2024-03-01,Great,,Good,Good,Good,Good\nXXX,yesterday,Good,,,,,\n"
    with pytest.raises(ImportRejected) as exc:
        run_import(text.encode(), "cqc.csv", "cqc")
    found = [(p.row, p.column, p.reason) for p in exc.value.problems.sorted()]
    assert (2, "Overall", "unknown rating 'Great' (expected Outstanding, Good, Requires "
                          "improvement, Inadequate or Not rated)") in found
    assert (3, "Provider ODS Code", "unknown organisation 'XXX'") in found
    assert (3, "Publication Date", "cannot read 'yesterday' as a date (use YYYY-MM-DD or "
                                   "DD/MM/YYYY)") in found
    assert not CqcRating.objects.exists()
